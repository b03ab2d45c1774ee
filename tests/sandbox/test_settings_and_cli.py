"""Settings are checked when made; the Sandbox object and the command expose them."""

from __future__ import annotations

import re
import signal
import subprocess
import sys
from dataclasses import fields
from datetime import date, datetime
from pathlib import Path

import pytest
import requests

from leadsq.__main__ import main as leadsq_main
from leadsq.sandbox import DEMO_ACCESS_KEY, DEMO_SECRET_KEY, Churn, Faults, Sandbox, SandboxSettings
from leadsq.sandbox.cli import build_parser, describe, settings_from_args


def test_defaults_are_the_documented_ones() -> None:
    settings = SandboxSettings()

    assert settings.leads == 20_000
    assert settings.rate_limit == (25, 5)
    assert settings.rate_limit_status == 429
    assert settings.max_page_size == 10_000
    assert settings.input_error_status == 500
    assert settings.not_contacted_path is None
    assert settings.users_shape == "documented"
    assert settings.account_url is None
    assert settings.time_zone == "Asia/Kolkata"
    assert (settings.rate_limit_body, settings.header_auth) == ("json", True)
    assert (settings.wrong_host, settings.daily_cap) == (False, None)
    assert settings.activity_type_names == "DisplayName"
    assert settings.subsecond_times is True
    assert settings.host == "127.0.0.1"
    assert settings.port == 0
    assert (settings.access_key, settings.secret_key) == (DEMO_ACCESS_KEY, DEMO_SECRET_KEY)
    assert settings.anchor.time() == datetime.min.time()


@pytest.mark.parametrize(
    ("anchor", "expected"),
    [
        ("2026-11-01", datetime(2026, 11, 1)),
        ("2026-11-01 08:30:00", datetime(2026, 11, 1, 8, 30)),
        (date(2026, 11, 1), datetime(2026, 11, 1)),
        (datetime(2026, 11, 1, 8, 30, 5, 123), datetime(2026, 11, 1, 8, 30, 5)),
    ],
)
def test_the_anchor_is_a_naive_datetime(anchor: object, expected: datetime) -> None:
    assert SandboxSettings(anchor=anchor).anchor == expected


@pytest.mark.parametrize(
    ("options", "words"),
    [
        ({"leads": -1}, "leads"),
        ({"leads": 1.5}, "leads must be an integer"),
        ({"users": 0}, "users"),
        ({"anchor": "yesterday"}, "anchor"),
        ({"port": 70000}, "port"),
        ({"rate_limit": (0, 5)}, "rate_limit"),
        ({"rate_limit": (25, 0.5)}, "whole number of seconds"),
        ({"rate_limit_status": 503}, "rate_limit_status must be one of 429, 200, 403"),
        ({"rate_limit_body": "xml"}, "rate_limit_body must be one of 'json', 'message'"),
        ({"header_auth": 1}, "header_auth must be one of True, False"),
        ({"faults": {"rate_limit_403": -0.1}}, "rate_limit_403"),
        ({"wrong_host": True}, "wrong_host needs account_url"),
        ({"activity_type_names": "Name"}, "activity_type_names must be one of"),
        ({"daily_cap": 0}, "daily_cap must be >= 1"),
        ({"subsecond_times": "yes"}, "subsecond_times must be one of True, False"),
        ({"max_page_size": 0}, "max_page_size"),
        ({"latency": -1}, "latency"),
        ({"jitter": float("nan")}, "jitter"),
        ({"faults": {"server_error": 2}}, "server_error"),
        ({"faults": {"server_error": 0.6, "dropped": 0.6}}, "more than 1"),
        ({"faults": {"nonsense": 0.1}}, "faults"),
        ({"churn": {"created_per_second": -1}}, "created_per_second"),
        ({"access_key": ""}, "access_key"),
        ({"secret_key": "has space"}, "secret_key"),
        ({"max_body_bytes": 0}, "max_body_bytes"),
        ({"input_error_status": 422}, "input_error_status must be one of 500, 400"),
        ({"not_contacted_path": "/Leads/Elsewhere"}, "not_contacted_path must be one of"),
        ({"users_shape": "new"}, "users_shape must be one of 'documented', 'legacy'"),
        ({"account_url": "api in21"}, "account_url"),
        ({"time_zone": "Mars/Olympus"}, "time_zone must be an IANA time zone"),
    ],
)
def test_a_bad_setting_is_a_value_error_naming_it(options: dict, words: str) -> None:
    with pytest.raises(ValueError, match=words):
        SandboxSettings(**options)


def test_a_rejected_key_is_not_echoed() -> None:
    with pytest.raises(ValueError) as caught:
        SandboxSettings(secret_key="my real secret")

    assert "my real secret" not in str(caught.value)


def test_value_objects_accept_mappings() -> None:
    settings = SandboxSettings(faults={"truncated": 0.1}, churn={"modified_per_second": 2})

    assert settings.faults == Faults(truncated=0.1)
    assert settings.churn == Churn(modified_per_second=2)
    assert not Faults() and not Churn()


def test_sandbox_keywords_mirror_the_settings(sandbox: Sandbox) -> None:
    box = Sandbox(sandbox.settings, leads=10, latency=0.5)

    assert box.settings.leads == 10
    assert box.settings.latency == 0.5
    assert box.settings.seed == sandbox.settings.seed
    with pytest.raises(TypeError):
        Sandbox(leedz=10)


def test_the_repr_never_shows_the_keys(sandbox: Sandbox) -> None:
    text = repr(sandbox) + repr(sandbox.settings)

    assert sandbox.url in text
    assert sandbox.secret_key not in text
    assert sandbox.access_key not in text


def test_a_sandbox_serves_on_loopback_and_stops(sandbox: Sandbox) -> None:
    box = Sandbox(leads=10, seed=1, anchor="2026-11-01").start()
    url = box.url
    assert url.startswith("http://127.0.0.1:")
    assert box.running

    box.stop()

    assert not box.running
    with pytest.raises(requests.exceptions.ConnectionError):
        requests.get(url + "/v2/UserManagement.svc/Users.Get", timeout=5)


def test_the_command_options_become_settings() -> None:
    args = build_parser().parse_args(
        [
            "--port", "0", "--leads", "100", "--seed", "3", "--anchor", "2026-11-01",
            "--rate-limit", "10/2", "--rate-limit-status", "200", "--latency", "0.3",
            "--jitter", "0.1", "--max-page-size", "100", "--faults-server-error", "0.1",
            "--faults-rate-limit", "0.05", "--faults-rate-limit-200", "0.05", "--faults-dropped", "0.02",
            "--faults-truncated", "0.03", "--churn-created-per-second", "2", "--churn-modified-per-second", "1",
            "--host", "127.0.0.1", "--max-body-bytes", "2048",
        ]
    )  # fmt: skip

    settings = settings_from_args(args)

    assert settings.rate_limit == (10, 2)
    assert settings.rate_limit_status == 200
    assert settings.faults == Faults(0.1, 0.05, 0.05, 0.02, 0.03)
    assert settings.churn == Churn(2, 1)
    assert (settings.leads, settings.seed, settings.port, settings.max_page_size) == (
        100,
        3,
        0,
        100,
    )
    assert settings.anchor == datetime(2026, 11, 1)


def test_the_command_options_of_the_real_services_ways_become_settings() -> None:
    path = "/Leads/NotContacted/FilterByLeadField"
    args = build_parser().parse_args(
        [
            "--input-error-status", "400", "--not-contacted-path", path,
            "--users-shape", "legacy", "--account-url", "https://api-in21.leadsquared.com",
            "--time-zone", "Asia/Dubai", "--rate-limit-status", "403",
            "--rate-limit-body", "message", "--no-header-auth", "--faults-rate-limit-403", "0.2",
            "--wrong-host", "--activity-type-names", "mixed", "--daily-cap", "1000",
            "--no-subsecond-times",
        ]
    )  # fmt: skip

    settings = settings_from_args(args)

    assert settings.input_error_status == 400
    assert settings.not_contacted_path == path
    assert settings.users_shape == "legacy"
    assert settings.account_url == "https://api-in21.leadsquared.com"
    assert settings.time_zone == "Asia/Dubai"
    assert (settings.rate_limit_status, settings.rate_limit_body) == (403, "message")
    assert settings.header_auth is False
    assert settings.faults.rate_limit_403 == 0.2
    assert (settings.wrong_host, settings.activity_type_names) == (True, "mixed")
    assert settings.daily_cap == 1000
    assert settings.subsecond_times is False


def test_every_setting_has_its_option_by_the_same_name_and_no_option_is_extra() -> None:
    names = set()
    for item in fields(SandboxSettings):
        parts = {"faults": Faults, "churn": Churn}.get(item.name)
        names |= {f"{item.name}_{part.name}" for part in fields(parts)} if parts else {item.name}
    options = {
        option: action.dest
        for action in build_parser()._actions
        for option in action.option_strings
        if option.startswith("--") and not option.startswith("--no-")
    }

    assert set(options) - {"--help", "--verbose"} == {
        "--" + name.replace("_", "-") for name in names
    }
    assert all(dest == option[2:].replace("-", "_") for option, dest in options.items())


def test_the_rate_limit_can_be_switched_off() -> None:
    args = build_parser().parse_args(["--rate-limit", "off"])

    assert settings_from_args(args).rate_limit is None


def test_the_command_prints_the_url_and_the_demo_keys(sandbox: Sandbox) -> None:
    text = describe(sandbox)

    assert sandbox.url in text
    assert DEMO_ACCESS_KEY in text and DEMO_SECRET_KEY in text


def test_the_command_does_not_print_a_secret_it_was_given() -> None:
    box = Sandbox(leads=10, secret_key="given-secret", port=0)
    box.start()
    try:
        assert "given-secret" not in describe(box)
    finally:
        box.stop()


def test_the_package_command_lists_its_subcommands(capsys: pytest.CaptureFixture) -> None:
    assert leadsq_main([]) == 2
    assert "sandbox" in capsys.readouterr().out
    assert leadsq_main(["nope"]) == 2


def test_a_bad_option_exits_with_a_message(capsys: pytest.CaptureFixture) -> None:
    with pytest.raises(SystemExit):
        leadsq_main(["sandbox", "--rate-limit", "lots"])

    assert "CALLS/SECONDS" in capsys.readouterr().err


def test_python_m_leadsq_sandbox_serves_until_stopped() -> None:
    root = Path(__file__).resolve().parents[2]
    command = [sys.executable, "-m", "leadsq", "sandbox", "--port", "0", "--leads", "100"]
    process = subprocess.Popen(command, cwd=root, stdout=subprocess.PIPE, text=True)
    try:
        lines = [process.stdout.readline() for _ in range(3)]
        url = lines[1].split()[-1]
        access, secret = lines[2].split()[-1], DEMO_SECRET_KEY
        response = requests.get(
            url + "/v2/UserManagement.svc/Users.Get",
            params={"accessKey": access, "secretKey": secret},
            timeout=30,
        )
        assert response.status_code == 200
    finally:
        process.send_signal(signal.SIGTERM)
        out, _ = process.communicate(timeout=30)

    assert process.returncode == 0
    assert out.strip().endswith("stopped")


def test_a_stopped_sandbox_restarts_but_a_closed_one_does_not() -> None:
    box = Sandbox(leads=10, anchor="2026-11-01").start()
    box.stop()
    box.start()
    assert requests.get(box.url + "/v2/UserManagement.svc/Users.Get", timeout=5).status_code == 401

    box.close()

    with pytest.raises(RuntimeError, match="closed"):
        box.start()


def test_the_banner_s_shell_line_keeps_the_demo_key_s_dollar(sandbox: Sandbox) -> None:
    line = next(
        line.split(":", 1)[1] for line in describe(sandbox).splitlines() if "shell:" in line
    )
    shown = subprocess.run(
        ["bash", "-c", f'{line}; printf "%s\\n" "$LSQ_HOST" "$LSQ_ACCESS_KEY" "$LSQ_SECRET_KEY"'],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.splitlines()
    assert "$" in DEMO_ACCESS_KEY
    assert shown == [sandbox.url, DEMO_ACCESS_KEY, DEMO_SECRET_KEY]


def test_every_shell_line_of_the_readme_quotes_the_demo_keys() -> None:
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```bash\n(.*?)```", readme, flags=re.DOTALL)
    lines = [line for block in blocks for line in block.splitlines() if "LSQ_ACCESS_KEY" in line]
    assert lines  # the README shows how to set the keys
    for line in lines:
        assert re.search(r"LSQ_(ACCESS|SECRET)_KEY=(?!')", line) is None, line
    demo = [line for line in lines if DEMO_ACCESS_KEY in line]
    assert demo and all(f"'{DEMO_ACCESS_KEY}'" in line for line in demo)
