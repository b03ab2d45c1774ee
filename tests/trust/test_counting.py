"""Every read is counted (issue 18): rows per page against the page size and the total,
ids once, totals sane, every row holding every column; what does not add up raises
IncompleteReadError with the rows that arrived, never a silent short or padded frame."""

from __future__ import annotations

from typing import Any

import pytest

import leadsq
from leadsq.sandbox import Sandbox
from tests.conftest import connect
from tests.trust.conftest import LEADS
from tests.trust.servers import BROKEN_PAGE, CAP, paging_broken

PAGE = 100


def read(box: Sandbox, url: str, **arguments: Any):
    query = {"columns": ["ProspectID", "ProspectAutoId"], "page_size": PAGE, **arguments}
    return leadsq.read_leadsquared("distribution", **{**connect(box), "host": url, **query})


def calls(box: Sandbox) -> int:
    return sum(box.stats()["paths"].values())


def test_a_server_capping_pages_silently_is_read_at_the_cap_it_showed(box):
    with (
        paging_broken(box, "silent_cap") as url,
        pytest.warns(UserWarning, match=f"page cap of {CAP}"),
    ):
        frame = read(box, url, page_size=1000)

    assert frame.ProspectAutoId.tolist() == list(range(1, LEADS + 1))
    assert leadsq.client.learnt.learnt.page_cap(url, "distribution") == CAP


def test_a_short_page_in_the_middle_ends_the_read_with_the_rows_before_it(box):
    with (
        paging_broken(box, "short_page") as url,
        pytest.raises(leadsq.IncompleteReadError) as caught,
    ):
        read(box, url)

    error = caught.value
    assert f"page {BROKEN_PAGE} holds {PAGE // 2} of {PAGE} rows" in str(error)
    assert error.expected == LEADS
    assert error.rows_received == (BROKEN_PAGE - 1) * PAGE
    assert error.resume_body["Paging"]["PageIndex"] == BROKEN_PAGE
    assert error.partial.ProspectAutoId.tolist() == list(range(1, error.rows_received + 1))


def test_a_repeated_page_is_an_error_not_duplicates(box):
    with (
        paging_broken(box, "repeated_page") as url,
        pytest.raises(leadsq.IncompleteReadError) as caught,
    ):
        read(box, url)

    assert f"{PAGE} of {LEADS} rows repeat a ProspectID" in str(caught.value)
    assert caught.value.rows_received == LEADS


def test_a_server_ignoring_paging_is_an_error_not_every_row_once_a_page(box):
    with (
        paging_broken(box, "ignores_paging") as url,
        pytest.raises(leadsq.IncompleteReadError) as caught,
    ):
        read(box, url)

    assert f"page 1 holds {LEADS} rows, more than the page size of {PAGE}" in str(caught.value)


def test_an_absurd_total_ends_at_the_first_short_page_instead_of_paging_for_ever(box):
    before = calls(box)
    with (
        paging_broken(box, "huge_total") as url,
        pytest.raises(leadsq.IncompleteReadError) as caught,
    ):
        read(box, url)

    assert "promises more" in str(caught.value)
    assert caught.value.rows_received == LEADS
    workers = leadsq.settings.read_workers
    assert calls(box) - before <= LEADS // PAGE + 1 + workers


@pytest.mark.parametrize(("mode", "shown"), [("negative_total", "'-5'"), ("boolean_total", "True")])
def test_a_total_that_is_not_a_whole_number_is_refused(box, mode, shown):
    with paging_broken(box, mode) as url, pytest.raises(leadsq.IncompleteReadError) as caught:
        read(box, url)

    assert f"TotalCount is not a whole number >= 0: {shown}" in str(caught.value)


def test_a_row_lacking_a_column_is_named_by_page_row_and_column(box):
    with paging_broken(box, "column_missing") as url, pytest.raises(leadsq.APIError) as caught:
        read(box, url)

    assert f"page {BROKEN_PAGE}: the answer's row {PAGE} lacks the column(s) ProspectID" in str(
        caught.value
    )
    assert caught.value.rows_received == (BROKEN_PAGE - 1) * PAGE


def test_a_value_of_the_wrong_type_is_named_by_page_row_column_and_value(box):
    with paging_broken(box, "bad_value") as url, pytest.raises(leadsq.APIError) as caught:
        read(box, url)

    message = str(caught.value)
    assert f"page {BROKEN_PAGE}: column 'ProspectAutoId'" in message
    assert f"in row {PAGE}: '12abc'" in message
