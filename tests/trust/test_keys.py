"""Keys stay home (issue 18): checked and stripped on the way in, never in a message,
a repr, a plain local of our frames or a chained exception; a config file open to other
users is warned of."""

from __future__ import annotations

import types

import pytest

import leadsq
from leadsq.client.client import connection_for
from leadsq.sandbox import Sandbox
from tests.conftest import connect


def test_a_key_read_with_its_newline_is_stripped_and_works(box):
    keys = {"access_key": box.access_key + "\n", "secret_key": " " + box.secret_key + "\r\n"}

    frame = leadsq.read_leadsquared(
        "distribution", columns=["ProspectAutoId"], max_results=5, **{**connect(box), **keys}
    )

    assert len(frame) == 5


@pytest.mark.parametrize(
    ("inside", "kind"),
    [(" ", "whitespace"), ("\x00", "a control character"), ("é", "a non-ASCII character")],
)
def test_a_key_holding_what_no_key_holds_is_refused_without_showing_it(box, inside, kind):
    secret = f"SECRET{inside}part-of-a-real-key"
    with pytest.raises(leadsq.ConfigurationError) as caught:
        connection_for(box.url, box.access_key, secret)

    message = str(caught.value)
    assert f"secret_key holds {kind} at character 7" in message
    assert "SECRET" not in message and "part-of-a-real-key" not in message


def _chain(error: BaseException) -> list[BaseException]:
    chain = [error]
    while chain[-1].__cause__ or chain[-1].__context__:
        chain.append(chain[-1].__cause__ or chain[-1].__context__)
    return chain


def _our_locals(error: BaseException) -> list[str]:
    shown = []
    for link in _chain(error):
        trace: types.TracebackType | None = link.__traceback__
        while trace is not None:
            frame = trace.tb_frame
            if "/leadsq/" in frame.f_code.co_filename:
                shown.extend(repr(value) for value in frame.f_locals.values())
            trace = trace.tb_next
    return shown


@pytest.mark.parametrize("auth", ["headers", "query"])
def test_a_failed_read_holds_no_key_in_our_frames_or_its_chain(box: Sandbox, auth):
    leadsq.configure(auth=auth)
    wrong = "wrong-secret-of-someone"
    with pytest.raises(leadsq.AuthenticationError) as caught:
        leadsq.read_leadsquared(
            "distribution", columns=["ProspectAutoId"], **{**connect(box), "secret_key": wrong}
        )

    shown = _our_locals(caught.value)
    assert shown  # the frames were looked at
    for text in shown + [repr(link) for link in _chain(caught.value)]:
        assert wrong not in text and box.access_key not in text


def test_a_config_file_open_to_others_is_warned_of(box, tmp_path, monkeypatch):
    path = tmp_path / "config.ini"
    path.write_text(f"[leadsq]\nhost = {box.url}\naccess_key = a-key-123\nsecret_key = s-key-123\n")
    path.chmod(0o644)
    monkeypatch.setenv("LSQ_CONFIG", str(path))

    with pytest.warns(UserWarning, match=r"open to other users \(mode -rw-r--r--\).*chmod 600"):
        connection = connection_for()

    assert connection.analytics_url == box.url
    path.chmod(0o600)
    connection_for()  # no warning: warnings are errors in the tests
