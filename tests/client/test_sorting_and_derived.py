"""A sorted body reads exactly in its order; derived IncludeCSV columns come typed."""

from __future__ import annotations

import pandas as pd
import pytest

from leadsq.contract import DERIVED_COLUMNS
from leadsq.frames import DTYPES

SORTED_BODY = {
    "ReportFilter": {
        "LeadFilters": [{"LookUpName": "Source", "SqlOperator": "=", "LookUpValue": "Website"}]
    },
    "Output": {"Type": "List", "IncludeCSV": "ProspectAutoId,ProspectID,EngagementScore"},
    "Paging": {"PageIndex": 1, "PageSize": 37},
    "Sorting": {"ColumnName": "EngagementScore", "Direction": "1"},
}


@pytest.mark.parametrize("response_format", ["json", "csv"])
def test_a_sorted_body_reads_every_row_once_in_its_order(read, leads, response_format):
    frame = read("distribution", body=SORTED_BODY, response_format=response_format)
    website = leads[leads["Source"] == "Website"]
    expected = website.sort_values(
        ["EngagementScore", "ProspectAutoId"], ascending=[False, True], na_position="last"
    )
    assert frame["ProspectID"].tolist() == expected["ProspectID"].tolist()
    assert frame["ProspectID"].is_unique and len(frame) > 2 * 37  # several pages


def test_the_code_of_a_sorted_read_is_its_body_and_runs_again(read):
    frame = read("distribution", body=SORTED_BODY)
    assert '"Sorting": {"ColumnName": "EngagementScore", "Direction": "1"}' in frame.lsq.code
    pd.testing.assert_frame_equal(frame.lsq.refresh(), frame)


def test_derived_columns_come_typed_as_the_contract_says(read, leads, users):
    columns = ["ProspectID", "OwnerId", *DERIVED_COLUMNS]
    frame = read("distribution", columns=columns, created=("2026-09-01", "2026-10-31"))
    assert len(frame) > 0
    for name, data_type in DERIVED_COLUMNS.items():
        assert str(frame[name].dtype) == DTYPES[data_type], name
    id_column = "UserID" if "UserID" in users.columns else "ID"
    names = users.set_index(id_column)
    expected = (names["FirstName"] + " " + names["LastName"]).reindex(frame["OwnerId"])
    assert frame["OwnerIdName"].tolist() == expected.tolist()
