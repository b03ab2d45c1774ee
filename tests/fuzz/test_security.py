"""The sandbox's own security: keys compared in constant time and refused when nearly
right, loopback by default, and no key in its request log, however the request looks.

(A well-formed request with the keys in the query string is covered by
``tests/sandbox/test_server.py``; here are the odd ones.)
"""

from __future__ import annotations

import inspect
import logging
import re
import socket
from collections.abc import Callable, Iterator

import pytest
import requests

from leadsq.contract import METADATA_PATHS
from leadsq.sandbox import Sandbox
from leadsq.sandbox.cli import build_parser, settings_from_args
from leadsq.sandbox.gate import Gate
from tests.fuzz.conftest import TIMEOUT

USERS = METADATA_PATHS["users"]


def nearly(key: str) -> list[str]:
    """Keys that are nearly ``key``: the last character changed, cut, one more, case."""
    last = "x" if key[-1] != "x" else "y"
    return [key[:-1] + last, key[:-1], key + "x", key.upper(), "x" + key[1:], key + "é"]


# ------------------------------------------------------------------ constant time


def test_the_keys_are_compared_with_hmac_compare_digest() -> None:
    source = inspect.getsource(Gate.authenticate)

    assert source.count("hmac.compare_digest(") == 2
    assert "== self._access" not in source
    assert "== self._secret" not in source


@pytest.mark.parametrize("which", ["access", "secret"])
@pytest.mark.parametrize("where", ["query", "header"])
def test_a_key_that_is_nearly_right_is_a_401(fuzz_sandbox: Sandbox, which: str, where: str) -> None:
    right = {"access": fuzz_sandbox.access_key, "secret": fuzz_sandbox.secret_key}
    for wrong in nearly(right[which]):
        keys = {**right, which: wrong}
        if where == "query":
            kwargs: dict = {"params": {"accessKey": keys["access"], "secretKey": keys["secret"]}}
        else:
            headers = {"x-LSQ-AccessKey": keys["access"], "x-LSQ-SecretKey": keys["secret"]}
            kwargs = {"headers": {k: v.encode() for k, v in headers.items()}}

        response = requests.get(fuzz_sandbox.url + USERS, timeout=TIMEOUT, **kwargs)

        assert response.status_code == 401, wrong
        assert response.json()["ExceptionType"] == "MXUnAuthorizedAccessException"


def test_the_right_keys_in_headers_are_let_in(fuzz_sandbox: Sandbox) -> None:
    headers = {
        "x-LSQ-AccessKey": fuzz_sandbox.access_key,
        "x-LSQ-SecretKey": fuzz_sandbox.secret_key,
    }

    assert requests.get(fuzz_sandbox.url + USERS, headers=headers, timeout=TIMEOUT).ok


# ------------------------------------------------------------------ loopback


def test_the_sandbox_listens_on_loopback_by_default() -> None:
    assert Sandbox().settings.host == "127.0.0.1"
    assert settings_from_args(build_parser().parse_args([])).host == "127.0.0.1"

    with Sandbox(leads=10, seed=1, anchor="2026-11-01") as box:
        bound = box._server.socket.getsockname()  # the socket itself, not the settings

    assert bound[0] == "127.0.0.1"


# ------------------------------------------------------------------ the request log


@pytest.fixture
def log(caplog: pytest.LogCaptureFixture) -> Iterator[Callable[[], list[str]]]:
    """The sandbox's log lines so far (DEBUG included), as a function to call."""
    with caplog.at_level(logging.DEBUG, logger="leadsq.sandbox"):
        yield lambda: [record.getMessage() for record in caplog.records]


def raw(box: Sandbox, head: str) -> bytes:
    """Send ``head`` as is; the start of the answer."""
    with socket.create_connection(("127.0.0.1", box.port), timeout=TIMEOUT) as connection:
        connection.sendall(head.encode("latin-1"))
        return connection.recv(4096)


def assert_no_key(box: Sandbox, lines: list[str], *, wrong: str = "") -> None:
    assert any("127.0.0.1" in line for line in lines)  # the requests were logged
    for line in lines:
        for key in (box.access_key, box.secret_key, wrong):
            assert not key or key not in line, line


def test_a_query_value_with_a_quote_does_not_let_the_keys_into_the_log(
    fuzz_sandbox: Sandbox, log: Callable[[], list[str]]
) -> None:
    # the log line once ended the query string at the first '"', and went on to the keys
    params = {"q": 'say "hi"', "accessKey": fuzz_sandbox.access_key}
    params["secretKey"] = fuzz_sandbox.secret_key

    assert requests.get(fuzz_sandbox.url + USERS, params=params, timeout=TIMEOUT).ok

    assert_no_key(fuzz_sandbox, log())


@pytest.mark.parametrize(
    "line",
    [
        "GET {path}?accessKey={access}&secretKey={secret} HTTP/1.1 extra",
        "GET {path}?x=1 accessKey={access}&secretKey={secret} HTTP/1.1",
        'GET {path}?"accessKey={access}&secretKey={secret} HTTP/1.1',
        "GET {path}?accessKey={access}&secretKey={secret} HTTP/9.9",
        "GET {path}?accessKey={access}&secretKey={secret}&pad={padding} HTTP/1.1",
    ],
    ids=["extra word", "space in query", "quote", "bad version", "too long"],
)
def test_a_malformed_request_line_with_keys_is_logged_without_them(
    fuzz_sandbox: Sandbox, log: Callable[[], list[str]], line: str
) -> None:
    request_line = line.format(
        path=USERS,
        access=fuzz_sandbox.access_key,
        secret=fuzz_sandbox.secret_key,
        padding="a" * 70_000,
    )

    answer = raw(fuzz_sandbox, request_line + "\r\nHost: x\r\n\r\n")

    status = re.search(rb"^HTTP/1\.[01] (\d{3})|Error code: (\d{3})", answer)
    assert status is not None, answer
    assert int(status[1] or status[2]) in (400, 401, 414, 505), answer  # refused, no 500
    assert_no_key(fuzz_sandbox, log())


def test_keys_in_headers_and_wrong_keys_stay_out_of_the_log(
    fuzz_sandbox: Sandbox, log: Callable[[], list[str]]
) -> None:
    wrong = "not-the-secret-" + "z" * 20
    headers = {"x-LSQ-AccessKey": fuzz_sandbox.access_key, "x-LSQ-SecretKey": wrong}

    response = requests.get(fuzz_sandbox.url + USERS, headers=headers, timeout=TIMEOUT)
    raw(fuzz_sandbox, f"GET {USERS} HTTP/1.1\r\nx-LSQ-SecretKey: {wrong}\r\nbroken header\r\n\r\n")

    assert response.status_code == 401
    assert_no_key(fuzz_sandbox, log(), wrong=wrong)


def test_a_control_character_in_the_path_cannot_forge_a_log_line(
    fuzz_sandbox: Sandbox, log: Callable[[], list[str]]
) -> None:
    raw(fuzz_sandbox, "GET /x\x1b[2K\x1b[1Aforged HTTP/1.1\r\nHost: x\r\n\r\n")

    request_lines = [line for line in log() if '"GET /x' in line]
    assert request_lines
    assert all("\x1b" not in line for line in request_lines)
