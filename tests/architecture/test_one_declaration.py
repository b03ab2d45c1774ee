"""One declaration of a query's arguments, and of the connection's: every surface agrees."""

from __future__ import annotations

import inspect

import leadsq
from leadsq.client.connection import ConnectionArguments
from leadsq.query.arguments import QUERY_ARGUMENTS, QueryArguments
from leadsq.query.build import build_report

READING_ONLY = {  # how a read goes, not what it asks
    "max_results",
    "chunksize",
    "progress",
    "response_format",
    "cache",
    "client",
    "connection",
    "dtype_backend",
}


def _parameters(function: object) -> dict[str, inspect.Parameter]:
    return dict(inspect.signature(function).parameters)  # type: ignore[arg-type]


def test_the_reader_takes_exactly_the_declared_query_arguments() -> None:
    reader = _parameters(leadsq.read_leadsquared)
    asked = set(reader) - {"endpoint"} - READING_ONLY
    assert asked == set(QUERY_ARGUMENTS)


def test_build_report_takes_exactly_the_declared_query_arguments() -> None:
    built = set(_parameters(build_report)) - {"endpoint", "now", "zone", "fields"}
    assert built == set(QUERY_ARGUMENTS)


def test_the_declared_types_are_the_readers_and_build_reports() -> None:
    declared = {  # as written (postponed annotations)
        name: getattr(hint, "__forward_arg__", hint)
        for name, hint in QueryArguments.__annotations__.items()
    }
    for function in (leadsq.read_leadsquared, build_report):
        written = {name: p.annotation for name, p in _parameters(function).items()}
        different = {
            name: (written[name], declared[name])
            for name in QUERY_ARGUMENTS
            if written[name] != declared[name]
        }
        assert different == {}, function


def test_every_function_taking_a_connection_takes_the_declared_keywords() -> None:
    for function in (leadsq.read_leadsquared, leadsq.fields, leadsq.users, leadsq.sync):
        hints = _parameters(function)
        assert "client" in hints and hints["connection"].kind is inspect.Parameter.VAR_KEYWORD
    assert set(ConnectionArguments.__annotations__) == {
        "host",
        "access_key",
        "secret_key",
        "analytics_url",
    }
