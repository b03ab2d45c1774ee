"""A page larger than the endpoint allows: the refusal's words give the cap, the read
goes on at the cap without losing or repeating a row, and the cap is remembered per host
and endpoint, so later reads ask no page past it and, unless told a size, use it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

import leadsq
from leadsq.client.learnt import learnt
from leadsq.contract import ENDPOINT_PATHS
from leadsq.sandbox import Sandbox
from tests.conftest import connect

DISTRIBUTION = ENDPOINT_PATHS["distribution"][0]
CAP = 250
LEADS = 1000


pytestmark = pytest.mark.usefixtures("nothing_learnt")


@pytest.fixture(scope="module", params=[500, 400], ids=["refused 500", "refused 400"])
def capped(request) -> Iterator[Sandbox]:
    with Sandbox(
        leads=LEADS, seed=3, rate_limit=None, max_page_size=CAP, input_error_status=request.param
    ) as box:
        yield box


class Calls:
    """Distribution calls and refusals of ``box`` since the last look."""

    def __init__(self, box: Sandbox) -> None:
        self.box = box
        self.seen = self._now()

    def _now(self) -> tuple[int, int]:
        stats = self.box.stats()
        status = str(self.box.settings.input_error_status)
        return stats["paths"].get(DISTRIBUTION, 0), stats["answers"].get(status, 0)

    def since(self) -> tuple[int, int]:
        """(calls, refusals) since the last look."""
        now = self._now()
        delta = (now[0] - self.seen[0], now[1] - self.seen[1])
        self.seen = now
        return delta


def read(box: Sandbox, **arguments):
    return leadsq.read_leadsquared(
        "distribution", columns=["ProspectAutoId"], **{**connect(box), **arguments}
    )


def test_a_refused_page_size_is_read_at_the_cap_and_remembered(capped):
    calls = Calls(capped)
    with pytest.warns(UserWarning, match=f"page_size 1000 is over .* page cap of {CAP}"):
        frame = read(capped, page_size=1000)
    assert frame.ProspectAutoId.tolist() == list(range(1, LEADS + 1))
    assert calls.since() == (1 + LEADS // CAP, 1)  # the refused page, then pages of the cap
    assert learnt.page_cap(capped.url, "distribution") == CAP
    assert learnt.page_cap(capped.url, "not_contacted") is None  # per endpoint
    assert frame.attrs["leadsq"]["body"]["Paging"] == {"PageIndex": 1, "PageSize": CAP}

    # with the cap known: no size given reads at the cap, no call past it
    again = read(capped)
    assert again.ProspectAutoId.tolist() == frame.ProspectAutoId.tolist()
    assert calls.since() == (LEADS // CAP, 0)

    # a size over the known cap is lowered to it, with a warning, before any call
    with pytest.warns(UserWarning, match=f"page_size 600 is over .* page cap of {CAP}"):
        lowered = read(capped, page_size=600, max_results=700)
    assert lowered.ProspectAutoId.tolist() == list(range(1, 701))
    assert calls.since() == (3, 0)

    # a size under the cap is the user's choice
    small = read(capped, page_size=100)
    assert len(small) == LEADS
    assert calls.since() == (LEADS // 100, 0)


def test_without_a_known_cap_a_read_with_no_size_asks_pages_of_10000():
    # 25,000 leads: 3 pages of 10,000 where pages of 1,000 would take 25 calls
    with Sandbox(leads=25_000, seed=3, rate_limit=None) as box:
        frame = read(box)
        calls = box.stats()["paths"][DISTRIBUTION]
    assert frame.ProspectAutoId.tolist() == list(range(1, 25_001))
    assert calls == 3
    assert frame.attrs["leadsq"]["body"]["Paging"] == {"PageIndex": 1, "PageSize": 10_000}


def test_a_service_capping_below_10000_is_asked_once_at_10000_then_at_its_cap():
    with Sandbox(leads=2500, seed=3, rate_limit=None, max_page_size=1000) as box:
        frame = read(box)
        calls = box.stats()["paths"][DISTRIBUTION]
        cap = learnt.page_cap(box.url, "distribution")
    assert frame.ProspectAutoId.tolist() == list(range(1, 2501))
    assert calls == 1 + 3  # the refused page of 10,000, then three of the cap
    assert cap == 1000


def test_a_page_size_set_in_the_settings_counts_as_given(capped):
    leadsq.configure(page_size=100)
    learnt.set_page_cap(capped.url, "distribution", CAP)
    calls = Calls(capped)
    frame = read(capped)
    assert len(frame) == LEADS
    assert calls.since() == (LEADS // 100, 0)


def test_a_resumed_read_whose_first_row_starts_no_page_of_the_cap_loses_and_repeats_none(capped):
    calls = Calls(capped)
    body = {
        "Output": {"Type": "List", "IncludeCSV": "ProspectAutoId"},
        "Paging": {"PageIndex": 3, "PageSize": 300},
    }
    # a body's PageSize says where it starts, not how to page: leadsq's size (10,000) is
    # asked, refused, and the read goes on at the cap without a warning (no one chose 300)
    frame = leadsq.read_leadsquared("distribution", body=body, **connect(capped))
    # rows 601..1000: pages of 250 from the one holding row 601, its first 100 rows dropped
    assert frame.ProspectAutoId.tolist() == list(range(601, LEADS + 1))
    assert calls.since() == (1 + 2, 1)


def test_a_read_that_fails_after_a_refusal_resumes_from_the_rows_it_kept(fresh_settings):
    leadsq.configure(max_retries=0, max_retry_seconds=0.5, rate_limit=(10_000, 1))
    with (
        Sandbox(leads=LEADS, seed=3, rate_limit=(3, 60), max_page_size=CAP) as box,
        pytest.raises(leadsq.RateLimitError) as caught,
        pytest.warns(UserWarning),
    ):
        read(box, page_size=1000)
    error = caught.value
    # the field types, the refused page (if the limit counts it) and pages of the cap fit
    assert error.rows_received in (CAP, 2 * CAP)
    assert error.partial.ProspectAutoId.tolist() == list(range(1, error.rows_received + 1))
    assert error.resume_body["Paging"] == {
        "PageIndex": error.rows_received // CAP + 1,
        "PageSize": CAP,
    }
