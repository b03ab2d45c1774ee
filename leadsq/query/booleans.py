"""Booleans: the one owner of how they are written and read.

People write ``True``, ``1``, ``"true"`` or ``"yes"``; the service stores and compares
Boolean fields as ``"1"``/``"0"`` (:data:`leadsq.contract.BOOLEAN_VALUES`) and answers a
``"true"`` filter with an error. So every Boolean value on its way into a request passes
through :func:`boolean_text` (from :func:`leadsq.query.values.format_value`, a Boolean field's
filters, the form and the cell magic), and answers are read by the same words
(:mod:`leadsq.frames`).
"""

from __future__ import annotations

import numbers

import numpy as np

from leadsq.contract import BOOLEAN_VALUES
from leadsq.errors import QueryError

__all__ = ["FALSE_WORDS", "TRUE_WORDS", "boolean_text"]

TRUE_WORDS = frozenset({"1", "true", "yes"})
"""Texts read as ``True`` (case-insensitive, spaces around ignored), in values and answers."""
FALSE_WORDS = frozenset({"0", "false", "no"})
"""Texts read as ``False``."""


def boolean_text(value: object, *, argument: str = "value") -> str:
    """The text a Boolean field's value is sent as: ``"1"`` or ``"0"``.

    Parameters
    ----------
    value : bool, numpy.bool_, int or str
        ``True``/``False``, ``1``/``0``, or a word of :data:`TRUE_WORDS` /
        :data:`FALSE_WORDS` in any case.
    argument : str, default "value"
        The argument name to put in an error message.

    Returns
    -------
    str
        One of :data:`leadsq.contract.BOOLEAN_VALUES`.

    Raises
    ------
    QueryError
        For any other value.
    """
    true, false = BOOLEAN_VALUES
    if isinstance(value, (bool, np.bool_)):
        return true if value else false
    word = str(value).strip().lower() if isinstance(value, (str, numbers.Integral)) else None
    if word in TRUE_WORDS:
        return true
    if word in FALSE_WORDS:
        return false
    raise QueryError(
        f"{argument}: {value!r} is not a Boolean value; write True or False "
        "(1/0, 'true'/'false' and 'yes'/'no' are read too)"
    )
