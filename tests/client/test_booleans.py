"""Booleans reach the service as "1"/"0" however they are written, and come back as booleans."""

from __future__ import annotations

import pytest

from tests.client.conftest import ids


@pytest.mark.parametrize(
    ("how", "wanted"),
    [
        ({"where": "DoNotCall == True"}, True),
        ({"where": "DoNotCall == 'true'"}, True),
        ({"where": "DoNotCall == ' No '"}, False),
        ({"filters": [("DoNotCall", "=", 0)]}, False),
        ({"filters": [("DoNotCall", "in", ["No", False])]}, False),
    ],
)
def test_a_boolean_filter_reads_the_leads_it_names_however_written(read, leads, how, wanted):
    frame = read("distribution", columns=["ProspectID", "DoNotCall"], **how)
    assert ids(frame) == set(leads.loc[leads["DoNotCall"] == wanted, "ProspectID"])
    assert frame["DoNotCall"].dtype == "boolean"
    assert frame["DoNotCall"].eq(wanted).all()
    values = [f.get("LookUpValue") or f.get("LookUpValues") for f in _filters(frame)]
    assert values in (["1"], ["0"], [["0", "0"]])


def test_a_word_that_is_not_boolean_is_refused_before_any_call(read, sandbox):
    before = sum(sandbox.stats()["paths"].values())
    with pytest.raises(ValueError, match="the filter on DoNotCall: 'maybe' is not a Boolean value"):
        read("distribution", "DoNotCall == 'maybe'")
    assert sum(sandbox.stats()["paths"].values()) - before <= 1  # the lead fields, if not cached


def _filters(frame):
    return frame.attrs["leadsq"]["body"]["ReportFilter"]["LeadFilters"]
