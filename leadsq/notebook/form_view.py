"""The query form's widgets and their layout: what the form shows, not what it does.

:class:`FormView` *is* an ``ipywidgets.VBox`` of private children, each with a CSS class
``lsq-<name>`` (stable hooks for page tests and custom styles). It fills pickers, shows or
hides parts, and shows a notice, an error, the code and body, and a result;
:class:`leadsq.notebook.widget.QueryBuilder` wires it to the query.
"""

from __future__ import annotations

import html
import io
from collections.abc import Sequence
from contextlib import suppress
from typing import Any

import ipywidgets as widgets
import pandas as pd
import traitlets
from IPython.display import HTML, Image, display

from leadsq.errors import LeadsqError
from leadsq.notebook.form_fields import AGGREGATES
from leadsq.notebook.form_inputs import DateRange, label_style, shown
from leadsq.notebook.form_state import CACHE_CHOICES

__all__ = ["FormView", "readable"]

_GUID = r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"
_PICKER_ROWS = 10  # a multi-select shows up to this many options at once
_NONE_SELECTED = {
    "users": "none selected = all owners",
    "activities": "none selected = any activity counts as contact",
    "columns": "pick at least one",
}
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
    "notice",
    "error",
    "code_view",
    "body_view",
    "result",
)


class FormView(widgets.VBox):
    """The form's children, laid out; see :class:`leadsq.notebook.widget.QueryBuilder`.

    Parameters
    ----------
    endpoint : str
        The endpoint chosen at first.
    **kwargs
        Passed to ``ipywidgets.VBox``.
    """

    error = traitlets.Unicode(help="the error shown in the form")
    notice = traitlets.Unicode(help="what the form could not load, shown above it")

    def __init__(self, endpoint: str, **kwargs: Any) -> None:
        self._make_children(endpoint)
        super().__init__(children=self._layout(), **kwargs)
        self.add_class("lsq-query-builder")

    def _make_children(self, endpoint: str) -> None:
        self._title = widgets.HTML("<h3 style='margin:4px 0'>LeadSquared query</h3>")
        self._notice = widgets.HTML()
        self._endpoint = widgets.ToggleButtons(
            options=[("Lead distribution", "distribution"), ("Not contacted", "not_contacted")],
            value=endpoint,
            description="Endpoint",
            style=label_style(),
        )
        self._users = widgets.SelectMultiple(
            description="Owners", rows=4, style=label_style(), layout=widgets.Layout(width="460px")
        )
        self._filters = widgets.VBox()
        self._add_filter = widgets.Button(description="Add filter", icon="plus")
        self._activities = widgets.SelectMultiple(
            description="Contact is",
            rows=4,
            style=label_style(),
            layout=widgets.Layout(width="460px"),
        )
        self._created = DateRange("Created")
        self._modified = DateRange("Modified")
        self._activity_window = DateRange("Contact window")
        self._output = widgets.ToggleButtons(
            options=[("List of leads", "list"), ("Aggregate", "aggregate")],
            description="Output",
            style=label_style(),
        )
        self._columns = widgets.SelectMultiple(
            description="Columns", rows=6, style=label_style(), layout=widgets.Layout(width="460px")
        )
        self._group_by = widgets.Dropdown(
            description="Group by", style=label_style(), layout=widgets.Layout(width="380px")
        )
        self._aggregate = widgets.Dropdown(
            options=AGGREGATES, value="count", layout=widgets.Layout(width="110px")
        )
        self._aggregate_field = widgets.Dropdown(layout=widgets.Layout(width="330px"))
        self._max_results = widgets.BoundedIntText(
            value=1000,
            min=1,
            max=10**9,
            description="Max rows",
            tooltip="Typing a number reads at most that many rows",
            style=label_style(),
            layout=widgets.Layout(width="240px"),
        )
        self._cache = widgets.Dropdown(
            options=CACHE_CHOICES,
            value=None,
            description="Cache",
            tooltip="answer an identical read from disk, with no call, when younger than this",
            style=label_style(),
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
            self._notice,
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

    # ----------------------------------------------------------------- showing

    def _offer(self, picker: widgets.Widget, options: Sequence[Any]) -> None:
        """Fill a multi-select, as tall as its options up to a limit."""
        picker.options = options
        picker.rows = min(max(len(options), 2), _PICKER_ROWS)

    def _show_parts(self) -> None:
        """Show what the endpoint and the output need, and no more."""
        shown(self._activities_box, self._endpoint.value == "not_contacted")
        aggregate = self._output.value == "aggregate"
        shown(self._columns_box, not aggregate)
        shown(self._aggregate_box, aggregate)
        self._aggregate_field.disabled = self._aggregate.value == "count"

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

    def _set_error(self, message: str) -> None:
        self.error = message
        self._error.value = _warning(message, "#b00020")

    def _set_notice(self, messages: Sequence[str]) -> None:
        self.notice = "\n".join(messages)
        self._notice.value = _warning(self.notice, "#8a6d00")

    def _show_query(self, code: str, body: str) -> None:
        self._code_view.value = _pre(code or "# the form does not make a valid query yet")
        self._body_view.value = _pre(body)

    def _show_result(self, frame: pd.DataFrame, figure: Any) -> None:
        with self._result:
            if figure is not None:
                display(Image(data=_png(figure)))
            with pd.option_context(
                "display.max_rows", 50, "display.min_rows", 20, "display.show_dimensions", True
            ):
                display(readable(frame))
            if frame.empty:
                display(HTML("<i>No leads match this query.</i>"))


def readable(frame: pd.DataFrame) -> pd.DataFrame:
    """The frame to show: owner names beside ``OwnerId`` when the users are known, and
    ids (GUIDs) cut to their first 8 characters, so a row stays one line. Display only:
    the form's ``frame`` keeps them whole."""
    if "OwnerId" in frame.columns or "OwnerId" in frame.index.names:
        with suppress(LeadsqError):
            frame = frame.lsq.with_owner_names()
    cut = frame.copy()
    for name in cut.columns:
        if _is_guid_column(cut[name]):
            cut[name] = cut[name].str.slice(0, 8) + "…"
    if _is_guid_column(cut.index.to_series()):
        cut.index = cut.index.str.slice(0, 8) + "…"
    return cut


def _is_guid_column(values: pd.Series) -> bool:
    if not (pd.api.types.is_string_dtype(values) and len(values.dropna())):
        return False
    return bool(values.dropna().astype(str).str.fullmatch(_GUID).all())


def _warning(message: str, color: str) -> str:
    if not message:
        return ""
    return f"<div style='color:{color};white-space:pre-wrap'>&#9888; {html.escape(message)}</div>"


def _pre(text: str) -> str:
    return (
        "<pre style='margin:0;padding:6px 8px;background:#f6f8fa;white-space:pre;"
        "overflow-x:auto;font-family:monospace;font-size:12px;line-height:1.35'>"
        f"{html.escape(text)}</pre>"
    )


def _png(figure: Any) -> bytes:
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=90)
    return buffer.getvalue()
