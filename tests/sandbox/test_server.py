"""The server as a whole: routes, concurrency, latency and what it logs."""

from __future__ import annotations

import gc
import logging
import pkgutil
import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from leadsq.contract import ENDPOINT_PATHS, METADATA_PATHS
from leadsq.sandbox import Sandbox
from leadsq.sandbox.routing import routes
from leadsq.sandbox.runtime import frozen_heap
from tests.sandbox.helpers import Api, list_body, small_sandbox


def test_routes_list_every_documented_path() -> None:
    listed = {(route.method, route.path) for route in routes()}

    expected = {("POST", path) for paths in ENDPOINT_PATHS.values() for path in paths}
    expected |= {("GET", path) for path in METADATA_PATHS.values()}
    assert listed == expected
    assert [route.alias for route in routes() if route.name == "not_contacted"] == [
        False,
        True,
        True,
        True,
    ]


def test_one_not_contacted_path_is_listed_alone_and_not_as_an_alias() -> None:
    path = ENDPOINT_PATHS["not_contacted"][2]

    listed = [(route.path, route.alias) for route in routes(path) if route.name == "not_contacted"]

    assert listed == [(path, False)]


def test_concurrent_calls_get_consistent_answers(api: Api) -> None:
    bodies = [
        list_body(LeadFilters=[{"LookUpName": "Score", "SqlOperator": ">", "LookUpValue": str(n)}])
        for n in range(0, 160, 10)
    ]
    alone = [api.answer(body)["TotalCount"] for body in bodies]

    with ThreadPoolExecutor(max_workers=8) as pool:
        together = list(pool.map(lambda body: api.answer(body)["TotalCount"], bodies * 4))

    assert together == alone * 4


def test_an_answer_leaves_no_sooner_than_the_latency_after_its_call() -> None:
    for box in small_sandbox(latency=0.05, jitter=0.05):
        started = time.monotonic()
        assert Api(box).get("users").status_code == 200
        assert time.monotonic() - started >= 0.05


def test_no_log_record_carries_a_key(sandbox: Sandbox, caplog: pytest.LogCaptureFixture) -> None:
    api = Api(sandbox)
    with caplog.at_level(logging.DEBUG):
        api.post(list_body(("ProspectID",)))
        api.post(b"{broken")
        api.get("users", params={**api.keys, "other": "x"})
        api.get("/nowhere")

    assert any("Users.Get" in record.getMessage() for record in caplog.records)
    for record in caplog.records:
        if record.name.startswith("urllib3"):
            continue  # this test's own plain requests client, not the sandbox (nor leadsq's)
        text = record.getMessage()
        assert sandbox.secret_key not in text
        assert sandbox.access_key not in text


def test_the_package_exports_a_sorted_all_of_its_public_names() -> None:
    import leadsq.sandbox as package

    public = {name for name in dir(package) if not name.startswith("_")}
    modules = {module.name for module in pkgutil.iter_modules(package.__path__)}

    def isort_style(name: str) -> tuple[int, str]:  # constants, classes, then functions
        return (0 if name.isupper() else 1 if name[0].isupper() else 2, name)

    assert package.__all__ == sorted(package.__all__, key=isort_style)
    assert set(package.__all__) == public - modules


def test_a_serving_process_keeps_its_startup_objects_out_of_full_collections() -> None:
    survivor = [object() for _ in range(10)]
    with frozen_heap():
        assert gc.get_freeze_count() > len(survivor)
    assert gc.get_freeze_count() == 0, "frozen objects are collectable again afterwards"
