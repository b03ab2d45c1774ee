"""Close matches in the contract's messages: fields, operators and enumerated values."""

from __future__ import annotations

import pytest

from leadsq.contract import ContractError, check_fields, did_you_mean, parse_report


@pytest.mark.parametrize(
    ("word", "choices", "hint"),
    [
        ("EngagmentScore", ["EngagementScore", "Score"], " (did you mean EngagementScore?)"),
        ("engagementscore", ["EngagementScore"], " (did you mean EngagementScore?)"),
        ("Owner", ["OwnerId", "ProspectStage"], " (did you mean OwnerId?)"),
        ("Averag", ("Count", "Average", "Sum"), " (did you mean Average?)"),
        ("List|Aggregate", ("List", "Aggregate"), ""),
        ("Zzz", ["EngagementScore"], ""),
        ("=>", ("=", "<>", ">", ">=", "<="), " (did you mean >=?)"),
        ("=<", ("=", "<>", ">=", "<="), " (did you mean <=?)"),
    ],
)
def test_did_you_mean_names_close_choices_only(word, choices, hint):
    assert did_you_mean(word, choices) == hint


def test_a_misspelt_field_is_refused_with_its_close_match():
    body = {
        "Output": {"Type": "List", "IncludeCSV": "ProspectID,EngagmentScore"},
        "Paging": {"PageIndex": 1, "PageSize": 10},
    }
    report = parse_report(body, "distribution")
    with pytest.raises(ContractError) as caught:
        check_fields(report, {"ProspectID": "Text", "EngagementScore": "Number"})
    assert caught.value.message == (
        "Output.IncludeCSV names an unknown lead field 'EngagmentScore' "
        "(did you mean EngagementScore?)"
    )


def test_a_misspelt_aggregate_function_is_refused_with_its_close_match():
    body = {
        "Output": {"Type": "Aggregate", "GroupBy": "OwnerId", "AggregateFunction": "Averag"},
        "Paging": {"PageIndex": 1, "PageSize": 10},
    }
    with pytest.raises(ContractError, match=r"got 'Averag' \(did you mean Average\?\)$"):
        parse_report(body, "distribution")
