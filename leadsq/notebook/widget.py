"""``leadsq.QueryBuilder``: a form in the notebook that builds, shows and runs a query.

The form *is* an ``ipywidgets.VBox``. It asks the account for its lead fields, users and
activity types (once each, with no retry: :mod:`leadsq.notebook.account_choices`), so every
picker offers what the account has; every change rebuilds the query and shows the
equivalent ``pd.read_leadsquared(...)`` call and the JSON body, so a notebook can be re-run
without the form. Run reads with a progress bar and shows the frame and, for an aggregate,
its plot. Errors (a bad value, a refused request, wrong keys, a host gone) appear in the
form, never as a traceback.

The form is built in layers: :mod:`~leadsq.notebook.form_fields` (which operators, inputs
and options fit) and :mod:`~leadsq.notebook.form_state` (the form as values, and as a read)
have no widgets; :mod:`~leadsq.notebook.form_inputs` (a filter row, a date range) and
:mod:`~leadsq.notebook.form_view` (the children and their layout) are the widgets; this
module wires them to the query. Plain ipywidgets 8, no custom JavaScript: it works in
JupyterLab, Notebook 7 and Voila.

Examples
--------
>>> builder = leadsq.QueryBuilder(host="sandbox")  # doctest: +SKIP
>>> builder                                        # doctest: +SKIP
>>> builder.query        # read_leadsquared keyword arguments; observe() works
>>> builder.frame        # the last frame read
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timezone, tzinfo
from typing import Any

import ipywidgets as widgets
import pandas as pd
import traitlets

from leadsq.client.client import Client, client_for
from leadsq.client.reader import read_leadsquared
from leadsq.client.settings import UNSET
from leadsq.contract import report_to_body
from leadsq.errors import LeadsqError, QueryError
from leadsq.notebook.account_choices import ChoicesUnavailable, describe, load_choices
from leadsq.notebook.form_fields import Field, check_filter, group_fields, number_fields
from leadsq.notebook.form_inputs import FilterRow
from leadsq.notebook.form_state import FormState, form_kwargs
from leadsq.notebook.form_view import FormView
from leadsq.query.build import build_report, normalise_endpoint
from leadsq.query.code import to_code

__all__ = ["QueryBuilder"]

logger = logging.getLogger(__name__)

_PREFERRED_COLUMNS = (
    "ProspectID",
    "FirstName",
    "LastName",
    "ProspectStage",
    "OwnerId",
    "EngagementScore",
    "CreatedOn",
)


class QueryBuilder(FormView):
    """A form that builds a LeadSquared analytics query, shows its code and runs it.

    Parameters
    ----------
    host, access_key, secret_key, analytics_url : str, optional
        The connection, as for :func:`leadsq.read_leadsquared`; what is not given comes
        from the configured places (``leadsq.configure``, ``LSQ_*`` variables, the
        config file). ``host="sandbox"`` uses the built-in sandbox. The keys never
        appear in the form, its code or its query.
    client : Client, optional
        The :class:`~leadsq.Client` to read with, instead of the connection keywords.
    endpoint : {"distribution", "not_contacted"}
        The endpoint chosen at first.
    progress : bool, default True
        Show a progress bar while reading.
    **kwargs
        Passed to ``ipywidgets.VBox`` (``layout=``, ...).

    Attributes
    ----------
    query : dict
        Traitlet: the keyword arguments of :func:`leadsq.read_leadsquared` for the form
        (connection excluded); ``{}`` while the form does not make a valid query.
    body : dict
        Traitlet: the JSON body the query sends.
    code : str
        Traitlet: the equivalent ``pd.read_leadsquared(...)`` call.
    error : str
        Traitlet: the message shown in the form's error area; ``""`` when none.
    notice : str
        Traitlet: what the form could not load from the account (owners, activity
        types) while it still works without it, naming the host and the error; ``""``
        when none.
    frame : DataFrame or None
        The frame of the last successful run.
    figure : matplotlib.figure.Figure or None
        The plot of the last aggregate run.
    """

    query = traitlets.Dict(help="read_leadsquared keyword arguments of the form")
    body = traitlets.Dict(help="the JSON body of the query")
    code = traitlets.Unicode(help="the equivalent pd.read_leadsquared(...) call")

    def __init__(
        self,
        host: str | None = None,
        access_key: str | None = None,
        secret_key: str | None = None,
        analytics_url: str | None = None,
        *,
        client: Client | None = None,
        endpoint: str = "distribution",
        progress: bool = True,
        **kwargs: Any,
    ) -> None:
        self._client = client_for(client, host, access_key, secret_key, analytics_url)
        self._shown = {"host": host, "analytics_url": analytics_url}  # in the form's code
        self._progress = progress
        self._pause_depth = 0
        self._fields: dict[str, Field] = {}
        self._zone: tzinfo = timezone.utc  # whose calendar the dates follow, once loaded
        self._setup_error = ""
        self.frame: pd.DataFrame | None = None
        self.figure: Any = None
        super().__init__(normalise_endpoint(endpoint), **kwargs)
        with self._paused():
            self._load_choices()
            self._show_parts()
        self._wire()
        self._update()

    def _wire(self) -> None:
        for child in (self._endpoint, self._output, self._aggregate):
            child.observe(self._on_part_change, "value")
        for child in (
            self._users,
            self._activities,
            self._columns,
            self._group_by,
            self._aggregate_field,
            self._all_rows,
            self._cache,
            self._created,
            self._modified,
            self._activity_window,
        ):
            child.observe(self._on_input_change, "value")
        self._max_results.observe(self._on_max_results_change, "value")
        self._add_filter.on_click(self._on_add_filter_click)
        self._run.on_click(self._on_run_click)

    def _load_choices(self) -> None:
        """Fill the pickers from the account; on failure, keep the reason to show it."""
        try:
            choices = load_choices(self._client)
        except ChoicesUnavailable as exc:
            self._setup_error = str(exc)
            self._set_notice(())
            return
        self._setup_error = ""
        self._set_notice(choices.problems)
        self._zone = choices.zone
        self._fields = {item.name: item for item in choices.fields}
        columns = [item.choice for item in choices.fields]
        self._offer(self._users, choices.users)
        self._offer(self._activities, choices.activities)
        self._offer(self._columns, columns)
        self._columns.value = tuple(n for n in _PREFERRED_COLUMNS if n in self._fields) or tuple(
            name for _, name in columns[:5]
        )
        groups = [item.choice for item in group_fields(choices.fields)]
        self._group_by.options = groups
        self._group_by.value = _first(self._fields, ("ProspectStage", "OwnerId"), groups)
        numbers = [item.choice for item in number_fields(choices.fields)]
        self._aggregate_field.options = numbers
        self._aggregate_field.value = _first(self._fields, ("EngagementScore",), numbers)

    @contextmanager
    def _paused(self) -> Iterator[None]:
        """Hold back updates while the widget sets its own children; one update after."""
        self._pause_depth += 1
        try:
            yield
        finally:
            self._pause_depth -= 1

    # ----------------------------------------------------------------- handlers

    def _on_part_change(self, _change: Any) -> None:
        self._show_parts()
        self._update()

    def _on_input_change(self, _change: Any) -> None:
        self._update()

    def _on_max_results_change(self, _change: Any) -> None:
        with self._paused():
            self._all_rows.value = False  # a number typed is a number wanted
        self._update()

    def _on_filter_remove(self, row: FilterRow) -> None:
        self._filters.children = [child for child in self._filters.children if child is not row]
        self._update()

    def _on_add_filter_click(self, _button: widgets.Button) -> None:
        self.add_filter()

    def _on_run_click(self, _button: widgets.Button) -> None:
        self.run()

    # ----------------------------------------------------------------- public

    def add_filter(
        self, field: str | None = None, operator: str | None = None, value: Any = None
    ) -> None:
        """Add a lead-filter row, as the "Add filter" button does.

        Parameters
        ----------
        field : str, optional
            The row's lead field (``SchemaName``); default the first field.
        operator : str, optional
            One of the operators that fit the field (pandas' ``==`` and ``!=`` are read
            as ``=`` and ``<>``, as ``filters=`` reads them); default the first of them.
        value : optional
            What the row's input holds: a number, a ``date``, ``True``/``False``, a
            string, or a list of a Select field's options for ``in``.

        Raises
        ------
        QueryError
            For a field the account does not have, an operator that does not fit the
            field, or a value its input cannot hold. The form is left as it was.
        """
        if not self._fields:
            self._set_error(self._setup_error or "No lead fields are known: cannot add a filter.")
            return
        chosen = None if field is None else check_filter(self._fields, field, operator, value)
        with self._paused():
            row = FilterRow(self._fields)
            if field is not None and chosen is not None:
                try:
                    row.set(field, chosen, value)
                except traitlets.TraitError:
                    row.close()
                    raise QueryError(
                        f"add_filter: {value!r} does not fit {field} under {chosen!r}"
                    ) from None
            row.observe(self._on_input_change, "value")
            row.on_remove(self._on_filter_remove)
            self._filters.children = [*self._filters.children, row]
        self._update()

    def run(self) -> pd.DataFrame | None:
        """Read the form's query, as the Run button does.

        Returns
        -------
        DataFrame or None
            The frame, also kept in :attr:`frame` and shown below the form with, for an
            aggregate, its plot (kept in :attr:`figure`). ``None`` when the query is not
            valid or the read failed; the reason is shown in the form and in :attr:`error`.
        """
        if self._setup_error:  # the account was unreachable: try again first
            with self._paused():
                self._load_choices()
        self._update()
        if self.error:
            return None
        self._run.disabled = True
        self._status.value = "Reading…"
        self._result.clear_output()
        started = time.perf_counter()
        try:
            frame, figure = self._read()
        except Exception as exc:  # shown in the form, never as a traceback
            logger.debug("QueryBuilder run failed", exc_info=True)
            known = isinstance(exc, LeadsqError)
            self._status.value = ""
            self._set_error(describe(exc) if known else f"Unexpected error: {describe(exc)}")
            return None
        finally:
            self._run.disabled = False
        self.frame, self.figure = frame, figure
        seconds = time.perf_counter() - started
        self._status.value = f"{len(frame):,} rows in {seconds:.1f} s"
        self._show_result(frame, figure)
        return frame

    def _read(self) -> tuple[pd.DataFrame, Any]:
        """Read the query, its progress bar in the result area; the frame and its plot."""
        failure: Exception | None = None
        # an exception leaving ``with output:`` would be shown there as a traceback (and
        # swallowed) by ipywidgets in a kernel: catch it inside, raise it outside
        with self._result:
            try:
                frame = read_leadsquared(
                    self.query["endpoint"],
                    body=self.body,
                    max_results=self.query.get("max_results"),
                    progress=self._progress,
                    client=self._client,
                    cache=self.query.get("cache", UNSET),
                )
            except Exception as exc:
                failure = exc
        if failure is not None:
            raise failure
        assert isinstance(frame, pd.DataFrame)
        figure = _plot(frame) if self.body["Output"]["Type"] == "Aggregate" else None
        return frame, figure

    # ----------------------------------------------------------------- state

    def _state(self) -> FormState:
        return FormState(
            endpoint=self._endpoint.value,
            users=tuple(self._users.value),
            filters=tuple(row.value for row in self._filters.children),
            activities=tuple(self._activities.value),
            created=self._created.argument("created"),
            modified=self._modified.argument("modified"),
            activity_window=self._activity_window.argument("activity_window"),
            output=self._output.value,
            columns=tuple(self._columns.value),
            group_by=self._group_by.value,
            aggregate=self._aggregate.value,
            aggregate_field=self._aggregate_field.value,
            max_results=None if self._all_rows.value else self._max_results.value,
            cache=self._cache.value,
            field_types={name: item.data_type for name, item in self._fields.items()},
        )

    def _update(self) -> None:
        """Rebuild the query from the form; refresh the code, the body and the errors.

        The last run's status and result are cleared: they describe another query.
        """
        if self._pause_depth:
            return
        self._count_picked()
        self._status.value = ""
        self._result.clear_output()
        try:
            if self._setup_error:
                raise _SetupError(self._setup_error)
            query = form_kwargs(self._state())
            args = {k: v for k, v in query.items() if k not in ("max_results", "cache")}
            report = build_report(args.pop("endpoint"), **args, zone=self._zone)
            extra = {**self._code_extra(), **{k: query[k] for k in ("cache",) if k in query}}
            code = to_code(report, max_results=query.get("max_results"), extra=extra)
        except (_SetupError, LeadsqError) as exc:
            self.query, self.body, self.code = {}, {}, ""
            self._set_error(str(exc) if isinstance(exc, _SetupError) else describe(exc))
        else:
            self.body = report_to_body(report)
            self.code = code
            self.query = query
            self._set_error("")
        self._show_query(self.code, json.dumps(self.body, indent=2) if self.body else "{}")

    def _code_extra(self) -> dict[str, str]:
        return {name: str(value) for name, value in self._shown.items() if value}


class _SetupError(Exception):
    """The form has no fields to offer: its message says why."""


def _first(fields: dict[str, Field], preferred: tuple[str, ...], choices: list) -> Any:
    for name in preferred:
        if name in fields and any(value == name for _, value in choices):
            return name
    return choices[0][1] if choices else None


def _plot(frame: pd.DataFrame) -> Any:
    from matplotlib.figure import Figure

    figure = Figure(figsize=(8, 4.5), layout="constrained")
    frame.lsq.plot(ax=figure.subplots())
    return figure
