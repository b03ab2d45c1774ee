"""From answer bytes to typed DataFrames: the one table of field types to dtypes.

=================================================  ==========================
LeadSquared ``DataType`` (``LeadsMetaData.Get``)   pandas dtype
=================================================  ==========================
Number, in :data:`INTEGER_FIELDS`                  ``Int64``
Number, other fields                               ``Float64``
Date                                               ``datetime64[ns, UTC]``
Boolean                                            ``boolean``
Text, Email, Phone, Website, Select, Time, other   ``string``
aggregate ``Count``                                ``Int64``
aggregate ``Average_<field>``                      ``Float64``
aggregate ``Sum_<field>``                          the field's own dtype
=================================================  ==========================

A column is typed by its ``DataType`` in ``LeadsMetaData.Get``, else, for the derived
``IncludeCSV`` columns the metadata does not list (``OwnerIdName``, ``LeadAge``,
``ProspectActivityDate_Min``, ...), by :data:`leadsq.contract.DERIVED_COLUMNS`. The table
applies to empty results too. An empty text is missing (``<NA>``), as the
contract's ``def``/``ndef`` treat it and as CSV answers cannot tell it from null. Values
that come as strings (every CSV value, and JSON values of any type [ours]) are converted
by column; a value that does not convert is an :class:`~leadsq.errors.APIError` naming
the column and the value, never a silent ``NaN``.

One engine, Arrow's, does it, with no Python loop per row:

=====================================  ================================================
:mod:`leadsq.frames.dtypes`            the table, each dtype's Arrow type, to pandas
:mod:`leadsq.frames.convert`           an Arrow column, as decoded, to its dtype
:mod:`leadsq.frames.answers`           JSON and CSV answers to typed pages
:mod:`leadsq.frames.page`              :class:`Page`; :func:`concat_pages` joins them
:mod:`leadsq.frames.backend`           ``dtype_backend``: nullable or ``ArrowDtype``
:mod:`leadsq.frames.identity`          a frame's identity, for its provenance
=====================================  ================================================

:func:`concat_pages` joins the pages' Arrow tables and hands them to pandas once:
``string`` columns stay the Arrow arrays they were read into, without a copy. pyarrow is
imported on the first conversion, not on ``import leadsq.frames``.
"""

from leadsq.frames.answers import decode_json, parse_page
from leadsq.frames.backend import DTYPE_BACKENDS, check_dtype_backend, with_dtype_backend
from leadsq.frames.convert import to_typed_frame
from leadsq.frames.dtypes import DTYPES, INTEGER_FIELDS, column_dtypes, empty_frame, field_dtype
from leadsq.frames.identity import frame_change, frame_identity
from leadsq.frames.page import Page, concat_pages

__all__ = [
    "DTYPES",
    "DTYPE_BACKENDS",
    "INTEGER_FIELDS",
    "Page",
    "check_dtype_backend",
    "column_dtypes",
    "concat_pages",
    "decode_json",
    "empty_frame",
    "field_dtype",
    "frame_change",
    "frame_identity",
    "parse_page",
    "to_typed_frame",
    "with_dtype_backend",
]
