"""The sandbox's OpenAPI description, and schemathesis run against it over real HTTP."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, given, settings

from leadsq.contract import ENDPOINT_PATHS, INPUT_ERROR_TYPES, METADATA_PATHS
from leadsq.sandbox import Sandbox
from leadsq.sandbox.openapi import OPENAPI_PATH
from leadsq.sandbox.routing import routes
from tests.fuzz.conftest import TIMEOUT, count

ALLOWED = {200, 400, 401, 404, 405, 413, 500}  # a 500 only for an input error (below)


def description(box: Sandbox) -> dict:
    response = requests.get(box.url + OPENAPI_PATH, timeout=TIMEOUT)
    assert response.status_code == 200
    return response.json()


def test_the_sandbox_serves_its_description_without_keys(fuzz_sandbox: Sandbox) -> None:
    document = description(fuzz_sandbox)

    assert document["openapi"].startswith("3.1")
    operations = {
        (method.upper(), path) for path, item in document["paths"].items() for method in item
    }
    assert operations == {(route.method, route.path) for route in routes()}


def test_the_description_is_valid_openapi(fuzz_sandbox: Sandbox) -> None:
    from openapi_spec_validator import validate

    validate(description(fuzz_sandbox))


def test_the_description_names_both_ways_of_passing_keys(fuzz_sandbox: Sandbox) -> None:
    document = description(fuzz_sandbox)

    schemes = document["components"]["securitySchemes"]
    assert {(s["type"], s["in"], s["name"]) for s in schemes.values()} == {
        ("apiKey", "query", "accessKey"),
        ("apiKey", "query", "secretKey"),
        ("apiKey", "header", "x-LSQ-AccessKey"),
        ("apiKey", "header", "x-LSQ-SecretKey"),
    }
    assert len(document["security"]) == 2  # the query pair or the header pair


def test_report_operations_take_a_body_and_responseformat(fuzz_sandbox: Sandbox) -> None:
    document = description(fuzz_sandbox)

    distribution = document["paths"][ENDPOINT_PATHS["distribution"][0]]["post"]
    assert [p["name"] for p in distribution["parameters"]] == ["responseformat"]
    assert set(distribution["responses"]) == {"200", "400", "401", "413", "500"}
    schemas = document["components"]["schemas"]
    assert "ActivityFilters" not in schemas["DistributionReportFilter"]["properties"]
    assert "ActivityFilters" in schemas["NotContactedReportFilter"]["properties"]
    assert set(schemas["Error"]["required"]) == {"Status", "ExceptionType", "ExceptionMessage"}


def test_an_alias_is_described_as_its_endpoint(fuzz_sandbox: Sandbox) -> None:
    paths = description(fuzz_sandbox)["paths"]
    first, *aliases = ENDPOINT_PATHS["not_contacted"]

    def same_parts(path: str) -> tuple:
        operation = paths[path]["post"]
        return operation["requestBody"], operation["responses"], operation["parameters"]

    assert aliases
    for alias in aliases:
        assert same_parts(alias) == same_parts(first)


def test_a_rate_limited_sandbox_documents_its_429() -> None:
    with Sandbox(leads=10, seed=1, anchor="2026-11-01", rate_limit=(5, 1)) as box:
        users = description(box)["paths"][METADATA_PATHS["users"]]["get"]

    assert "429" in users["responses"]


def test_other_modes_are_documented_and_valid() -> None:
    from openapi_spec_validator import validate

    with Sandbox(
        leads=10,
        seed=1,
        anchor="2026-11-01",
        rate_limit=(5, 1),
        rate_limit_status=403,
        rate_limit_body="message",
        activity_type_names="mixed",
        users_shape="legacy",
        daily_cap=100,
        header_auth=False,
    ) as box:
        document = description(box)

    validate(document)
    assert document["security"] == [{"AccessKeyQuery": [], "SecretKeyQuery": []}]
    responses = document["paths"][METADATA_PATHS["users"]]["get"]["responses"]
    assert "429" not in responses
    assert list(responses["403"]["content"]) == ["text/plain"]


def test_another_method_on_the_description_is_a_405(fuzz_sandbox: Sandbox) -> None:
    response = requests.post(fuzz_sandbox.url + OPENAPI_PATH, timeout=TIMEOUT)

    assert response.status_code == 405
    assert response.headers["Allow"] == "GET"
    assert response.json()["ExceptionType"] == "MXMethodNotAllowedException"


# ------------------------------------------------------------------ schemathesis


@pytest.fixture(scope="module")
def api_schema(fuzz_sandbox: Sandbox) -> Iterator[schemathesis.BaseSchema]:
    keys = {"api_key": fuzz_sandbox.access_key}
    secret = {"api_key": fuzz_sandbox.secret_key}
    config = schemathesis.Config.from_dict(
        {
            "generation": {"mode": "all", "deterministic": True},
            "auth": {
                "openapi": {
                    "AccessKeyQuery": keys,
                    "SecretKeyQuery": secret,
                    "AccessKeyHeader": keys,
                    "SecretKeyHeader": secret,
                }
            },
        }
    )
    yield schemathesis.openapi.from_url(fuzz_sandbox.url + OPENAPI_PATH, config=config)


# the aliases share not_contacted's description (a test above checks): fuzz it once
OPERATIONS = [
    (route.method, route.path)
    for route in routes()
    if route.path not in ENDPOINT_PATHS["not_contacted"][1:]
]

CHECKS = [
    getattr(schemathesis.checks, name)
    for name in (
        "status_code_conformance",
        "content_type_conformance",
        "response_headers_conformance",
        "response_schema_conformance",
        "ignored_auth",  # the same call without keys must be refused
        "unsupported_method",  # another method must be a 405 with Allow
    )
]


@pytest.mark.parametrize("mode", list(schemathesis.GenerationMode), ids=lambda mode: mode.value)
@pytest.mark.parametrize(("method", "path"), OPERATIONS)
def test_the_sandbox_keeps_to_its_description(
    api_schema: schemathesis.BaseSchema, method: str, path: str, mode: schemathesis.GenerationMode
) -> None:
    # hypothesis drives schemathesis' strategy directly: no pytest plugin internals involved
    operation = api_schema[path][method]

    @given(case=operation.as_strategy(generation_mode=mode))
    @settings(
        max_examples=60,
        derandomize=True,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    def keeps_to_its_description(case: schemathesis.Case) -> None:
        response = case.call(timeout=TIMEOUT)
        count("schemathesis", "sent")
        count("schemathesis", response.status_code)
        case.validate_response(response, checks=CHECKS)
        assert response.status_code in ALLOWED, response.text
        if response.status_code == 500:  # the real service's answer to an input error
            assert response.json()["ExceptionType"] in INPUT_ERROR_TYPES, response.text

    keeps_to_its_description()
