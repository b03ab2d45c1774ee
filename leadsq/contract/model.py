"""The model: a request body as a tree of frozen dataclasses with canonical values.

A :class:`Report` is what :func:`leadsq.contract.parse_report` returns and
:func:`leadsq.contract.report_to_body` writes back; :func:`fold_chain` is how user
conditions and groups combine.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import TypeVar

__all__ = [
    "ActivityFilter",
    "DateFilter",
    "LeadFilter",
    "Output",
    "Paging",
    "Report",
    "Sorting",
    "UserCondition",
    "UserGroup",
    "fold_chain",
]

T = TypeVar("T")


@dataclass(frozen=True)
class LeadFilter:
    """One lead-field condition: ``field operator value`` (or ``values`` for ``in``)."""

    field: str
    operator: str
    value: str | None = None
    values: tuple[str, ...] | None = None


@dataclass(frozen=True)
class UserCondition:
    """One user-field condition; ``link`` joins it to the next condition."""

    field: str
    operator: str
    value: str
    link: str = "AND"


@dataclass(frozen=True)
class UserGroup:
    """A group of user conditions; ``link`` joins it to the next group."""

    conditions: tuple[UserCondition, ...]
    link: str = "AND"


@dataclass(frozen=True)
class ActivityFilter:
    """Activities of these event codes (``operator`` is ``in`` or ``=``)."""

    operator: str
    values: tuple[int, ...]


@dataclass(frozen=True)
class DateFilter:
    """``field`` between ``start`` and ``end`` inclusive, naive UTC."""

    field: str
    start: datetime
    end: datetime


@dataclass(frozen=True)
class Output:
    """What comes back: a list of ``columns`` or an aggregate per ``group_by``."""

    type: str
    columns: tuple[str, ...] = ()
    group_by: str | None = None
    function: str | None = None
    field: str | None = None

    @property
    def metric(self) -> str | None:
        """The key of the aggregate value in a result row, e.g. ``Average_EngagementScore``."""
        if self.type != "Aggregate" or self.function == "Count":
            return None
        return f"{self.function}_{self.field}"


@dataclass(frozen=True)
class Paging:
    """``PageIndex`` (1-based) and ``PageSize``."""

    index: int = 1
    size: int = 1000


@dataclass(frozen=True)
class Sorting:
    """``Sorting``: rows ordered by ``column``, descending when ``descending``."""

    column: str
    descending: bool = False


@dataclass(frozen=True)
class Report:
    """A whole, valid request to one analytics endpoint."""

    endpoint: str
    output: Output
    paging: Paging = Paging()
    user_groups: tuple[UserGroup, ...] = ()
    lead_filters: tuple[LeadFilter, ...] = ()
    activity_filters: tuple[ActivityFilter, ...] = ()
    date_filters: tuple[DateFilter, ...] = ()
    sorting: Sorting | None = None


def fold_chain(
    items: Iterable[tuple[T, str]], both: Callable[[T, T], T], either: Callable[[T, T], T]
) -> T | None:
    """Fold ``[(term, link_to_next), ...]`` with AND binding tighter than OR.

    This is how user conditions (``ConditionOperator``) and groups (``GroupOperator``)
    combine. Linear in the number of terms; ``None`` for an empty chain.

    Examples
    --------
    >>> fold_chain([(True, "OR"), (False, "AND"), (True, "AND")], lambda a, b: a and b, lambda a, b: a or b)
    True
    """
    result: T | None = None
    current: T | None = None
    for term, link in items:
        current = term if current is None else both(current, term)
        if link == "OR":
            result = current if result is None else either(result, current)
            current = None
    if current is not None:
        result = current if result is None else either(result, current)
    return result
