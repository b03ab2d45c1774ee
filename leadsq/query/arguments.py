"""What a query is made of: the one declaration of its arguments.

:class:`QueryArguments` names and types the arguments that say what a read asks (not how
or from where it reads). :func:`~leadsq.query.build.build_report` takes them, and the
other surfaces are checked against them (``tests/architecture``): the parameters of
:func:`leadsq.read_leadsquared`, the form's arguments and the magic's options.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, TypedDict

from leadsq.contract import LeadFilter, UserCondition, UserGroup
from leadsq.query.dates import DateRangeLike

__all__ = [
    "QUERY_ARGUMENTS",
    "FilterLike",
    "QueryArguments",
    "UserConditionLike",
    "UserFilterLike",
]

FilterLike = tuple[str, str, object] | tuple[str, str] | LeadFilter
UserConditionLike = tuple[str, str, object] | UserCondition
UserFilterLike = UserGroup | Sequence[Sequence[UserConditionLike | str] | UserGroup | str]


class QueryArguments(TypedDict, total=False):
    """The arguments of a query, as :func:`leadsq.read_leadsquared` documents them."""

    where: str | None
    filters: Sequence[FilterLike] | None
    users: str | Sequence[str] | None
    user_filter: UserFilterLike | None
    activities: int | str | Sequence[int | str] | None
    created: DateRangeLike | None
    modified: DateRangeLike | None
    activity_window: DateRangeLike | None
    columns: str | Sequence[str] | None
    group_by: str | None
    aggregate: str
    aggregate_field: str | None
    body: Mapping[str, Any] | str | None
    page_size: int | None


QUERY_ARGUMENTS: tuple[str, ...] = tuple(QueryArguments.__annotations__)
"""The names of :class:`QueryArguments`, in their order."""
