"""Helpers of the sandbox tests: plain HTTP calls and pandas expectations.

Expectations are computed with pandas over the raw generated tables, never with the SQL
that answers the requests.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd
import requests

from leadsq.contract import ENDPOINT_PATHS, INPUT_ERROR_TYPES, INVALID_INPUT, METADATA_PATHS
from leadsq.sandbox import Sandbox

DATE_FORMAT = "%Y-%m-%d %H:%M:%S"
TEXT_TYPES = {"Text", "Email", "Phone", "Website", "Select", "Time"}


@dataclass
class Api:
    """Plain ``requests`` calls to one sandbox."""

    sandbox: Sandbox

    @property
    def keys(self) -> dict[str, str]:
        return {"accessKey": self.sandbox.access_key, "secretKey": self.sandbox.secret_key}

    def post(
        self,
        body: Any,
        endpoint: str = "distribution",
        *,
        params: dict[str, str] | None = None,
        **kwargs: Any,
    ) -> requests.Response:
        query = self.keys if params is None else params
        path = ENDPOINT_PATHS[endpoint][0] if endpoint in ENDPOINT_PATHS else endpoint
        if isinstance(body, (bytes, str)):
            kwargs.setdefault("data", body)
        else:
            kwargs.setdefault("json", body)
        return requests.post(self.sandbox.url + path, params=query, timeout=30, **kwargs)

    def get(self, name: str, **kwargs: Any) -> requests.Response:
        kwargs.setdefault("params", self.keys)
        path = METADATA_PATHS.get(name, name)
        return requests.get(self.sandbox.url + path, timeout=30, **kwargs)

    def answer(self, body: Any, endpoint: str = "distribution") -> dict[str, Any]:
        """A 200 JSON answer (fails the test otherwise)."""
        response = self.post(body, endpoint)
        assert response.status_code == 200, response.text
        return response.json()

    def rows(self, body: dict[str, Any], endpoint: str = "distribution") -> list[dict]:
        """Every row of a report, paging with the largest page."""
        body = {**body, "Paging": {"PageIndex": 1, "PageSize": 5000}}
        result: list[dict] = []
        while True:
            page = self.answer(body, endpoint)["Results"]
            result.extend(page)
            if len(page) < 5000:
                return result
            body["Paging"]["PageIndex"] += 1


def refusal(response: requests.Response) -> str:
    """The message of a refused report, checked to be answered as the real service does by
    default: 400 ``MXInvalidInputException`` for a body out of the documented structure,
    500 with an input-error type for any other input error."""
    body = response.json()
    assert set(body) == {"Status", "ExceptionType", "ExceptionMessage"}, body
    assert body["ExceptionType"] in INPUT_ERROR_TYPES, body
    if response.status_code == 400:
        assert body["ExceptionType"] == INVALID_INPUT, body
    else:
        assert response.status_code == 500, response.text
    return body["ExceptionMessage"]


def small_sandbox(**options: Any) -> Iterator[Sandbox]:
    """A small, separate sandbox for tests that change settings (limits, faults, churn)."""
    options = {"leads": 300, "seed": 11, "anchor": "2026-11-01", "rate_limit": None, **options}
    with Sandbox(**options) as box:
        yield box


def list_body(columns: Sequence[str] = ("ProspectAutoId",), **report_filter: Any) -> dict:
    """A List body over ``columns`` with optional ReportFilter parts and DateFilter."""
    body: dict[str, Any] = {
        "Output": {"Type": "List", "IncludeCSV": ",".join(columns)},
        "Paging": {"PageIndex": 1, "PageSize": 5000},
    }
    dates = report_filter.pop("DateFilter", None)
    if dates is not None:
        body["DateFilter"] = dates
    if report_filter:
        body["ReportFilter"] = report_filter
    return body


def lead_mask(
    leads: pd.DataFrame, data_type: str, field: str, op: str, value: Any = None
) -> pd.Series:
    """Which leads pass ``field op value``, by the contract's words (section 2)."""
    series = leads[field]
    if op in ("ndef", "<>", "nlik"):
        positive = {"ndef": "def", "<>": "=", "nlik": "lik"}[op]
        return ~lead_mask(leads, data_type, field, positive, value)
    if data_type in TEXT_TYPES:
        has_value = series.notna() & (series != "")
        lower = series.str.lower()
        if op == "def":
            return has_value.fillna(False).astype(bool)
        if op == "lik":
            return lower.str.contains(value.lower(), regex=False).fillna(False).astype(bool)
        if op == "in":
            return lower.isin([v.lower() for v in value]).fillna(False).astype(bool)
        compare = {"=": "__eq__", ">": "__gt__", "<": "__lt__", ">=": "__ge__", "<=": "__le__"}
        return getattr(lower, compare[op])(value.lower()).fillna(False).astype(bool)
    if op == "def":
        return series.notna()
    if data_type == "Number":
        series = series.astype("float64")

        def convert(v: str) -> Any:
            return float(v)
    elif data_type == "Date":

        def convert(v: str) -> Any:
            return pd.Timestamp(v)
    else:  # Boolean
        series = series.astype("boolean")

        def convert(v: str) -> Any:
            return v.strip() == "1"

    if op == "in":
        return series.isin([convert(v) for v in value]).fillna(False).astype(bool)
    compare = {"=": "__eq__", ">": "__gt__", "<": "__lt__", ">=": "__ge__", "<=": "__le__"}
    return getattr(series, compare[op])(convert(value)).fillna(False).astype(bool)


def auto_ids(rows: list[dict]) -> list[int]:
    return [int(row["ProspectAutoId"]) for row in rows]


def expected_ids(leads: pd.DataFrame, mask: pd.Series) -> list[int]:
    return sorted(int(i) for i in leads.loc[mask, "ProspectAutoId"])


def fmt(value: Any, milliseconds: bool = True) -> str | None:
    """A pandas date as the API writes it: with milliseconds (``subsecond_times``, the
    default) or without."""
    if pd.isna(value):
        return None
    text = pd.Timestamp(value).strftime(DATE_FORMAT)
    return f"{text}.{pd.Timestamp(value).microsecond // 1000:03d}" if milliseconds else text
