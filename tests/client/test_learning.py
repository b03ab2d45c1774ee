"""What the real service leaves open is found on first use and remembered per host: the
Not Contacted path (candidates in the contract's order, on 404s) and where the keys go
(headers, then once the query string on a 401)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from werkzeug.wrappers import Request, Response

import leadsq
from leadsq.client.learnt import learnt
from leadsq.contract import ENDPOINT_PATHS
from leadsq.errors import AuthenticationError, NotFoundError
from leadsq.sandbox import Sandbox
from tests.client.servers import served_in_front_of
from tests.conftest import connect

CANDIDATES = ENDPOINT_PATHS["not_contacted"]


pytestmark = pytest.mark.usefixtures("nothing_learnt")


def read_not_contacted(box: Sandbox, **arguments):
    return leadsq.read_leadsquared(
        "not_contacted", columns=["ProspectID"], **{**connect(box), **arguments}
    )


@pytest.mark.parametrize("path", CANDIDATES)
def test_the_not_contacted_path_is_found_once_and_remembered(path):
    with Sandbox(leads=300, seed=3, rate_limit=None, not_contacted_path=path) as box:
        first = read_not_contacted(box)
        after_first = dict(box.stats()["paths"])
        second = read_not_contacted(box)
        after_second = box.stats()["paths"]
        url = box.url
    tried = CANDIDATES[: CANDIDATES.index(path)]
    assert all(after_first[earlier] == 1 for earlier in tried)  # one 404 each
    assert after_first[path] == 1
    # the second read: one call, at the path found, no 404
    assert {p: after_second.get(p, 0) for p in CANDIDATES} == {
        p: after_first.get(p, 0) + (p == path) for p in CANDIDATES
    }
    assert learnt.not_contacted_path(url) == path
    assert second.equals(first)


def test_a_not_contacted_path_set_by_the_user_is_used_as_is():
    wrong, right = CANDIDATES[0], CANDIDATES[2]
    with Sandbox(leads=300, seed=3, rate_limit=None, not_contacted_path=right) as box:
        leadsq.configure(paths={"not_contacted": wrong})
        with pytest.raises(NotFoundError, match=wrong):
            read_not_contacted(box)
        leadsq.configure(paths={"not_contacted": right})
        frame = read_not_contacted(box)
        calls = box.stats()["paths"]
        url = box.url
    assert {p: calls.get(p, 0) for p in CANDIDATES} == {
        wrong: 1,
        right: 1,
        **{p: 0 for p in CANDIDATES if p not in (wrong, right)},
    }
    assert len(frame) > 0
    assert learnt.not_contacted_path(url) is None  # nothing to find: nothing learnt


def test_no_candidate_answering_is_not_found_naming_every_path_tried():
    def not_found(request: Request, before: int) -> Response | None:
        return Response("{}", status=404) if request.path in CANDIDATES else None

    with (
        Sandbox(leads=100, seed=3, rate_limit=None) as box,
        served_in_front_of(box, not_found) as front,
        pytest.raises(NotFoundError) as caught,
    ):
        read_not_contacted(box, host=front.url)
    assert all(front.paths[path] == 1 for path in CANDIDATES)
    assert all(path in str(caught.value) for path in CANDIDATES)


@pytest.fixture(scope="module")
def query_only() -> Iterator[Sandbox]:
    """A sandbox that refuses keys in headers; its demo access key holds a "$"."""
    with Sandbox(leads=300, seed=3, rate_limit=None, header_auth=False) as box:
        assert "$" in box.access_key
        yield box


def test_keys_refused_in_headers_go_in_the_query_string_once_and_for_all(query_only):
    before = query_only.stats()["answers"].get("401", 0)
    first = leadsq.read_leadsquared("distribution", columns=["ProspectID"], **connect(query_only))
    second = leadsq.read_leadsquared("distribution", columns=["ProspectID"], **connect(query_only))
    refused = query_only.stats()["answers"].get("401", 0) - before
    assert refused == 1  # the first call in headers; every later call in the query string
    assert learnt.auth(query_only.url) == "query"
    assert len(first) == len(second) == 300


def test_keys_accepted_in_headers_are_never_sent_in_the_query_string(sandbox):
    def refuse_query_keys(request: Request, before: int) -> Response | None:
        if "accessKey" in request.args or "secretKey" in request.args:
            return Response("{}", status=400)
        return None

    with served_in_front_of(sandbox, refuse_query_keys) as front:
        frame = leadsq.read_leadsquared(
            "distribution", columns=["ProspectID"], **{**connect(sandbox), "host": front.url}
        )
    assert len(frame) == 3000
    assert learnt.auth(front.url) == "headers"


def test_auth_headers_is_kept_even_where_headers_are_refused(query_only):
    leadsq.configure(auth="headers")
    before = query_only.stats()["answers"].get("401", 0)
    with pytest.raises(AuthenticationError) as caught:
        leadsq.read_leadsquared("distribution", columns=["ProspectID"], **connect(query_only))
    assert query_only.stats()["answers"]["401"] - before == 1  # never in the query string
    assert caught.value.status == 401
    assert learnt.auth(query_only.url) is None


@pytest.mark.parametrize("header_auth", [True, False])
def test_auth_query_sends_keys_with_a_dollar_percent_encoded(header_auth):
    leadsq.configure(auth="query")
    with Sandbox(leads=100, seed=3, rate_limit=None, header_auth=header_auth) as box:
        frame = leadsq.read_leadsquared("distribution", columns=["ProspectID"], **connect(box))
        answers = box.stats()["answers"]
    assert len(frame) == 100
    assert "401" not in answers


def test_wrong_keys_are_tried_both_ways_then_refused_without_showing_them(query_only, caplog):
    secret = "wrong-$ecret"
    caplog.set_level("DEBUG")
    before = query_only.stats()["answers"].get("401", 0)
    with pytest.raises(AuthenticationError) as caught:
        leadsq.read_leadsquared(
            "distribution",
            columns=["ProspectID"],
            **{**connect(query_only), "secret_key": secret},
        )
    assert query_only.stats()["answers"]["401"] - before == 2  # headers, then the query
    assert learnt.auth(query_only.url) is None
    for text in (str(caught.value), repr(caught.value), caplog.text):
        assert secret not in text and "wrong-%24ecret" not in text
        assert query_only.access_key not in text


def test_only_a_report_path_may_be_left_to_be_found():
    with pytest.raises(leadsq.ConfigurationError, match="only distribution, not_contacted"):
        leadsq.configure(paths={"users": None})
    assert leadsq.configure(paths={"distribution": None}).paths["distribution"] is None


def test_auth_names_its_three_forms_when_given_another():
    with pytest.raises(leadsq.ConfigurationError, match="'auto', 'headers', 'query'"):
        leadsq.configure(auth="cookie")
