"""Host and keys come from one documented order; nothing configured names every place."""

from __future__ import annotations

import pytest

import leadsq
from leadsq.client.client import connection_for
from leadsq.client.hosts import base_url


@pytest.fixture
def clean_environment(monkeypatch, tmp_path, fresh_settings):
    for name in ("LSQ_HOST", "LSQ_ACCESS_KEY", "LSQ_SECRET_KEY", "LSQ_ANALYTICS_URL"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("LSQ_CONFIG", str(tmp_path / "config.ini"))
    return tmp_path / "config.ini"


def write_config(path, **values):
    lines = ["[leadsq]", *(f"{name} = {value}" for name, value in values.items())]
    path.write_text("\n".join(lines) + "\n")
    path.chmod(0o600)  # it holds keys: open to others, it is warned of


def test_nothing_configured_names_every_place_looked_and_the_sandbox(clean_environment):
    with pytest.raises(leadsq.ConfigurationError) as caught:
        connection_for()
    message = str(caught.value)
    for place in (
        "host=",
        "leadsq.configure",
        "LSQ_HOST",
        "LSQ_ACCESS_KEY",
        str(clean_environment),
        'host="sandbox"',
    ):
        assert place in message


def test_each_place_wins_over_the_ones_after_it(clean_environment, monkeypatch):
    """A client resolves its connection once, on first use: each step makes a new one."""
    write_config(clean_environment, host="in21", access_key="file-access", secret_key="file-secret")
    assert leadsq.Client().connection.api_url == "https://api-in21.leadsquared.com"
    monkeypatch.setenv("LSQ_HOST", "us11")
    monkeypatch.setenv("LSQ_ACCESS_KEY", "env-access")
    connection = leadsq.Client().connection
    assert (connection.api_url, connection.access_key, connection.secret_key) == (
        "https://api-us11.leadsquared.com",
        "env-access",
        "file-secret",
    )
    leadsq.configure(host="ca12", secret_key="settings-s")
    connection = leadsq.Client().connection
    assert (connection.api_url, connection.secret_key) == (
        "https://api-ca12.leadsquared.com",
        "settings-s",
    )
    connection = leadsq.Client(
        host="https://example.test/base/", secret_key="arg-secret"
    ).connection
    assert (connection.api_url, connection.secret_key) == (
        "https://example.test/base",
        "arg-secret",
    )


def test_the_analytics_base_is_configured_apart_from_the_api_base(clean_environment, monkeypatch):
    monkeypatch.setenv("LSQ_ANALYTICS_URL", "analyticsapi-in21.leadsquared.com")
    connection = connection_for(host="in21", access_key="access-key", secret_key="secret-key")
    assert connection.api_url == "https://api-in21.leadsquared.com"
    assert connection.analytics_url == "https://analyticsapi-in21.leadsquared.com"


@pytest.mark.parametrize(
    ("host", "url"),
    [
        ("us11", "https://api-us11.leadsquared.com"),
        ("SG", "https://api.leadsquared.com"),
        ("api-ir31.leadsquared.com", "https://api-ir31.leadsquared.com"),
        ("http://127.0.0.1:8765/", "http://127.0.0.1:8765"),
    ],
)
def test_a_host_is_a_region_code_a_host_name_or_a_base_url(host, url):
    assert base_url(host) == url


@pytest.mark.parametrize("host", ["ftp://x", "not a host", "https://", "zz99!"])
def test_a_host_of_no_known_form_is_refused_clearly(host):
    with pytest.raises(leadsq.ConfigurationError, match="host"):
        base_url(host)


def test_a_region_code_typo_gets_its_close_match():
    with pytest.raises(leadsq.ConfigurationError) as caught:
        base_url("us1")
    assert str(caught.value) == (
        "host 'us1' is not a region code (sg, us11, in21, in22, ir31, ca12, me61) "
        "(did you mean us11?)"
    )
    assert base_url("localhost") == "https://localhost"  # a name far from every region


def test_host_sandbox_reads_from_a_process_wide_sandbox(clean_environment, fresh_settings):
    leadsq.configure(rate_limit=(10_000, 1))
    first = leadsq.read_leadsquared(
        "distribution", host="sandbox", group_by="ProspectStage", progress=False
    )
    again = connection_for(host="sandbox")
    assert first.attrs["leadsq"]["host"] == again.analytics_url
    assert first.Count.sum() > 0


def test_unknown_settings_are_refused(fresh_settings):
    with pytest.raises(leadsq.ConfigurationError, match="rate_limt"):
        leadsq.configure(rate_limt=(1, 1))
    with pytest.raises(leadsq.ConfigurationError, match="rate_limit"):
        leadsq.configure(rate_limit=(0, 5))


@pytest.mark.parametrize(
    "bad",
    [
        {"rate_limit": "x"},
        {"rate_limit": 5},
        {"max_retries": "3"},
        {"rate_limit_margin": "x"},
        {"paths": 1},
        {"paths": {"distribution": 5}},
        {"timeout": "x"},
        {"timeout": (0, 0)},
        {"backoff": (-1, -1)},
        {"backoff": (5, 1)},
        {"max_retry_seconds": -5},
        {"repair_drift": "no"},
        {"input_error_types": "MXInvalidInputException"},
        {"discovery_host": None},
    ],
    ids=repr,
)
def test_every_setting_is_checked_when_given(bad) -> None:
    (name,) = bad
    with pytest.raises(leadsq.ConfigurationError, match=f"^{name} must be"):
        leadsq.Client(**bad)
    with pytest.raises(leadsq.ConfigurationError, match=f"^{name} must be"):
        leadsq.configure(**bad)
