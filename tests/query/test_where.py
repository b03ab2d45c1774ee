"""The where= syntax: pandas-like text in, contract lead filters out, nothing evaluated."""

from __future__ import annotations

import pytest

from leadsq.contract import LeadFilter
from leadsq.errors import QueryError
from leadsq.query.where import field_text, parse_where


def f(field, operator, value=None, values=None):
    return LeadFilter(field=field, operator=operator, value=value, values=values)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("ProspectStage == 'Prospect'", f("ProspectStage", "=", "Prospect")),
        ("ProspectStage != 'Prospect'", f("ProspectStage", "<>", "Prospect")),
        ("EngagementScore > 20", f("EngagementScore", ">", "20")),
        ("EngagementScore < 20", f("EngagementScore", "<", "20")),
        ("EngagementScore >= 20", f("EngagementScore", ">=", "20")),
        ("EngagementScore <= 20", f("EngagementScore", "<=", "20")),
        ("mx_City.notna()", f("mx_City", "def")),
        ("mx_City.notnull()", f("mx_City", "def")),
        ("mx_City.isna()", f("mx_City", "ndef")),
        ("mx_City.isnull()", f("mx_City", "ndef")),
        ("Company.str.contains('Acme')", f("Company", "lik", "Acme")),
        ("~Company.str.contains('Acme')", f("Company", "nlik", "Acme")),
        ("not Company.str.contains('Acme')", f("Company", "nlik", "Acme")),
        ("Stage in ['A', 'B']", f("Stage", "in", values=("A", "B"))),
        ("Stage in ('A', 'B')", f("Stage", "in", values=("A", "B"))),
        ("Stage in {'A', 'B'}", f("Stage", "in", values=("A", "B"))),
        ("Stage.isin(['A', 'B'])", f("Stage", "in", values=("A", "B"))),
    ],
)
def test_every_operator_has_a_where_form(text, expected):
    assert parse_where(text) == [expected]


@pytest.mark.parametrize(
    ("text", "operator"),
    [("20 < Score", ">"), ("20 > Score", "<"), ("20 <= Score", ">="), ("20 >= Score", "<=")],
)
def test_a_literal_on_the_left_flips_the_operator(text, operator):
    assert parse_where(text) == [f("Score", operator, "20")]


def test_a_literal_on_the_left_of_equality_keeps_it():
    assert parse_where("'Prospect' == Stage") == [f("Stage", "=", "Prospect")]
    assert parse_where("'Prospect' != Stage") == [f("Stage", "<>", "Prospect")]


def test_a_chained_comparison_becomes_two_filters():
    assert parse_where("10 <= Score < 20") == [f("Score", ">=", "10"), f("Score", "<", "20")]


def test_not_in_becomes_one_not_equal_filter_per_value():
    expected = [f("Stage", "<>", "A"), f("Stage", "<>", "B")]
    assert parse_where("Stage not in ['A', 'B']") == expected
    assert parse_where("~Stage.isin(['A', 'B'])") == expected


def test_negating_presence_flips_it():
    assert parse_where("~mx_City.isna()") == [f("mx_City", "def")]
    assert parse_where("not mx_City.notna()") == [f("mx_City", "ndef")]
    assert parse_where("~~mx_City.isna()") == [f("mx_City", "ndef")]


def test_and_and_ampersand_join_filters_in_the_order_written():
    text = (
        "ProspectStage in ['Prospect', 'Opportunity'] and EngagementScore >= 20 & mx_City.notna()"
    )
    assert parse_where(text) == [
        f("ProspectStage", "in", values=("Prospect", "Opportunity")),
        f("EngagementScore", ">=", "20"),
        f("mx_City", "def"),
    ]


def test_ampersand_binds_loosely_as_in_dataframe_query():
    assert parse_where("A == 1 & B == 2") == [f("A", "=", "1"), f("B", "=", "2")]


def test_parentheses_group_without_changing_the_filters():
    assert parse_where("(A == 1) & ((B == 2) and (C.isna()))") == [
        f("A", "=", "1"),
        f("B", "=", "2"),
        f("C", "ndef"),
    ]


def test_or_on_one_field_becomes_in():
    assert parse_where("Stage == 'A' or Stage == 'B' | Stage in ['C']") == [
        f("Stage", "in", values=("A", "B", "C"))
    ]


def test_backticks_quote_a_field_name():
    assert parse_where("`mx_Lead Source` == 'Web' and `mx_City` != 'Pune'") == [
        f("mx_Lead Source", "=", "Web"),
        f("mx_City", "<>", "Pune"),
    ]


def test_backticks_and_operators_inside_strings_are_left_alone():
    assert parse_where("Name == 'a `b` & c | d'") == [f("Name", "=", "a `b` & c | d")]


def test_line_breaks_are_spaces():
    assert parse_where("\n  Stage == 'A'\n  and Score > 1\n") == [
        f("Stage", "=", "A"),
        f("Score", ">", "1"),
    ]


@pytest.mark.parametrize(
    ("literal", "text"),
    [
        ("20", "20"),
        ("20.0", "20"),
        ("-5", "-5"),
        ("+5", "5"),
        ("2.5e-7", "0.00000025"),
        ("True", "1"),
        ("False", "0"),
        ("'x'", "x"),
        ('"double"', "double"),
        ("Timestamp('2024-01-31 10:00')", "2024-01-31 10:00:00"),
        ("pd.Timestamp('2024-01-31 10:00', tz='Asia/Kolkata')", "2024-01-31 04:30:00"),
        ("datetime(2024, 1, 31, 10, 5)", "2024-01-31 10:05:00"),
        ("date(2024, 1, 31)", "2024-01-31 00:00:00"),
    ],
)
def test_literals_are_sent_through_format_value(literal, text):
    assert parse_where(f"X == {literal}") == [f("X", "=", text)]


def test_list_items_are_sent_through_format_value():
    assert parse_where("X in [1, 2.0, True, 'a']") == [f("X", "in", values=("1", "2", "1", "a"))]


def test_an_empty_in_list_parses_and_is_left_to_the_contract():
    assert parse_where("X in []") == [f("X", "in", values=())]


def test_field_text_writes_identifiers_plainly_and_others_in_backticks():
    assert field_text("mx_City") == "mx_City"
    assert field_text("mx_Lead Source") == "`mx_Lead Source`"
    assert field_text("class") == "`class`"
    assert field_text("a`b") is None


# --------------------------------------------------------------------------- refusals


def refused(text: str, *fragments: str) -> str:
    with pytest.raises(QueryError) as caught:
        parse_where(text)
    message = str(caught.value)
    assert message.startswith("where: ")
    for fragment in fragments:
        assert fragment in message
    return message


def test_or_across_fields_is_refused_explaining_that_the_api_joins_with_and():
    refused(
        "Stage == 'A' or Score > 10",
        "`Stage == 'A' or Score > 10`",
        "`or` across lead fields cannot be sent: the API joins lead filters with AND; "
        "run two reads and combine them, or filter the frame afterwards",
    )


def test_a_pipe_across_fields_is_refused_like_or():
    refused("(A == 1) | (B == 2)", "`or` across lead fields")


def test_or_with_another_operator_on_one_field_is_refused():
    refused("A > 1 or A == 2", "`or` across lead fields")


def test_not_on_a_comparison_is_refused_suggesting_the_opposite_operator():
    refused("not Stage == 'A'", "`not Stage == 'A'`", "write the opposite operator")
    refused("~(Score >= 2)", "opposite operator")


def test_comparing_two_fields_is_refused():
    refused("Score > EngagementScore", "`Score > EngagementScore`", "comparing two fields")


def test_comparing_two_literals_is_refused():
    refused("1 == 2", "`1 == 2`", "needs a lead field on one side")


def test_arithmetic_is_refused_quoting_the_fragment():
    refused("Score + 1 > 2", "`Score + 1`", "arithmetic is not supported")
    refused("Score > 2 * 3", "`2 * 3`", "arithmetic")


def test_other_calls_are_refused_listing_the_supported_ones():
    refused("len(Name) > 2", "`len(Name)`", "calls are not supported", "F.str.contains('x')")
    refused("Name.str.startswith('A')", "`Name.str.startswith('A')`", "not supported")
    refused("Name == __import__('os')", "`__import__('os')`", "calls are not supported")
    refused("X == float('nan')", "`float('nan')`")


def test_other_attributes_are_refused():
    refused("Name == os.environ", "`os.environ`", "attributes are not supported")
    refused("Name.upper() == 'A'", "`Name.upper()`")


def test_a_bare_field_or_value_is_not_a_condition():
    refused("Stage", "`Stage`", "a field alone is not a condition")
    refused("'Prospect'", "a value alone is not a condition")
    refused("Score > 1 and [1]", "`[1]`", "a value alone")
    refused("Score > 1 and {1: 2}", "`{1: 2}`", "Dict is not supported")


def test_a_list_with_a_non_in_operator_is_refused():
    refused("Stage == ['A', 'B']", "a list of values needs `in`")


def test_in_without_a_list_is_refused():
    refused("Stage in 'A'", "`in` needs a list of values")
    refused("'A' in Stage", "write the field on the left of `in`")


def test_comparing_with_none_points_at_isna():
    refused("Stage == None", "use F.isna() or F.notna()")
    refused("Stage is None", "`is` is not supported")


def test_unquoted_text_is_read_as_a_field_and_refused_with_a_hint():
    refused("Stage == Prospect", "comparing two fields", "quote text values")
    refused("Stage in [Prospect]", "`Prospect`", "a value must be a literal")


def test_case_sensitive_or_regex_contains_is_refused():
    refused("Name.str.contains('a', case=True)", "case-insensitively")
    refused("Name.str.contains('a', regex=True)", "plain substring")
    assert parse_where("Name.str.contains('a', case=False, regex=False)") == [f("Name", "lik", "a")]


def test_contains_needs_one_string():
    refused("Name.str.contains(1)", "needs a string")
    refused("Name.str.contains('a', 'b')", "takes one string")


def test_presence_methods_take_no_arguments():
    refused("Name.isna(1)", "takes no arguments")


def test_isin_takes_one_list():
    refused("Name.isin('a')", "`in` needs a list of values")
    refused("Name.isin(['a'], ['b'])", "isin takes one list")


def test_nested_lists_and_bad_timestamps_are_refused():
    refused("X in [[1]]", "lists inside lists")
    refused("X == Timestamp('garbage')", "not a valid Timestamp")
    refused("X == Timestamp(5)", "Timestamp takes one string")
    refused("X == datetime(2024, 13, 1)", "not a valid datetime")
    refused("X == date('2024')", "takes whole numbers only")


def test_a_syntax_error_names_where_and_the_position():
    message = refused("Stage = 'A'", "where: invalid syntax at position 7", "write == to compare")
    assert message.endswith("Stage = 'A'\n          ^")


@pytest.mark.parametrize(
    ("text", "hint"),
    [
        ("Score => 20", "(invalid syntax; write >=)"),
        ("Score =< 20", "(invalid syntax; write <=)"),
        ("Score =! 20", "(invalid syntax; write !=)"),
        ("mx_City LIKE '%pur%'", "(invalid syntax; for LIKE write mx_City.str.contains('text'))"),
        ("City not like 'x'", "(invalid syntax; for NOT LIKE write ~City.str.contains('text'))"),
        (
            "City == @city",
            "(invalid syntax; @name (df.query's local variables) is not read here: put the "
            'value in the text, e.g. f"City == {city!r}")',
        ),
    ],
)
def test_sql_and_df_query_habits_get_what_to_write_instead(text, hint):
    refused(text, "where: invalid syntax at position ", hint)


def test_a_text_that_ends_too_early_points_at_its_end():
    refused("Score >=", "position 9", "the text ends too early")


def test_a_position_counts_characters_of_the_original_text():
    refused("`a b` == 1 && B == 2", "position 13")


def test_an_unclosed_backtick_is_refused_with_its_position():
    refused("A == 1 and `mx_City == 2", "a backtick at position 12 is not closed")


def test_an_empty_or_non_string_where_is_refused():
    refused("   ", "is empty")
    with pytest.raises(QueryError, match="where: expected a string"):
        parse_where(["A == 1"])  # type: ignore[arg-type]


def test_fragments_with_non_ascii_text_are_quoted_exactly():
    refused("Name == 'Müller' and Score + 1 > 2", "`Score + 1`")
