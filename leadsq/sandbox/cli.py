"""``python -m leadsq sandbox``: serve the sandbox from a shell until Ctrl-C.

Every option but ``--verbose`` is a field of :class:`~leadsq.sandbox.settings.SandboxSettings`
by the same name (``-`` for ``_``; ``--faults-server-error`` for ``faults.server_error``);
run ``python -m leadsq sandbox --help`` (or ``python -m leadsq.sandbox --help``) for the list.
"""

from __future__ import annotations

import argparse
import logging
import shlex
import signal
import sys
import threading
from collections.abc import Sequence
from dataclasses import fields
from typing import Any, TextIO

from leadsq.contract import ENDPOINT_PATHS
from leadsq.sandbox.catalog import ACTIVITY_TYPE_NAMES
from leadsq.sandbox.runtime import Sandbox
from leadsq.sandbox.settings import (
    DEMO_SECRET_KEY,
    USERS_SHAPES,
    Churn,
    Faults,
    SandboxSettings,
)

__all__ = ["build_parser", "main", "settings_from_args"]

_PARTS: dict[str, type[Faults] | type[Churn]] = {"faults": Faults, "churn": Churn}
"""The settings whose value has fields of its own: one option per field."""


def _flag(*names: str) -> str:
    """The option of a setting, or of a setting's field: ``--faults-server-error``."""
    return "--" + "-".join(names).replace("_", "-")


def _rate_limit(text: str) -> tuple[int, int] | None:
    if text.strip().lower() in ("off", "none", "0"):
        return None
    calls, slash, window = text.partition("/")
    try:
        if not slash:
            raise ValueError
        return SandboxSettings._checked_rate_limit((int(calls), float(window)))
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"expected CALLS/SECONDS such as 25/5, or off; got {text!r}"
        ) from None


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of ``python -m leadsq sandbox``."""
    parser = argparse.ArgumentParser(
        prog="python -m leadsq sandbox",
        description="Serve a LeadSquared analytics sandbox over generated data until Ctrl-C.",
    )
    data = parser.add_argument_group("data")
    data.add_argument("--leads", type=int, default=20_000, help="leads (default 20000)")
    data.add_argument("--users", type=int, default=25, help="users (default 25)")
    data.add_argument("--seed", type=int, default=7, help="data and fault seed (default 7)")
    data.add_argument(
        "--anchor", default=None, help="the data's today, YYYY-MM-DD (default: today, UTC)"
    )
    data.add_argument(
        "--activity-scale", type=float, default=1.0, help="activities per lead, x (default 1)"
    )
    net = parser.add_argument_group("network and keys")
    net.add_argument("--host", default="127.0.0.1", help="interface (default 127.0.0.1)")
    net.add_argument("--port", type=int, default=8765, help="port, 0 for any (default 8765)")
    net.add_argument("--access-key", default=None, help="access key (default: the demo key)")
    net.add_argument("--secret-key", default=None, help="secret key (default: the demo key)")
    net.add_argument(
        "--header-auth",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="accept keys in x-LSQ-* headers too (default); --no-header-auth: query only",
    )
    limits = parser.add_argument_group("limits and latency")
    limits.add_argument(
        "--rate-limit",
        type=_rate_limit,
        default=(25, 5),
        metavar="CALLS/SECONDS",
        help="sliding-window limit per access key, or off (default 25/5)",
    )
    limits.add_argument(
        "--rate-limit-status",
        type=int,
        choices=(429, 200, 403),
        default=429,
        help="HTTP status of an over-limit answer (default 429)",
    )
    limits.add_argument(
        "--rate-limit-body",
        choices=("json", "message"),
        default="json",
        help="over-limit body: the JSON error body, or the message alone (default json)",
    )
    limits.add_argument(
        "--retry-after",
        action="store_true",
        help="send Retry-After with an over-limit answer (the real service documents none)",
    )
    limits.add_argument(
        "--max-page-size", type=int, default=10_000, help="largest PageSize (default 10000)"
    )
    limits.add_argument(
        "--max-body-bytes", type=int, default=1 << 20, help="largest body (default 1 MiB)"
    )
    limits.add_argument(
        "--workers", type=int, default=64, help="most requests answered at once (default 64)"
    )
    limits.add_argument(
        "--max-connections", type=int, default=1024, help="most open connections (default 1024)"
    )
    limits.add_argument(
        "--header-timeout", type=float, default=10.0, help="seconds for a request's head (10)"
    )
    limits.add_argument(
        "--body-timeout", type=float, default=60.0, help="seconds for its body and answer (60)"
    )
    limits.add_argument(
        "--latency", type=float, default=0.0, help="seconds from a call's arrival to its answer"
    )
    limits.add_argument("--jitter", type=float, default=0.0, help="up to this many more seconds")
    real = parser.add_argument_group("the real service's uncertain ways (API.md section 7)")
    real.add_argument(
        "--input-error-status",
        type=int,
        choices=(500, 400),
        default=500,
        help="status of an input error such as a bad value (default 500, as the real service)",
    )
    real.add_argument(
        "--not-contacted-path",
        choices=ENDPOINT_PATHS["not_contacted"],
        default=None,
        help="the only Leads Not Contacted path answered (default: all of them)",
    )
    real.add_argument(
        "--users-shape",
        choices=USERS_SHAPES,
        default="documented",
        help="Users.Get items: documented (ID, StatusCode, ...) or legacy (UserID, Team)",
    )
    real.add_argument(
        "--account-url",
        default=None,
        help="the API host UserByAccessKey.Get names (default: the sandbox's own URL)",
    )
    real.add_argument(
        "--time-zone", default="Asia/Kolkata", help="the account's time zone (Asia/Kolkata)"
    )
    real.add_argument(
        "--wrong-host",
        action="store_true",
        help="answer every call but UserByAccessKey.Get 401, naming --account-url",
    )
    real.add_argument(
        "--activity-type-names",
        choices=ACTIVITY_TYPE_NAMES,
        default="DisplayName",
        help="how ActivityTypes.Get names a type (default DisplayName)",
    )
    real.add_argument(
        "--subsecond-times",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="stored times carry milliseconds (default); --no-subsecond-times: whole seconds",
    )
    real.add_argument(
        "--daily-cap", type=int, default=None, help="calls per access key per UTC day (no cap)"
    )
    faults = parser.add_argument_group(
        "injected faults (shares of calls, 0..1; Faults' fields after --faults-)"
    )
    for name, help in (
        ("server_error", "answered 500"),
        ("rate_limit", "answered 429"),
        ("rate_limit_200", "answered 200 with the rate-limit body"),
        ("rate_limit_403", "answered 403 with the rate-limit body"),
        ("dropped", "connection dropped"),
        ("truncated", "body truncated"),
    ):
        faults.add_argument(
            _flag("faults", name), type=float, default=0.0, metavar="SHARE", help=help
        )
    churn = parser.add_argument_group("churn while serving (Churn's fields after --churn-)")
    for name, help in (
        ("created_per_second", "leads created per second"),
        ("modified_per_second", "leads modified per second"),
    ):
        churn.add_argument(_flag("churn", name), type=float, default=0.0, metavar="N", help=help)
    parser.add_argument("-v", "--verbose", action="store_true", help="log every request")
    return parser


def settings_from_args(args: argparse.Namespace) -> SandboxSettings:
    """The settings the parsed options describe (each option is the field of its name)."""
    given = vars(args)
    values: dict[str, Any] = {}
    for item in fields(SandboxSettings):
        parts = _PARTS.get(item.name)
        if parts is not None:
            values[item.name] = parts(
                **{part.name: given[item.name + "_" + part.name] for part in fields(parts)}
            )
        elif given[item.name] is not None or item.name not in ("access_key", "secret_key"):
            values[item.name] = given[item.name]  # no key given: the demo key
    return SandboxSettings(**values)


def describe(sandbox: Sandbox) -> str:
    """What the command prints once serving: URL, keys and a first request to try."""
    s = sandbox.settings
    secret = (
        sandbox.secret_key
        if s.secret_key == DEMO_SECRET_KEY
        else "(the one given with --secret-key)"
    )
    limit = "off" if s.rate_limit is None else f"{s.rate_limit[0]} calls in {s.rate_limit[1]} s"
    return "\n".join(
        [
            f"leadsq sandbox: {s.leads} leads, {s.users} users, seed {s.seed}, "
            f"anchor {s.anchor:%Y-%m-%d}",
            f"  URL:        {sandbox.url}",
            f"  access key: {sandbox.access_key}",
            f"  secret key: {secret}",
            f"  rate limit: {limit} (over-limit status {s.rate_limit_status})",
            f"  shell:      export LSQ_HOST={sandbox.url} "
            f"LSQ_ACCESS_KEY={shlex.quote(sandbox.access_key)} "
            f"LSQ_SECRET_KEY={shlex.quote(secret) if secret == sandbox.secret_key else '...'}",
            f"  try:        curl -H {shlex.quote('x-LSQ-AccessKey: ' + sandbox.access_key)} "
            f"-H 'x-LSQ-SecretKey: ...' {sandbox.url}/v2/UserManagement.svc/Users.Get"
            if s.header_auth
            else f"  try:        curl '{sandbox.url}/v2/UserManagement.svc/Users.Get"
            "?accessKey=...&secretKey=...'",
            "Press Ctrl-C to stop.",
        ]
    )


def main(argv: Sequence[str] | None = None, *, out: TextIO | None = None) -> int:
    """Run ``python -m leadsq sandbox``; returns the exit status."""
    out = out or sys.stdout
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        settings = settings_from_args(args)
    except ValueError as exc:
        parser.error(str(exc))
    if args.verbose:
        logging.basicConfig(level=logging.DEBUG, format="%(asctime)s %(message)s")
        logging.getLogger("leadsq.sandbox").setLevel(logging.DEBUG)
    sandbox = Sandbox(settings)
    _stop_on_sigterm()  # before anything is printed: a caller may stop us once it reads the URL
    try:
        try:
            sandbox.start()
        except OSError as exc:
            print(f"cannot listen on {settings.host}:{settings.port}: {exc}", file=sys.stderr)
            return 1
        print(describe(sandbox), file=out, flush=True)
        sandbox.serve_forever()
    except KeyboardInterrupt:
        print("stopped", file=out)
    finally:
        sandbox.close()
    return 0


def _stop_on_sigterm() -> None:
    """Let SIGTERM (e.g. from a container) stop the server as Ctrl-C does."""
    if threading.current_thread() is not threading.main_thread():
        return

    def interrupt(signum: int, frame: object) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, interrupt)
