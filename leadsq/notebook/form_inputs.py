"""The query form's compound inputs: a date range and a lead-filter row.

Each *is* an ``ipywidgets.HBox`` whose ``value`` traitlet holds what it says in plain
values; the rules behind them (which operators and inputs fit a field) are
:mod:`leadsq.notebook.form_fields`'s.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import ipywidgets as widgets
import traitlets

from leadsq.notebook.form_fields import Field, operators_for, value_kind
from leadsq.notebook.form_state import DATE_PRESETS, FilterState, date_range

__all__ = ["DateRange", "FilterRow", "label_style", "shown"]

LABEL_WIDTH = "120px"


def label_style() -> dict[str, str]:
    """A fresh ``style=`` that gives a description the form's label width."""
    return {"description_width": LABEL_WIDTH}


def shown(widget: widgets.DOMWidget, visible: bool) -> None:
    """Show or hide ``widget`` (it keeps its place among its siblings)."""
    widget.layout.display = None if visible else "none"


class DateRange(widgets.HBox):
    """A date range: a preset (``last 30 days``, ...) or two days picked.

    ``value`` is ``(preset, first day, last day)``; :meth:`argument` turns it into a
    ``created=``-style argument.
    """

    value = traitlets.Tuple(("any time", None, None))

    def __init__(self, description: str) -> None:
        self._preset = widgets.Dropdown(
            options=DATE_PRESETS,
            value="any time",
            description=description,
            style=label_style(),
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
        shown(self._start, custom)
        shown(self._end, custom)
        self.value = (self._preset.value, self._start.value, self._end.value)

    def argument(self, name: str) -> Any:
        """The range as the ``name=`` argument (see :func:`~leadsq.notebook.form_state.date_range`)."""
        return date_range(*self.value, name=name)


class FilterRow(widgets.HBox):
    """One lead filter: field, operator fitting its type, and an input fitting both.

    ``value`` is the row's :class:`~leadsq.notebook.form_state.FilterState`, set once the row
    has settled after a change (a new field resets the operator and the input first).
    """

    value = traitlets.Instance(FilterState, allow_none=True)

    def __init__(self, fields: dict[str, Field]) -> None:
        self._fields = fields
        self._settling = False
        self._kind = ""
        self._remove_handlers: list[Callable[[FilterRow], None]] = []
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

    def on_remove(self, handler: Callable[[FilterRow], None]) -> None:
        """Call ``handler(row)`` when the row's remove button is clicked."""
        self._remove_handlers.append(handler)

    @property
    def field(self) -> Field | None:
        return self._fields.get(self._field.value) if self._field.value else None

    def _input(self) -> widgets.ValueWidget | None:
        children = self._value.children
        return children[0] if children else None

    def _on_field_change(self, _change: Any = None) -> None:
        field = self.field
        self._kind = ""  # a new field needs a new input, even of the same kind
        self._settling = True
        try:
            options = operators_for(field.data_type) if field else []
            self._operator.options = options
            self._operator.value = options[0][1] if options else None
        finally:
            self._settling = False
        self._on_operator_change()

    def _on_operator_change(self, _change: Any = None) -> None:
        if self._settling:
            return
        field, operator = self.field, self._operator.value
        kind = value_kind(field.data_type, operator) if field and operator else "none"
        if kind != self._kind:  # keep what was typed when the input still fits
            self._kind = kind
            value_input = _value_input(kind, field)
            if value_input is not None:
                value_input.observe(self._on_input_change, "value")
            self._value.children = [value_input] if value_input is not None else []
        self._on_input_change()

    def _on_input_change(self, _change: Any = None) -> None:
        value_input = self._input()
        self.value = FilterState(
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


def _value_input(kind: str, field: Field | None) -> widgets.ValueWidget | None:
    """A fresh input for a value of ``kind`` (see :func:`~leadsq.notebook.form_fields.value_kind`)."""
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
