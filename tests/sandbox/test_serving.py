"""The server under hostile clients: half-open and trickling connections, crowds, heavy
reports (issue 18). Every test talks to a sandbox over raw loopback sockets or HTTP."""

from __future__ import annotations

import json
import socket
import threading
from concurrent.futures import ThreadPoolExecutor

import requests

from leadsq.contract import ENDPOINT_PATHS
from leadsq.sandbox import Sandbox
from tests.sandbox.helpers import Api, list_body, small_sandbox

HALF_HEAD = b"GET /v2/UserManagement.svc/Users.Get HTTP/1.1\r\nHost: x\r\n"


def _connect(url: str) -> socket.socket:
    host, port = url.removeprefix("http://").split(":")
    return socket.create_connection((host, int(port)), timeout=10)


def _closed_by_server(connection: socket.socket) -> bool:
    """Whether the server closed ``connection`` (reading what it sent first, if anything)."""
    try:
        while data := connection.recv(65536):
            if b"HTTP/1.1 " in data:
                return True  # answered, then closed (a 4xx for a broken request)
        return True
    except TimeoutError:
        return False
    except ConnectionResetError:  # closed with our bytes unread
        return True


def test_a_connection_that_never_finishes_its_head_is_closed() -> None:
    for box in small_sandbox(header_timeout=0.5):
        with _connect(box.url) as connection:
            connection.sendall(HALF_HEAD)
            connection.settimeout(10)

            assert _closed_by_server(connection)
        assert Api(box).get("users").status_code == 200


def test_a_body_trickling_past_the_body_timeout_is_cut_off() -> None:
    for box in small_sandbox(body_timeout=0.5):
        path = ENDPOINT_PATHS["distribution"][0]
        with _connect(box.url) as connection:
            connection.sendall(
                f"POST {path} HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\n{{".encode()
            )
            connection.settimeout(10)

            assert _closed_by_server(connection)
        assert "200" not in box.stats()["answers"]


def test_a_head_over_64_kib_is_refused() -> None:
    for box in small_sandbox():
        with _connect(box.url) as connection:
            connection.sendall(HALF_HEAD + b"X-Filler: " + b"a" * 70_000)
            connection.settimeout(10)

            assert connection.recv(100).startswith(b"HTTP/1.1 431 ")


def test_idle_connections_past_the_cap_make_room_for_a_real_call() -> None:
    for box in small_sandbox(max_connections=20):
        idle = [_connect(box.url) for _ in range(20)]
        try:
            for connection in idle:
                connection.sendall(HALF_HEAD)

            answer = Api(box).get("users")

            assert answer.status_code == 200
            idle[0].settimeout(10)
            assert _closed_by_server(idle[0])  # the longest waiting made room
        finally:
            for connection in idle:
                connection.close()


def _workers(box: Sandbox) -> list[threading.Thread]:
    name = f"leadsq-sandbox-worker-{box.port}"
    return [thread for thread in threading.enumerate() if thread.name == name]


def _workers_seen(box: Sandbox, calls: int) -> tuple[list[int], set[threading.Thread]]:
    """Statuses of ``calls`` concurrent calls, and the sandbox's workers seen meanwhile."""
    api = Api(box)
    seen: set[threading.Thread] = set()

    def call(_: int) -> int:
        status = api.get("users").status_code
        seen.update(_workers(box))
        return status

    with ThreadPoolExecutor(max_workers=calls) as pool:
        statuses = list(pool.map(call, range(calls)))
    return statuses, seen


def test_calls_are_answered_by_at_most_the_workers_setting() -> None:
    for box in small_sandbox(workers=2, latency=0.3):
        statuses, seen = _workers_seen(box, 6)

        assert statuses == [200] * 6
        assert 1 <= len(seen) <= 2


def _heavy_body(filters: int) -> str:
    conditions = [
        {"LookUpName": "FirstName", "SqlOperator": "nlik", "LookUpValue": f"zq{i:05d}"}
        for i in range(filters)
    ]
    return json.dumps(list_body(("ProspectID",), LeadFilters=conditions))


def _light_and_heavy(api: Api) -> list[str]:
    """The order in which a light report and a heavy one sent just before it were answered."""
    path = ENDPOINT_PATHS["distribution"][0]
    order: list[str] = []

    def heavy() -> None:
        response = api.post(_heavy_body(1500), headers={"Content-Type": "application/json"})
        order.append(f"heavy {response.status_code}")

    thread = threading.Thread(target=heavy)
    thread.start()
    while api.sandbox.stats()["paths"].get(path, 0) < 1:  # the heavy call is being worked out
        threading.Event().wait(0.01)
    light = api.post(list_body(("ProspectID",)) | {"Paging": {"PageIndex": 1, "PageSize": 10}})
    order.append(f"light {light.status_code}")
    thread.join()
    return order


def test_a_light_report_is_not_held_behind_a_heavy_one() -> None:
    for box in small_sandbox(leads=20_000):
        assert _light_and_heavy(Api(box)) == ["light 200", "heavy 200"]


def test_a_keep_alive_client_gets_every_answer_on_fresh_connections() -> None:
    for box in small_sandbox():
        with requests.Session() as session:
            params = Api(box).keys
            statuses = [
                session.get(f"{box.url}/v2/UserManagement.svc/Users.Get", params=params).status_code
                for _ in range(5)
            ]

        assert statuses == [200] * 5
