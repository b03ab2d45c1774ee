"""leadsq: LeadSquared CRM analytics in pandas and Jupyter.

``import leadsq`` registers ``pd.read_leadsquared`` (when the name is free) and the
``df.lsq`` accessor. Start with :func:`read_leadsquared`; try it without an account
against the built-in sandbox with ``host="sandbox"``.

Importing is light: the HTTP stack, the sandbox, the form and the magics load when first
used. ``leadsq.settings`` is always the default client's current settings, and read-only:
change them with :func:`configure`.
"""

from __future__ import annotations

import importlib
import sys
import types
import warnings
from typing import TYPE_CHECKING, Any

import pandas as pd

from leadsq.client.connection import NAMED_HOSTS

if TYPE_CHECKING:
    from leadsq.analysis.accessor import FrameChangedWarning
    from leadsq.client.account import Account, discover_host
    from leadsq.client.cache import CacheInfo, cache_info, clear_cache
    from leadsq.client.checks import UnknownValueWarning
    from leadsq.client.client import Client, configure
    from leadsq.client.limits.usage import usage
    from leadsq.client.lists import activity_types, fields, users
    from leadsq.client.reader import read_leadsquared
    from leadsq.client.reading import DriftWarning, last_partial
    from leadsq.client.settings import Settings
    from leadsq.client.sync import ReconcileWarning, sync, sync_runs
    from leadsq.errors import (
        APIError,
        AuthenticationError,
        BadRequestError,
        BudgetExceededError,
        ConfigurationError,
        DailyLimitError,
        IncompleteReadError,
        LeadsqError,
        NotFoundError,
        QueryError,
        RateLimitError,
        ServerError,
        TransportError,
        WrongHostError,
    )
    from leadsq.notebook.magics import load_ipython_extension, unload_ipython_extension
    from leadsq.notebook.widget import QueryBuilder
    from leadsq.sandbox import Sandbox

    settings: Settings

__version__ = "0.1.0"

_PUBLIC = {  # name: the module that owns it, imported on first use
    "FrameChangedWarning": "leadsq.analysis.accessor",
    "Account": "leadsq.client.account",
    "discover_host": "leadsq.client.account",
    "CacheInfo": "leadsq.client.cache",
    "cache_info": "leadsq.client.cache",
    "clear_cache": "leadsq.client.cache",
    "UnknownValueWarning": "leadsq.client.checks",
    "Client": "leadsq.client.client",
    "configure": "leadsq.client.client",
    "usage": "leadsq.client.limits.usage",
    "activity_types": "leadsq.client.lists",
    "fields": "leadsq.client.lists",
    "users": "leadsq.client.lists",
    "DriftWarning": "leadsq.client.reading",
    "last_partial": "leadsq.client.reading",
    "read_leadsquared": "leadsq.client.reader",
    "Settings": "leadsq.client.settings",
    "ReconcileWarning": "leadsq.client.sync",
    "sync": "leadsq.client.sync",
    "sync_runs": "leadsq.client.sync",
    **dict.fromkeys(
        (
            "APIError",
            "AuthenticationError",
            "BadRequestError",
            "BudgetExceededError",
            "ConfigurationError",
            "DailyLimitError",
            "IncompleteReadError",
            "LeadsqError",
            "NotFoundError",
            "QueryError",
            "RateLimitError",
            "ServerError",
            "TransportError",
            "WrongHostError",
        ),
        "leadsq.errors",
    ),
    "load_ipython_extension": "leadsq.notebook.magics",
    "unload_ipython_extension": "leadsq.notebook.magics",
    "QueryBuilder": "leadsq.notebook.widget",
    "Sandbox": "leadsq.sandbox",
}

__all__ = [
    "APIError",
    "Account",
    "AuthenticationError",
    "BadRequestError",
    "BudgetExceededError",
    "CacheInfo",
    "Client",
    "ConfigurationError",
    "DailyLimitError",
    "DriftWarning",
    "FrameChangedWarning",
    "IncompleteReadError",
    "LeadsqError",
    "NotFoundError",
    "QueryBuilder",
    "QueryError",
    "RateLimitError",
    "ReconcileWarning",
    "Sandbox",
    "ServerError",
    "Settings",
    "TransportError",
    "UnknownValueWarning",
    "WrongHostError",
    "__version__",
    "activity_types",
    "cache_info",
    "clear_cache",
    "configure",
    "discover_host",
    "fields",
    "last_partial",
    "load_ipython_extension",
    "read_leadsquared",
    "settings",
    "sync",
    "sync_runs",
    "unload_ipython_extension",
    "usage",
    "users",
]


def __getattr__(name: str) -> Any:
    if name == "settings":
        from leadsq.client.client import current_settings

        return current_settings()
    if name in _PUBLIC:
        value = getattr(importlib.import_module(_PUBLIC[name]), name)
        globals()[name] = value  # the next look-up is a plain attribute
        return value
    raise AttributeError(f"module 'leadsq' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})


class _Package(types.ModuleType):
    """The package's module type: ``leadsq.settings`` cannot be assigned (it would be
    accepted and do nothing); :func:`configure` changes the settings."""

    def __setattr__(self, name: str, value: Any) -> None:
        if name == "settings":
            from leadsq.errors import ConfigurationError

            raise ConfigurationError(
                "leadsq.settings is read-only: change settings with leadsq.configure(...), "
                "or give a leadsq.Client its own"
            )
        super().__setattr__(name, value)


sys.modules[__name__].__class__ = _Package


def _start_sandbox() -> tuple[str, str, str]:
    from leadsq.sandbox.shared import shared_sandbox_connection

    return shared_sandbox_connection()


NAMED_HOSTS["sandbox"] = _start_sandbox


def _lsq(frame: pd.DataFrame) -> Any:
    """``df.lsq``: the accessor, its module loaded on first use."""
    from leadsq.analysis.accessor import LeadsqAccessor

    return LeadsqAccessor(frame)


def _register_reader() -> None:
    from leadsq.client.reader import read_leadsquared  # a light module: HTTP loads on use

    existing = getattr(pd, "read_leadsquared", None)
    if existing is None:
        pd.read_leadsquared = read_leadsquared
    elif existing is not read_leadsquared:
        warnings.warn(
            "pd.read_leadsquared is already taken by another package; use leadsq.read_leadsquared",
            stacklevel=2,
        )


pd.api.extensions.register_dataframe_accessor("lsq")(_lsq)
_register_reader()
