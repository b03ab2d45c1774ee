"""Keys never appear in exceptions, warnings, logs, reprs, provenance or progress bars."""

from __future__ import annotations

import logging
import warnings

import pytest

import leadsq
from leadsq.client.client import connection_for
from leadsq.client.transport import transport_for

ACCESS = "u$rSECRETACCESS0123456789"
SECRET = "SECRETKEYdeadbeef0123456789"


def assert_clean(text: str) -> None:
    assert ACCESS not in text
    assert SECRET not in text
    assert "SECRETACCESS" not in text  # nor percent-encoded ("u%24r...")


@pytest.fixture(params=["auto", "headers", "query"])
def auth(request, fresh_settings) -> str:
    leadsq.configure(auth=request.param, max_retries=0, rate_limit=(10_000, 1))
    return request.param


def test_a_refused_key_leaves_no_trace_in_errors_or_logs(sandbox, auth, caplog, capsys):
    caplog.set_level(logging.DEBUG)
    with (
        warnings.catch_warnings(record=True) as caught_warnings,
        pytest.raises(leadsq.AuthenticationError) as caught,
    ):
        warnings.simplefilter("always")
        leadsq.read_leadsquared(
            "distribution", host=sandbox.url, access_key=ACCESS, secret_key=SECRET
        )
    assert caplog.records, "debug logging should have recorded the calls"
    streams = capsys.readouterr()
    for text in (
        str(caught.value),
        repr(caught.value),
        caught.value.exception_message or "",
        caplog.text,
        streams.out,
        streams.err,
        *(str(w.message) for w in caught_warnings),
    ):
        assert_clean(text)


def test_the_sandbox_keys_stay_out_of_a_whole_read(sandbox, auth, caplog, capsys):
    caplog.set_level(logging.DEBUG)
    frame = leadsq.read_leadsquared(
        "distribution",
        "Score >= 50",
        host=sandbox.url,
        access_key=sandbox.access_key,
        secret_key=sandbox.secret_key,
        progress=True,
    )
    streams = capsys.readouterr()
    for text in (caplog.text, streams.out, streams.err, repr(frame.attrs), repr(frame)):
        assert sandbox.access_key not in text
        assert sandbox.secret_key not in text
    assert "distribution" in streams.err, "the progress bar should have been drawn"


def test_reprs_of_settings_connection_transport_and_sandbox_hide_keys(sandbox, fresh_settings):
    leadsq.configure(access_key=ACCESS, secret_key=SECRET)
    connection = connection_for(host=sandbox.url)
    assert connection.access_key == ACCESS
    for text in (
        repr(leadsq.settings),
        repr(connection),
        repr(transport_for(connection)),
    ):
        assert_clean(text)
    assert sandbox.secret_key not in repr(sandbox)
    assert sandbox.secret_key not in repr(sandbox.settings)


def test_a_key_shorter_than_eight_characters_is_refused(fresh_settings) -> None:
    for keys in (
        {"access_key": "x", "secret_key": SECRET},
        {"access_key": ACCESS, "secret_key": "x1"},
    ):
        with pytest.raises(leadsq.ConfigurationError) as caught:
            connection_for(host="https://127.0.0.1:9", **keys)
        name = "access_key" if keys["access_key"] == "x" else "secret_key"
        assert str(caught.value) == (
            f"{name}: shorter than 8 characters, so not a LeadSquared key; copy the whole key "
            "from Settings > API and Webhooks"
        )


def test_keys_are_masked_as_whole_keys_only(fresh_settings) -> None:
    connection = connection_for(
        host="https://127.0.0.1:9", access_key="Mx-12345", secret_key=SECRET
    )
    redact = transport_for(connection).redact
    assert redact("max retries for Mx-12345; 'Mx-12345' again") == (
        "max retries for ***; '***' again"
    )
    assert redact("xMx-12345y stays: it is another word") == "xMx-12345y stays: it is another word"
    assert redact(f"accessKey=anything&secretKey={SECRET}") == "accessKey=***&secretKey=***"
