"""The sandbox's answers as werkzeug responses: JSON, the error body, CSV pages.

One place writes each kind of answer, so the server and its gate
(:mod:`~leadsq.sandbox.gate`) answer in the same shape.
"""

from __future__ import annotations

import csv
import io
import json
from typing import Any

from werkzeug.wrappers import Response

from leadsq.contract import ContractError, error_body

__all__ = [
    "JSON_CONTENT_TYPE",
    "contract_error_response",
    "csv_response",
    "error_response",
    "json_response",
]

JSON_CONTENT_TYPE = "application/json; charset=utf-8"


def json_response(status: int, payload: Any, headers: dict[str, str] | None = None) -> Response:
    """``payload`` as compact UTF-8 JSON."""
    try:
        body = json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate echoed from the request: escape it
        body = json.dumps(payload, separators=(",", ":")).encode("ascii")
    return Response(body, status=status, headers=headers, content_type=JSON_CONTENT_TYPE)


def error_response(
    status: int,
    message: str,
    headers: dict[str, str] | None = None,
    *,
    exception_type: str | None = None,
) -> Response:
    """The error body (``Status``, ``ExceptionType``, ``ExceptionMessage``) with ``status``;
    the type is the status's own unless ``exception_type`` names another."""
    body = error_body(status, message)
    if exception_type is not None:
        body["ExceptionType"] = exception_type
    return json_response(status, body, headers)


def contract_error_response(error: ContractError, input_error_status: int) -> Response:
    """A refused request: 400 ``MXInvalidInputException`` when its body is not JSON or not
    of the documented structure, else ``input_error_status`` with the error's own type."""
    if error.structural:
        return error_response(400, error.message)
    return error_response(input_error_status, error.message, exception_type=error.exception_type)


def csv_response(columns: tuple[str, ...], rows: list[tuple[Any, ...]], name: str) -> Response:
    """A CSV attachment: a header row, then one RFC 4180 line per row (``None`` empty)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(columns)
    writer.writerows(rows)
    return Response(
        buffer.getvalue().encode("utf-8"),
        status=200,
        content_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{name}.csv"'},
    )
