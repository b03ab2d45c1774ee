"""CSV answers: header, RFC 4180 quoting, empty fields for nulls, the documented headers."""

from __future__ import annotations

import csv
import io

import pandas as pd

from tests.sandbox.helpers import Api, list_body

COLUMNS = ("ProspectAutoId", "mx_Remarks", "Company", "mx_Interest_Rate", "CreatedOn", "DoNotCall")


def csv_post(api: Api, body: dict, endpoint: str = "distribution", fmt: str = "CSV"):
    return api.post(body, endpoint, params={**api.keys, "responseformat": fmt})


def test_csv_has_the_documented_headers(api: Api) -> None:
    response = csv_post(api, list_body(COLUMNS))

    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/csv")
    assert response.headers["Content-Disposition"].startswith("attachment")


def test_csv_rows_are_the_json_rows_with_empty_fields_for_null(api: Api) -> None:
    body = list_body(COLUMNS)
    json_rows = api.answer(body)["Results"]

    text = csv_post(api, body).content.decode("utf-8")

    reader = csv.reader(io.StringIO(text, newline=""))
    header, *rows = list(reader)
    assert header == list(COLUMNS)
    assert rows == [["" if v is None else str(v) for v in row.values()] for row in json_rows]


def test_csv_quotes_commas_quotes_and_newlines(api: Api, leads: pd.DataFrame) -> None:
    body = list_body(("ProspectAutoId", "mx_Remarks"))
    body["ReportFilter"] = {
        "LeadFilters": [{"LookUpName": "mx_Remarks", "SqlOperator": "lik", "LookUpValue": "now"}]
    }

    text = csv_post(api, body).content.decode("utf-8")

    assert '"Said ""not now"", try next quarter"\r\n' in text
    lines = text.split("\r\n")
    assert lines[0] == "ProspectAutoId,mx_Remarks"
    multiline = list_body(("mx_Remarks",))
    multiline["ReportFilter"] = {
        "LeadFilters": [{"LookUpName": "mx_Remarks", "SqlOperator": "lik", "LookUpValue": "\n"}]
    }
    assert (
        '"Visited the branch;\nneeds the document checklist"\r\n' in csv_post(api, multiline).text
    )


def test_an_empty_csv_answer_still_has_its_header(api: Api) -> None:
    body = list_body(("ProspectID", "Score"))
    body["ReportFilter"] = {
        "LeadFilters": [{"LookUpName": "Score", "SqlOperator": "<", "LookUpValue": "-1"}]
    }

    response = csv_post(api, body, fmt="csv")

    assert response.status_code == 200
    assert response.text == "ProspectID,Score\r\n"


def test_an_aggregate_can_be_csv(api: Api) -> None:
    body = {
        "Output": {
            "Type": "Aggregate",
            "GroupBy": "ProspectStage",
            "AggregateFunction": "Average",
            "AggregateField": "Score",
        },
        "Paging": {"PageIndex": 1, "PageSize": 50},
    }
    json_rows = api.answer(body)["Results"]

    rows = list(csv.DictReader(io.StringIO(csv_post(api, body, "not_contacted").text)))

    assert list(rows[0]) == ["ProspectStage", "Count", "Average_Score"]
    assert len(json_rows) == 5


def test_the_response_format_name_and_value_are_case_insensitive(api: Api) -> None:
    params = {
        "ACCESSKEY": api.keys["accessKey"],
        "SecretKey": api.keys["secretKey"],
        "ResponseFormat": "Csv",
    }

    response = api.post(list_body(("ProspectID",)), params=params)

    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/csv")


def test_an_unknown_response_format_is_a_400(api: Api) -> None:
    response = csv_post(api, list_body(), fmt="xml")

    assert response.status_code == 400
    assert "responseformat" in response.json()["ExceptionMessage"]
