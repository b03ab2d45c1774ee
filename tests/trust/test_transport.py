"""Transport under hostile servers (issue 18): keys stay with their origin, time and
memory are bounded per call, a 200 that is not the answer asked is retried, and a wait
the retry budget cannot cover is not waited."""

from __future__ import annotations

import shutil
import subprocess
import time
from typing import Any

import pytest
from werkzeug.utils import redirect
from werkzeug.wrappers import Request, Response

import leadsq
from leadsq.contract import RATE_LIMIT_EXCEEDED, rate_limit_message
from leadsq.sandbox import Sandbox
from tests.conftest import connect
from tests.trust.conftest import LEADS
from tests.trust.servers import endless, gzip_bomb, hostile, recording, trickle


def read(box: Sandbox, url: str, **arguments: Any):
    query = {"columns": ["ProspectID", "ProspectAutoId"], "page_size": 500, **arguments}
    return leadsq.read_leadsquared("distribution", **{**connect(box), "host": url, **query})


@pytest.mark.parametrize("auth", ["headers", "query"])
def test_a_redirect_to_another_host_is_refused_and_the_keys_stay_home(box, auth):
    leadsq.configure(auth=auth)
    with recording() as (elsewhere, recorded):

        def away(request: Request, number: int) -> Response:
            return redirect(elsewhere.replace("127.0.0.1", "localhost") + request.full_path, 307)

        with hostile(box, away) as url, pytest.raises(leadsq.APIError) as caught:
            read(box, url)

    message = str(caught.value)
    assert "a redirect to another host" in message and "Not followed" in message
    assert recorded.requests == []
    assert box.secret_key not in message and box.access_key not in message


@pytest.fixture
def certificate(tmp_path, monkeypatch) -> tuple[str, str]:
    """A self-signed certificate for 127.0.0.1 that the client trusts (openssl makes it)."""
    if shutil.which("openssl") is None:
        pytest.skip("openssl is needed to make a certificate")
    cert, key = str(tmp_path / "cert.pem"), str(tmp_path / "key.pem")
    command = "openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=127.0.0.1"
    subprocess.run(
        [*command.split(), "-keyout", key, "-out", cert, "-addext", "subjectAltName=IP:127.0.0.1"],
        check=True,
        capture_output=True,
    )
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", cert)
    return cert, key


@pytest.mark.parametrize("auth", ["headers", "query"])
def test_https_never_redirects_down_to_http(box, certificate, auth):
    leadsq.configure(auth=auth)
    with recording() as (plain, recorded):

        def down(request: Request, number: int) -> Response:
            return redirect(plain + request.full_path, 308)

        with hostile(box, down, tls=certificate) as url, pytest.raises(leadsq.APIError) as caught:
            read(box, url)

    assert url.startswith("https://")
    assert "a redirect from https to plain http" in str(caught.value)
    assert recorded.requests == []


def test_a_redirect_within_the_origin_is_followed(box):
    def once(request: Request, number: int) -> Response | None:
        return redirect(request.full_path, 307) if number == 1 else None

    with hostile(box, once) as url:
        frame = read(box, url)

    assert frame.ProspectAutoId.tolist() == list(range(1, LEADS + 1))


def test_a_trickling_answer_ends_at_the_call_deadline(box):
    leadsq.configure(call_deadline=1.0)
    body = b'{"TotalCount": "0", "Results": []}'
    with (
        hostile(box, lambda request, number: trickle(body, 0.3)) as url,
        pytest.raises(leadsq.TransportError, match=r"deadline of 1 s \(call_deadline\)"),
    ):
        read(box, url)


def test_a_gzip_bomb_is_dropped_at_the_answer_cap(box):
    leadsq.configure(max_answer_bytes=1 << 20)
    with (
        hostile(box, lambda request, number: gzip_bomb(50)) as url,
        pytest.raises(leadsq.APIError, match=r"passed 1048576 bytes \(decompressed\)"),
    ):
        read(box, url)


def test_an_endless_answer_is_dropped_at_the_answer_cap(box):
    leadsq.configure(max_answer_bytes=1 << 20)
    with (
        hostile(box, lambda request, number: endless()) as url,
        pytest.raises(leadsq.APIError, match="max_answer_bytes"),
    ):
        read(box, url)


def test_a_proxy_page_with_status_200_is_retried(box):
    leadsq.configure(max_retries=2)
    page = "<html><body>Gateway is warming up</body></html>"

    def proxy(request: Request, number: int) -> Response | None:
        return Response(page, content_type="text/html") if number == 1 else None

    with hostile(box, proxy) as url:
        frame = read(box, url, page_size=LEADS)

    assert frame.ProspectAutoId.tolist() == list(range(1, LEADS + 1))


def test_a_proxy_page_is_a_transport_error_naming_what_came(box):
    def proxy(request: Request, number: int) -> Response:
        return Response("<html>Gateway</html>", content_type="text/html")

    with hostile(box, proxy) as url, pytest.raises(leadsq.TransportError) as caught:
        read(box, url)

    assert "answered 200 with text/html" in str(caught.value)
    assert "not JSON (a proxy's page?)" in str(caught.value)


def test_a_retry_after_past_the_retry_budget_is_not_waited(box):
    leadsq.configure(max_retries=3, max_retry_seconds=10)
    body = (
        f'{{"Status": "Error", "ExceptionType": "{RATE_LIMIT_EXCEEDED}", '
        f'"ExceptionMessage": "{rate_limit_message(25, 5)}"}}'
    )

    def limited(request: Request, number: int) -> Response:
        return Response(
            body, status=429, content_type="application/json", headers={"Retry-After": "3600"}
        )

    with hostile(box, limited) as url, pytest.raises(leadsq.RateLimitError) as caught:
        read(box, url)

    message = str(caught.value)
    assert "asked to wait 3600 s" in message and "not waited; try again after" in message


def test_a_read_past_its_deadline_stops_with_the_rows_it_had(box):
    leadsq.configure(read_deadline=1.5, workers=1, max_retries=3)

    def slow(request: Request, number: int) -> None:
        if number > 1:
            time.sleep(0.5)

    with hostile(box, slow) as url, pytest.raises(leadsq.TransportError) as caught:
        read(box, url, page_size=100)

    assert "deadline" in str(caught.value)
    assert 100 <= caught.value.rows_received < LEADS
