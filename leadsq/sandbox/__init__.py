"""The sandbox: a LeadSquared analytics server over a real database of generated data.

It implements ``../shared/API.md`` over real HTTP, for demos, notebooks and tests, and
imports nothing from the leadsq client (only :mod:`leadsq.contract`)::

    from leadsq.sandbox import Sandbox

    with Sandbox(leads=20_000, seed=7) as sb:
        print(sb.url, sb.access_key)

or from a shell: ``python -m leadsq sandbox --port 8765 --leads 20000 --seed 7``.

Modules: :mod:`~leadsq.sandbox.settings` (every setting), :mod:`~leadsq.sandbox.catalog`
(lead fields, activity types, value lists, the team), :mod:`~leadsq.sandbox.generator`
(the data, in DuckDB SQL), :mod:`~leadsq.sandbox.sql` (reports to parameterised SQL),
:mod:`~leadsq.sandbox.store` (the database), :mod:`~leadsq.sandbox.server` (the WSGI app),
:mod:`~leadsq.sandbox.serving` (its server: a bounded pool, deadlines, a connection cap),
:mod:`~leadsq.sandbox.gate` (keys, rate limits, faults),
:mod:`~leadsq.sandbox.responses` (answers and error bodies),
:mod:`~leadsq.sandbox.openapi` and :mod:`~leadsq.sandbox.schemas` (its OpenAPI
description), :mod:`~leadsq.sandbox.runtime` (:class:`Sandbox`), :mod:`~leadsq.sandbox.cli`
(the command), :mod:`~leadsq.sandbox.routing` (what it answers),
:mod:`~leadsq.sandbox.ratelimit` (the rate limit and daily cap).

Importing the package is light: :class:`Sandbox` (with DuckDB and werkzeug) loads on its
first use.
"""

import typing as _typing

from leadsq.sandbox.settings import (
    DEMO_ACCESS_KEY,
    DEMO_SECRET_KEY,
    Churn,
    Faults,
    SandboxSettings,
)

__all__ = [
    "DEMO_ACCESS_KEY",
    "DEMO_SECRET_KEY",
    "Churn",
    "Faults",
    "Sandbox",
    "SandboxSettings",
]

if _typing.TYPE_CHECKING:  # pragma: no cover
    from leadsq.sandbox.runtime import Sandbox


def __getattr__(name: str) -> type:
    """:class:`Sandbox` on first use (PEP 562): it loads DuckDB and werkzeug."""
    if name == "Sandbox":
        from leadsq.sandbox.runtime import Sandbox

        globals()["Sandbox"] = Sandbox
        return Sandbox
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
