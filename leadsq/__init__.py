"""leadsq: LeadSquared CRM analytics in pandas and Jupyter.

``import leadsq`` registers ``pd.read_leadsquared`` (when the name is free) and the
``df.lsq`` accessor. Start with :func:`read_leadsquared`; try it without an account
against the built-in sandbox with ``host="sandbox"``.
"""

from __future__ import annotations

import warnings

import pandas as pd

from leadsq.analysis.accessor import FrameChangedWarning  # importing it registers df.lsq
from leadsq.client.account import Account, discover_host
from leadsq.client.cache import CacheInfo, cache_info, clear_cache
from leadsq.client.checks import UnknownValueWarning
from leadsq.client.config import Settings, configure, settings
from leadsq.client.limits import usage
from leadsq.client.lists import activity_types, fields, users
from leadsq.client.reader import DriftWarning, last_partial, read_leadsquared
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

__version__ = "0.1.0"

__all__ = [
    "APIError",
    "Account",
    "AuthenticationError",
    "BadRequestError",
    "BudgetExceededError",
    "CacheInfo",
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


def _register_pandas_reader() -> None:
    existing = getattr(pd, "read_leadsquared", None)
    if existing is None:
        pd.read_leadsquared = read_leadsquared
    elif existing is not read_leadsquared:
        warnings.warn(
            "pd.read_leadsquared is already taken by another package; use leadsq.read_leadsquared",
            stacklevel=2,
        )


_register_pandas_reader()
