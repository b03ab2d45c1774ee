"""``leadsq.QueryBuilder``: a form in the notebook that builds, shows and runs a query.

The form *is* an ``ipywidgets.VBox``. It asks the account for its lead fields, users and
activity types, so every picker offers what the account has; every change rebuilds the
query and shows the equivalent ``pd.read_leadsquared(...)`` call and the JSON body, so a
notebook can be re-run without the form. Run reads with a progress bar and shows the
frame and, for an aggregate, its plot. Errors (a bad value, a refused request, wrong
keys) appear in the form, never as a traceback.

The rules behind the pickers live in :mod:`leadsq.notebook.widget_model`, which has no widgets.
Plain ipywidgets 8, no custom JavaScript: it works in JupyterLab, Notebook 7 and Voila.

Examples
--------
>>> builder = leadsq.QueryBuilder(host="sandbox")  # doctest: +SKIP
>>> builder                                        # doctest: +SKIP
>>> builder.query        # read_leadsquared keyword arguments; observe() works
>>> builder.frame        # the last frame read
"""

from __future__ import annotations

import html
import io
import json
import logging
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from datetime import timezone, tzinfo
from typing import Any

import ipywidgets as widgets
import pandas as pd
import traitlets
from IPython.display import HTML, Image, display

from leadsq.client import metadata
from leadsq.client.client import Client, client_for
from leadsq.client.reader import read_leadsquared
from leadsq.client.settings import UNSET
from leadsq.contract import did_you_mean, report_to_body
from leadsq.errors import LeadsqError, QueryError
from leadsq.notebook import widget_model as model
from leadsq.query.build import build_report, lead_operator, normalise_endpoint
from leadsq.query.code import to_code

__all__ = ["QueryBuilder"]

logger = logging.getLogger(__name__)

_LABEL_WIDTH = "120px"
_GUID = r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"
_PICKER_ROWS = 10  # a multi-select shows up to this many options at once
_NONE_SELECTED = {
    "users": "none selected = all owners",
    "activities": "none selected = any activity counts as contact",
    "columns": "pick at least one",
}
_PREFERRED_COLUMNS = (
    "ProspectID",
    "FirstName",
    "LastName",
    "ProspectStage",
    "OwnerId",
    "EngagementScore",
    "CreatedOn",
)


# children with a CSS class lsq-<name>: stable hooks for page tests and custom styles
_TAGGED = (
    "endpoint",
    "users",
    "add_filter",
    "activities",
    "output",
    "columns",
    "group_by",
    "aggregate",
    "aggregate_field",
    "max_results",
    "all_rows",
    "run",
    "status",
    "error",
    "code_view",
    "body_view",
    "result",
)


def _style() -> dict[str, str]:
    return {"description_width": _LABEL_WIDTH}


def _shown(widget: widgets.DOMWidget, visible: bool) -> None:
    widget.layout.display = None if visible else "none"


class _DateRange(widgets.HBox):
    """A date range: a preset (``last 30 days``, ...) or two days picked.

    ``value`` is ``(preset, first day, last day)``; :meth:`argument` turns it into a
    ``created=``-style argument.
    """

    value = traitlets.Tuple(("any time", None, None))

    def __init__(self, description: str) -> None:
        self._preset = widgets.Dropdown(
            options=model.DATE_PRESETS,
            value="any time",
            description=description,
            style=_style(),
            layout=widgets.Layout(width="300px"),
        )
        self._start = widgets.DatePicker(description="from", layout=widgets.Layout(width="200px"))
        self._end = widgets.DatePicker(description="to", layout=widgets.Layout(width="200px"))
        super().__init__(children=[self._preset, self._start, self._end])
        for child in (self._preset, self._start, self._end):
            child.observe(self._on_child_change, "value")
        self._on_child_change()

    def _on_child_change(self, _change: Any = None) -> None:
        custom = self._preset.value == "custom"
        _shown(self._start, custom)
        _shown(self._end, custom)
        self.value = (self._preset.value, self._start.value, self._end.value)

    def argument(self, name: str) -> Any:
        """The range as the ``name=`` argument (see :func:`~leadsq.notebook.widget_model.date_range`)."""
        return model.date_range(*self.value, name=name)


class _FilterRow(widgets.HBox):
    """One lead filter: field, operator fitting its type, and an input fitting both.

    ``value`` is the row's :class:`~leadsq.notebook.widget_model.FilterState`, set once the row
    has settled after a change (a new field resets the operator and the input first).
    """

    value = traitlets.Instance(model.FilterState, allow_none=True)

    def __init__(self, fields: dict[str, model.Field]) -> None:
        self._fields = fields
        self._settling = False
        self._kind = ""
        self._remove_handlers: list[Callable[[_FilterRow], None]] = []
        self._field = widgets.Dropdown(
            options=[item.choice for item in fields.values()],
            layout=widgets.Layout(width="280px"),
        )
        self._operator = widgets.Dropdown(layout=widgets.Layout(width="150px"))
        self._value = widgets.Box(layout=widgets.Layout(width="300px"))
        self._remove = widgets.Button(
            icon="times", tooltip="Remove this filter", layout=widgets.Layout(width="36px")
        )
        for name in ("field", "operator", "value"):
            getattr(self, f"_{name}").add_class(f"lsq-filter-{name}")
        super().__init__(children=[self._field, self._operator, self._value, self._remove])
        self.add_class("lsq-filter")
        self._field.observe(self._on_field_change, "value")
        self._operator.observe(self._on_operator_change, "value")
        self._remove.on_click(self._on_remove_click)
        self._on_field_change()

    def on_remove(self, handler: Callable[[_FilterRow], None]) -> None:
        """Call ``handler(row)`` when the row's remove button is clicked."""
        self._remove_handlers.append(handler)

    @property
    def field(self) -> model.Field | None:
        return self._fields.get(self._field.value) if self._field.value else None

    def _input(self) -> widgets.ValueWidget | None:
        children = self._value.children
        return children[0] if children else None

    def _on_field_change(self, _change: Any = None) -> None:
        field = self.field
        self._kind = ""  # a new field needs a new input, even of the same kind
        self._settling = True
        try:
            options = model.operators_for(field.data_type) if field else []
            self._operator.options = options
            self._operator.value = options[0][1] if options else None
        finally:
            self._settling = False
        self._on_operator_change()

    def _on_operator_change(self, _change: Any = None) -> None:
        if self._settling:
            return
        field, operator = self.field, self._operator.value
        kind = model.value_kind(field.data_type, operator) if field and operator else "none"
        if kind != self._kind:  # keep what was typed when the input still fits
            self._kind = kind
            value_input = _value_input(kind, field)
            if value_input is not None:
                value_input.observe(self._on_input_change, "value")
            self._value.children = [value_input] if value_input is not None else []
        self._on_input_change()

    def _on_input_change(self, _change: Any = None) -> None:
        value_input = self._input()
        self.value = model.FilterState(
            self._field.value,
            self._operator.value,
            value_input.value if value_input is not None else None,
        )

    def _on_remove_click(self, _button: widgets.Button) -> None:
        for handler in self._remove_handlers:
            handler(self)

    def set(self, field: str, operator: str, value: Any = None) -> None:
        """Set the row's field, operator and input value."""
        self._field.value = field
        self._operator.value = operator
        value_input = self._input()
        if value_input is not None and value is not None:
            value_input.value = tuple(value) if isinstance(value, list) else value


def _value_input(kind: str, field: model.Field | None) -> widgets.ValueWidget | None:
    """A fresh input for a value of ``kind`` (see :func:`~leadsq.notebook.widget_model.value_kind`)."""
    layout = widgets.Layout(width="290px")
    options = field.options if field else ()
    if kind == "none":
        return None
    if kind == "number":
        return widgets.FloatText(value=0, layout=layout)
    if kind == "date":
        return widgets.DatePicker(layout=layout)
    if kind == "boolean":
        return widgets.Dropdown(options=[("true", True), ("false", False)], layout=layout)
    if kind == "choice":
        return widgets.Dropdown(options=options, layout=layout)
    if kind == "choices":
        return widgets.SelectMultiple(
            options=options, rows=min(max(len(options), 2), 5), layout=layout
        )
    placeholder = "values, comma-separated" if kind == "texts" else "value"
    return widgets.Text(placeholder=placeholder, layout=layout)


class QueryBuilder(widgets.VBox):
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
    frame : DataFrame or None
        The frame of the last successful run.
    figure : matplotlib.figure.Figure or None
        The plot of the last aggregate run.
    """

    query = traitlets.Dict(help="read_leadsquared keyword arguments of the form")
    body = traitlets.Dict(help="the JSON body of the query")
    code = traitlets.Unicode(help="the equivalent pd.read_leadsquared(...) call")
    error = traitlets.Unicode(help="the error shown in the form")

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
        endpoint = normalise_endpoint(endpoint)
        self._progress = progress
        self._pause_depth = 0
        self._fields: dict[str, model.Field] = {}
        self._zone: tzinfo = timezone.utc  # whose calendar the dates follow, once loaded
        self._setup_error = ""
        self.frame: pd.DataFrame | None = None
        self.figure: Any = None
        self._make_children(endpoint)
        super().__init__(children=self._layout(), **kwargs)
        self.add_class("lsq-query-builder")
        with self._paused():
            self._load_metadata()
            self._on_endpoint_change()
            self._on_output_change()
            self._on_aggregate_change()
        self._wire()
        self._update()

    # ----------------------------------------------------------------- building

    def _make_children(self, endpoint: str) -> None:
        self._title = widgets.HTML("<h3 style='margin:4px 0'>LeadSquared query</h3>")
        self._endpoint = widgets.ToggleButtons(
            options=[("Lead distribution", "distribution"), ("Not contacted", "not_contacted")],
            value=endpoint,
            description="Endpoint",
            style=_style(),
        )
        self._users = widgets.SelectMultiple(
            description="Owners", rows=4, style=_style(), layout=widgets.Layout(width="460px")
        )
        self._filters = widgets.VBox()
        self._add_filter = widgets.Button(description="Add filter", icon="plus")
        self._activities = widgets.SelectMultiple(
            description="Contact is", rows=4, style=_style(), layout=widgets.Layout(width="460px")
        )
        self._created = _DateRange("Created")
        self._modified = _DateRange("Modified")
        self._activity_window = _DateRange("Contact window")
        self._output = widgets.ToggleButtons(
            options=[("List of leads", "list"), ("Aggregate", "aggregate")],
            description="Output",
            style=_style(),
        )
        self._columns = widgets.SelectMultiple(
            description="Columns", rows=6, style=_style(), layout=widgets.Layout(width="460px")
        )
        self._group_by = widgets.Dropdown(
            description="Group by", style=_style(), layout=widgets.Layout(width="380px")
        )
        self._aggregate = widgets.Dropdown(
            options=model.AGGREGATES, value="count", layout=widgets.Layout(width="110px")
        )
        self._aggregate_field = widgets.Dropdown(layout=widgets.Layout(width="330px"))
        self._max_results = widgets.BoundedIntText(
            value=1000,
            min=1,
            max=10**9,
            description="Max rows",
            tooltip="Typing a number reads at most that many rows",
            style=_style(),
            layout=widgets.Layout(width="240px"),
        )
        self._cache = widgets.Dropdown(
            options=model.CACHE_CHOICES,
            value=None,
            description="Cache",
            tooltip="answer an identical read from disk, with no call, when younger than this",
            style=_style(),
            layout=widgets.Layout(width="240px"),
        )
        self._all_rows = widgets.Checkbox(
            value=True, description="all rows", indent=False, layout=widgets.Layout(width="120px")
        )
        self._counts = {
            name: widgets.HTML(layout=widgets.Layout(margin="0 0 0 8px", width="320px"))
            for name in ("users", "activities", "columns")
        }
        self._run = widgets.Button(description="Run", icon="play", button_style="primary")
        self._status = widgets.HTML()
        self._error = widgets.HTML()
        self._code_view = widgets.HTML()
        self._body_view = widgets.HTML()
        self._views = widgets.Tab(
            children=[self._code_view, self._body_view], titles=("Code", "JSON body")
        )
        self._result = widgets.Output()
        for name in _TAGGED:
            getattr(self, f"_{name}").add_class(f"lsq-{name.replace('_', '-')}")

    def _layout(self) -> list[widgets.Widget]:
        self._activities_box = widgets.VBox(
            [widgets.HBox([self._activities, self._counts["activities"]]), self._activity_window]
        )
        self._aggregate_box = widgets.HBox([self._group_by, self._aggregate, self._aggregate_field])
        filters = widgets.VBox(
            [widgets.HTML("<b>Lead filters</b> (all must hold)"), self._filters, self._add_filter]
        )
        self._columns_box = widgets.HBox([self._columns, self._counts["columns"]])
        return [
            self._title,
            self._endpoint,
            widgets.HBox([self._users, self._counts["users"]]),
            filters,
            self._activities_box,
            self._created,
            self._modified,
            self._output,
            self._columns_box,
            self._aggregate_box,
            widgets.HBox([self._max_results, self._all_rows, self._cache]),
            widgets.HBox([self._run, self._status]),
            self._error,
            self._views,
            self._result,
        ]

    def _wire(self) -> None:
        self._endpoint.observe(self._on_endpoint_change, "value")
        self._output.observe(self._on_output_change, "value")
        self._aggregate.observe(self._on_aggregate_change, "value")
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

    def _load_metadata(self) -> None:
        """Fill the pickers from the account; on failure, keep the reason to show it."""
        try:
            connection = self._client.connection
            fields = model.fields_from_metadata(metadata.lead_fields(connection))
            users = model.user_options(metadata.users(connection))
            activities = model.activity_options(metadata.activity_types(connection))
            zone = metadata.time_zone(connection)
        except LeadsqError as exc:
            self._setup_error = f"Could not load the account's fields: {_describe(exc)}"
            return
        self._setup_error = ""
        self._zone = zone
        self._fields = {item.name: item for item in fields}
        choices = [item.choice for item in fields]
        for picker, options in (
            (self._users, users),
            (self._activities, activities),
            (self._columns, choices),
        ):
            picker.options = options
            picker.rows = min(max(len(options), 2), _PICKER_ROWS)
        self._columns.value = tuple(n for n in _PREFERRED_COLUMNS if n in self._fields) or tuple(
            name for _, name in choices[:5]
        )
        groups = [item.choice for item in model.group_fields(fields)]
        self._group_by.options = groups
        self._group_by.value = _first(self._fields, ("ProspectStage", "OwnerId"), groups)
        numbers = [item.choice for item in model.number_fields(fields)]
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

    def _on_endpoint_change(self, _change: Any = None) -> None:
        _shown(self._activities_box, self._endpoint.value == "not_contacted")
        self._update()

    def _on_output_change(self, _change: Any = None) -> None:
        aggregate = self._output.value == "aggregate"
        _shown(self._columns_box, not aggregate)
        _shown(self._aggregate_box, aggregate)
        self._update()

    def _on_aggregate_change(self, _change: Any = None) -> None:
        self._aggregate_field.disabled = self._aggregate.value == "count"
        self._update()

    def _on_input_change(self, _change: Any) -> None:
        self._update()

    def _on_max_results_change(self, _change: Any) -> None:
        with self._paused():
            self._all_rows.value = False  # a number typed is a number wanted
        self._update()

    def _on_filter_change(self, _change: Any) -> None:
        self._update()

    def _on_filter_remove(self, row: _FilterRow) -> None:
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
        chosen = None if field is None else self._check_filter(field, operator, value)
        with self._paused():
            row = _FilterRow(self._fields)
            if field is not None and chosen is not None:
                try:
                    row.set(field, chosen, value)
                except traitlets.TraitError:
                    row.close()
                    raise QueryError(
                        f"add_filter: {value!r} does not fit {field} under {chosen!r}"
                    ) from None
            row.observe(self._on_filter_change, "value")
            row.on_remove(self._on_filter_remove)
            self._filters.children = [*self._filters.children, row]
        self._update()

    def _check_filter(self, field: str, operator: str | None, value: Any) -> str:
        """The operator of a row ``add_filter`` is asked for, once field, operator and
        value are known to fit; a QueryError naming the first that does not."""
        if field not in self._fields:
            raise QueryError(
                f"add_filter: unknown lead field {field!r}{did_you_mean(str(field), self._fields)}"
            )
        item = self._fields[field]
        operators = [op for _, op in model.operators_for(item.data_type)]
        chosen = operators[0] if operator is None else lead_operator(operator)
        if chosen not in operators:
            raise QueryError(
                f"add_filter: operator {operator!r} does not apply to {item.data_type} field "
                f"{field}; use one of {', '.join(operators)}"
                f"{did_you_mean(str(operator), operators)}"
            )
        kind = model.value_kind(item.data_type, str(chosen))
        if kind in ("choice", "choices") and value is not None:
            values = [value] if kind == "choice" or isinstance(value, str) else list(value)
            for one in values:
                if one not in item.options:
                    raise QueryError(
                        f"add_filter: {one!r} is not an option of {field}"
                        f"{did_you_mean(str(one), item.options)}; its options are "
                        f"{', '.join(item.options)}"
                    )
        return str(chosen)

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
                self._load_metadata()
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
            self._set_error(_describe(exc) if known else f"Unexpected error: {_describe(exc)}")
            return None
        finally:
            self._run.disabled = False
        self.frame, self.figure = frame, figure
        seconds = time.perf_counter() - started
        self._status.value = f"{len(frame):,} rows in {seconds:.1f} s"
        self._show(frame, figure)
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

    def _state(self) -> model.FormState:
        return model.FormState(
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
            query = model.form_kwargs(self._state())
            args = {k: v for k, v in query.items() if k not in ("max_results", "cache")}
            report = build_report(args.pop("endpoint"), **args, zone=self._zone)
            extra = {**self._code_extra(), **{k: query[k] for k in ("cache",) if k in query}}
            code = to_code(report, max_results=query.get("max_results"), extra=extra)
        except _SetupError as exc:
            self.query, self.body, self.code = {}, {}, ""
            self._set_error(str(exc))
        except LeadsqError as exc:
            self.query, self.body, self.code = {}, {}, ""
            self._set_error(_describe(exc))
        else:
            self.body = report_to_body(report)
            self.code = code
            self.query = query
            self._set_error("")
        self._code_view.value = _pre(self.code or "# the form does not make a valid query yet")
        self._body_view.value = _pre(json.dumps(self.body, indent=2) if self.body else "{}")

    def _count_picked(self) -> None:
        """ "3 of 23 selected" beside each multi-select, or what picking none means."""
        for name, label in self._counts.items():
            picker = getattr(self, f"_{name}")
            picked, offered = len(picker.value), len(picker.options)
            label.value = (
                f"<small>{picked} of {offered} selected</small>"
                if picked
                else f"<small>{offered} offered; {_NONE_SELECTED[name]}</small>"
            )

    def _code_extra(self) -> dict[str, str]:
        return {name: str(value) for name, value in self._shown.items() if value}

    def _set_error(self, message: str) -> None:
        self.error = message
        self._error.value = (
            f"<div style='color:#b00020;white-space:pre-wrap'>&#9888; {html.escape(message)}</div>"
            if message
            else ""
        )

    def _show(self, frame: pd.DataFrame, figure: Any) -> None:
        with self._result:
            if figure is not None:
                display(Image(data=_png(figure)))
            with pd.option_context(
                "display.max_rows", 50, "display.min_rows", 20, "display.show_dimensions", True
            ):
                display(_readable(frame))
            if frame.empty:
                display(HTML("<i>No leads match this query.</i>"))


class _SetupError(Exception):
    """The form has no fields to offer: its message says why."""


def _readable(frame: pd.DataFrame) -> pd.DataFrame:
    """The frame to show: owner names beside ``OwnerId`` when the users are known, and
    ids (GUIDs) cut to their first 8 characters, so a row stays one line. Display only:
    :attr:`QueryBuilder.frame` keeps them whole."""
    if "OwnerId" in frame.columns or "OwnerId" in frame.index.names:
        with suppress(LeadsqError):
            frame = frame.lsq.with_owner_names()
    shown = frame.copy()
    for name in shown.columns:
        if _is_guid_column(shown[name]):
            shown[name] = shown[name].str.slice(0, 8) + "…"
    if _is_guid_column(shown.index.to_series()):
        shown.index = shown.index.str.slice(0, 8) + "…"
    return shown


def _is_guid_column(values: pd.Series) -> bool:
    if not (pd.api.types.is_string_dtype(values) and len(values.dropna())):
        return False
    return bool(values.dropna().astype(str).str.fullmatch(_GUID).all())


def _first(fields: dict[str, model.Field], preferred: tuple[str, ...], choices: list) -> Any:
    for name in preferred:
        if name in fields and any(value == name for _, value in choices):
            return name
    return choices[0][1] if choices else None


def _describe(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {exc}"


def _pre(text: str) -> str:
    return (
        "<pre style='margin:0;padding:6px 8px;background:#f6f8fa;white-space:pre;"
        "overflow-x:auto;font-family:monospace;font-size:12px;line-height:1.35'>"
        f"{html.escape(text)}</pre>"
    )


def _plot(frame: pd.DataFrame) -> Any:
    from matplotlib.figure import Figure

    figure = Figure(figsize=(8, 4.5), layout="constrained")
    frame.lsq.plot(ax=figure.subplots())
    return figure


def _png(figure: Any) -> bytes:
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=90)
    return buffer.getvalue()
