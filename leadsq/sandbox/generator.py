"""Deterministic sample data for the sandbox: a sales team, its leads and their activities.

The data is generated in DuckDB SQL. Randomness is hash-based: every random draw is
``hash(seed, row, salt)``, so the same seed, sizes and anchor give the same rows, whatever
the number of threads DuckDB uses. What it looks like:

* **users**: ``UserID, FirstName, LastName, EmailAddress, Role, Team, StatusCode`` (a
  few inactive users, 1, still own leads); the first seven
  carry the user ids of the vendor's example requests. Workloads are uneven (Zipf-like);
  the admin owns no new leads.
* **leads**: the standard fields of the contract (section 6), a Boolean ``DoNotCall``
  and custom ``mx_`` fields of Text, Number, Date and Select types, with some nulls and
  empty strings. Most leads were created in the two years before the anchor, more of them
  recently; a few percent are older "legacy" leads, owned by four of the seven vendor
  users (so the vendor's example requests, dated 2017-2018, find some), and old leads
  still open mostly went stale without any activity. ``ProspectAutoId`` follows
  ``CreatedOn``.
* **stages** drive everything else: young leads are mostly Prospects and Opportunities,
  old ones Customers or Not Interested; engagement, scores, loan amounts and how many
  activities a lead gets depend on its stage. A share of leads has no activity at all.
* **activities**: phone calls (21 inbound, 22 outbound) and custom types numbered from
  200, posted between the lead's creation and the anchor. ``ProspectActivityDate_Max``
  is the latest of them, ``EngagementScore`` sums points per activity.
* **times**: lead creation and activity times carry milliseconds, as the real service's
  do (``subsecond``, on by default), and stay before the anchor.

Tables: ``users``, ``activity_types``, ``leads``, ``activities``. The fixed vocabulary
(fields, activity types, value lists, the team) is in :mod:`leadsq.sandbox.catalog`.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

import duckdb

from leadsq.sandbox.catalog import (
    ACTIVITY_PROFILE,
    ACTIVITY_TYPES,
    CITIES,
    COMPANIES,
    EMAIL_DOMAINS,
    FIRST_NAMES,
    LAST_NAMES,
    LEAD_FIELDS,
    PRODUCTS,
    REMARKS,
    SCORES,
    SOURCES,
    make_users,
)

__all__ = ["generate"]

_LEGACY_SHARE = 0.08
_STALE_NONE_SHARE = 0.7  # old leads still open mostly went stale untouched
_RECENT_DAYS = 730
_LEGACY_DAYS = 8 * 365
_BUCKETS = 10_000


def _buckets(users: Sequence[dict[str, Any]], weight: str) -> list[str]:
    """``_BUCKETS`` owner ids in proportion to the users' weights (for a uniform pick)."""
    total = sum(user[weight] for user in users)
    result: list[str] = []
    cumulative = 0.0
    for user in users:
        cumulative += user[weight]
        upto = round(_BUCKETS * cumulative / total)
        result.extend([user["UserID"]] * (upto - len(result)))
    return result


def _literal(value: str | None) -> str:
    if value is None:
        return "NULL"
    return "'" + value.replace("'", "''") + "'"


def _pick(draw: str, choices: Sequence[tuple[str, float]]) -> str:
    """SQL choosing among weighted constants by a uniform ``draw``; NULL past the last."""
    parts = ["CASE"]
    cumulative = 0.0
    for value, share in choices:
        cumulative += share
        parts.append(f"WHEN {draw} < {cumulative!r} THEN {_literal(value)}")
    parts.append("END")
    return " ".join(parts)


def _by_stage(values: dict[str, object]) -> str:
    """``CASE stage WHEN ... THEN ... END`` for constant numbers per stage."""
    branches = " ".join(f"WHEN {_literal(stage)} THEN {value!r}" for stage, value in values.items())
    return f"CASE stage {branches} END"


def _event_pick(draw: str) -> str:
    parts = ["CASE stage"]
    for stage, (_, _, mix) in ACTIVITY_PROFILE.items():
        cumulative = 0.0
        branch = ["CASE"]
        for event, share in mix[:-1]:
            cumulative += share
            branch.append(f"WHEN {draw} < {cumulative!r} THEN {event}")
        branch.append(f"ELSE {mix[-1][0]} END")
        parts.append(f"WHEN {_literal(stage)} THEN {' '.join(branch)}")
    parts.append("END")
    return " ".join(parts)


def _macros(con: duckdb.DuckDBPyConnection, seed: int) -> None:
    # the seed is an int checked by SandboxSettings; u() is uniform in [0, 1). DuckDB's
    # multi-argument hash() only combines the hashes of its arguments, so draws with
    # different salts would be correlated: hashing the result again mixes them.
    seed = int(seed)
    con.execute(
        f"CREATE OR REPLACE TEMP MACRO u(k, salt) AS "
        f"(hash(hash({seed}, k, salt)) >> 11) / 9007199254740992.0"
    )
    con.execute(
        f"CREATE OR REPLACE TEMP MACRO u2(k, j, salt) AS "
        f"(hash(hash({seed}, k, j, salt)) >> 11) / 9007199254740992.0"
    )
    # a version-4 GUID from a hex digest h and a row k
    con.execute(
        "CREATE OR REPLACE TEMP MACRO guid(h, k) AS "
        "substr(h, 1, 8) || '-' || substr(h, 9, 4) || '-4' || substr(h, 14, 3) || '-' || "
        "substr('89ab', 1 + floor(u(k, 'variant') * 4)::INTEGER, 1) || "
        "substr(h, 18, 3) || '-' || substr(h, 21, 12)"
    )


def _create_users(con: duckdb.DuckDBPyConnection, users: Sequence[dict[str, Any]]) -> None:
    con.execute(
        "CREATE TABLE users (UserID VARCHAR PRIMARY KEY, FirstName VARCHAR, LastName VARCHAR, "
        "EmailAddress VARCHAR, Role VARCHAR, Team VARCHAR, StatusCode INTEGER)"
    )
    keys = ("UserID", "FirstName", "LastName", "EmailAddress", "Role", "Team", "StatusCode")
    con.executemany(
        "INSERT INTO users VALUES (?, ?, ?, ?, ?, ?, ?)", [[u[k] for k in keys] for u in users]
    )
    con.execute(
        "CREATE TABLE activity_types (ActivityEvent INTEGER PRIMARY KEY, "
        "DisplayName VARCHAR, Category VARCHAR)"
    )
    con.executemany(
        "INSERT INTO activity_types VALUES (?, ?, ?)",
        [[t.event, t.display_name, t.category] for t in ACTIVITY_TYPES],
    )


def _leads_sql() -> tuple[str, str]:
    age_f = "least(1.0, age_seconds / (365.0 * 86400))"
    stage_recent = (
        f"CASE WHEN s < 0.55 - 0.30 * {age_f} THEN 'Prospect' "
        f"WHEN s < 0.77 - 0.35 * {age_f} THEN 'Opportunity' "
        f"WHEN s < 0.83 - 0.21 * {age_f} THEN 'Customer' "
        f"WHEN s < 0.93 - 0.06 * {age_f} THEN 'Not Interested' ELSE 'Invalid' END"
    )
    stage_legacy = (
        "CASE WHEN s < 0.22 THEN 'Prospect' WHEN s < 0.34 THEN 'Opportunity' "
        "WHEN s < 0.62 THEN 'Customer' WHEN s < 0.90 THEN 'Not Interested' ELSE 'Invalid' END"
    )
    product = _pick("u(i, 'product')", [(p[0], p[1]) for p in PRODUCTS])
    loan = " ".join(
        ["CASE mx_Product"]
        + [
            f"WHEN {_literal(name)} THEN "
            f"(round(({low} + u(i, 'loan') * {high - low}) / 5000) * 5000)::BIGINT"
            for name, _, low, high in PRODUCTS
        ]
        + ["END"]
    )
    none_share = _by_stage({stage: p[0] for stage, p in ACTIVITY_PROFILE.items()})
    most = _by_stage({stage: p[1] for stage, p in ACTIVITY_PROFILE.items()})
    closed_span = "(5 + u(i, 'span') * 115) * 86400"
    return (
        f"""
    CREATE TEMP TABLE lead_base AS
    WITH drawn AS (
        SELECT i, u(i, 'legacy') < {_LEGACY_SHARE} AS legacy, u(i, 'age') AS a,
               u(i, 'owner') AS o, u(i, 'stage') AS s
        FROM range($leads) r(i)
    ), dated AS (
        SELECT *,
            CASE WHEN legacy
                 THEN {_RECENT_DAYS} * 86400 + floor(a * {_LEGACY_DAYS} * 86400)
                 ELSE 1 + floor(pow(a, 1.3) * {_RECENT_DAYS} * 86400) END::BIGINT AS age_seconds
        FROM drawn
    ), staged AS (
        SELECT *, $anchor::TIMESTAMP - to_seconds(age_seconds)
                  - to_milliseconds(floor(u(i, 'ms') * $ms)::BIGINT) AS CreatedOn,
            CASE WHEN legacy THEN {stage_legacy} ELSE {stage_recent} END AS stage,
            CASE WHEN legacy THEN list_extract($legacy_owners, 1 + floor(o * {_BUCKETS})::INTEGER)
                 ELSE list_extract($recent_owners, 1 + floor(o * {_BUCKETS})::INTEGER) END
                AS OwnerId
        FROM dated
    )
    SELECT *,
        CASE WHEN u(i, 'none') < (CASE WHEN legacy AND stage IN ('Prospect', 'Opportunity')
                                       THEN {_STALE_NONE_SHARE} ELSE {none_share} END) THEN 0
             ELSE floor((1 + pow(u(i, 'count'), 1.5) * ({most})) * $scale) END::INTEGER AS n_act,
        CASE WHEN stage IN ('Prospect', 'Opportunity') THEN age_seconds
             ELSE least(age_seconds, {closed_span}) END::BIGINT AS span_seconds,
        {product} AS mx_Product
    FROM staged
    """,
        loan,
    )


def generate(
    con: duckdb.DuckDBPyConnection,
    *,
    seed: int,
    leads: int,
    users: int,
    anchor: datetime,
    activity_scale: float = 1.0,
    subsecond: bool = True,
) -> list[dict[str, Any]]:
    """Create and fill the tables ``users``, ``activity_types``, ``leads``, ``activities``.

    Parameters
    ----------
    con : duckdb.DuckDBPyConnection
        An empty database.
    seed, leads, users, anchor, activity_scale
        As in :class:`~leadsq.sandbox.settings.SandboxSettings` (already checked).
    subsecond : bool
        Lead and activity times carry milliseconds (``subsecond_times``).

    Returns
    -------
    list of dict
        The users, with their workload weights (see :func:`make_users`).
    """
    team = make_users(users, seed)
    _macros(con, seed)
    _create_users(con, team)
    lead_base_sql, loan = _leads_sql()
    con.execute(
        lead_base_sql,
        {
            "leads": leads,
            "anchor": anchor,
            "scale": float(activity_scale),
            "ms": 1000 if subsecond else 0,
            "recent_owners": _buckets(team, "_recent"),
            "legacy_owners": _buckets(team, "_legacy"),
        },
    )
    points = " ".join(
        ["CASE ActivityEvent"]
        + [f"WHEN {t.event} THEN {t.points}" for t in ACTIVITY_TYPES]
        + ["ELSE 0 END"]
    )
    # an activity falls in [creation, creation + span): to the millisecond, or the second
    when = (
        "to_milliseconds(floor(u2(i, k, 'when') * span_seconds * 1000)::BIGINT)"
        if subsecond
        else "to_seconds(floor(u2(i, k, 'when') * span_seconds)::BIGINT)"
    )
    con.execute(
        f"""
        CREATE TABLE activities AS
        WITH expanded AS (
            SELECT i, stage, CreatedOn AS lead_created, span_seconds, OwnerId,
                   unnest(range(n_act)) AS k
            FROM lead_base
        )
        SELECT i, k,
            ({_event_pick("u2(i, k, 'event')")})::INTEGER AS ActivityEvent,
            lead_created + {when} AS CreatedOn,
            OwnerId AS CreatedBy
        FROM expanded
        """
    )
    con.execute(
        f"""
        CREATE TEMP TABLE lead_activity AS
        SELECT i, max(CreatedOn) AS last_activity, sum({points})::BIGINT AS points
        FROM activities GROUP BY i
        """
    )
    score_low = _by_stage({stage: low for stage, (low, _) in SCORES.items()})
    score_spread = _by_stage({stage: spread for stage, (_, spread) in SCORES.items()})
    first = f"list_extract($first_names, 1 + floor(u(i, 'first') * {len(FIRST_NAMES)})::INTEGER)"
    last = f"list_extract($last_names, 1 + floor(u(i, 'last') * {len(LAST_NAMES)})::INTEGER)"
    company = f"list_extract($companies, 1 + floor(u(i, 'co') * {len(COMPANIES)})::INTEGER)"
    domain = f"list_extract($domains, 1 + floor(u(i, 'dom') * {len(EMAIL_DOMAINS)})::INTEGER)"
    con.execute(
        f"""
        CREATE TABLE leads AS
        WITH scored AS (
            SELECT b.*, a.last_activity,
                coalesce(a.points, CASE WHEN u(i, 'web') < 0.3 THEN floor(u(i, 'webv') * 6)
                                        ELSE 0 END)::BIGINT AS engagement,
                {first} AS first_name, {last} AS last_name
            FROM lead_base b LEFT JOIN lead_activity a USING (i)
        )
        SELECT
            guid(md5($salt || i::VARCHAR), i) AS ProspectID,
            row_number() OVER (ORDER BY CreatedOn, i)::BIGINT AS ProspectAutoId,
            CASE WHEN u(i, 'fn') < 0.01 THEN NULL WHEN u(i, 'fn') < 0.02 THEN ''
                 ELSE first_name END AS FirstName,
            last_name AS LastName,
            CASE WHEN u(i, 'em') < 0.08 THEN NULL WHEN u(i, 'em') < 0.10 THEN ''
                 ELSE lower(replace(coalesce(first_name, 'lead') || '.' || last_name, '''', ''))
                      || (i % 97)::VARCHAR || '@' || {domain} END AS EmailAddress,
            CASE WHEN u(i, 'ph') < 0.06 THEN NULL
                 ELSE '+91-' || (7000000000 + floor(u(i, 'phn') * 2999999999))::BIGINT::VARCHAR
            END AS Phone,
            CASE WHEN u(i, 'cy') < 0.35 THEN NULL WHEN u(i, 'cy') < 0.40 THEN ''
                 ELSE {company} END AS Company,
            stage AS ProspectStage,
            {_pick("u(i, 'source')", SOURCES)} AS Source,
            ({score_low} + floor(u(i, 'score') * ({score_spread})) + engagement // 3)::BIGINT
                AS Score,
            engagement AS EngagementScore,
            OwnerId,
            CreatedOn,
            greatest(coalesce(last_activity, CreatedOn),
                     CreatedOn + to_seconds(floor(u(i, 'mod') * span_seconds)::BIGINT))
                AS ModifiedOn,
            last_activity AS ProspectActivityDate_Max,
            CASE WHEN u(i, 'dnc') < 0.01 THEN NULL ELSE u(i, 'dnc') < 0.05 END AS DoNotCall,
            {_pick("u(i, 'city')", CITIES)} AS mx_City,
            mx_Product,
            CASE WHEN stage = 'Prospect' AND u(i, 'lnull') < 0.3 THEN NULL ELSE {loan} END
                AS mx_Loan_Amount,
            CASE WHEN stage IN ('Opportunity', 'Customer')
                 THEN round(8 + u(i, 'rate') * 8, 2) END::DOUBLE AS mx_Interest_Rate,
            CASE WHEN u(i, 'dob') < 0.25 THEN NULL
                 ELSE TIMESTAMP '1962-01-01' + to_days(floor(u(i, 'dobd') * 15340)::INTEGER)
            END AS mx_Date_of_Birth,
            CASE WHEN stage IN ('Prospect', 'Opportunity') AND u(i, 'fu') < 0.7
                 THEN date_trunc('day', $anchor::TIMESTAMP)
                      + to_days(floor(u(i, 'fud') * 51)::INTEGER - 20)
            END AS mx_Follow_Up_Date,
            CASE WHEN u(i, 'rm') < 0.40 THEN NULL
                 ELSE {_pick("u(i, 'rmv')", [(t, s / 0.6) for t, s in REMARKS])} END
                AS mx_Remarks,
            i AS _row
        FROM scored
        """,
        {
            "anchor": anchor,
            "first_names": list(FIRST_NAMES),
            "last_names": list(LAST_NAMES),
            "companies": list(COMPANIES),
            "domains": list(EMAIL_DOMAINS),
            "salt": f"leadsq-sandbox-{int(seed)}:",
        },
    )
    con.execute(
        """
        CREATE TABLE activities_final AS
        SELECT row_number() OVER (ORDER BY l.ProspectAutoId, a.CreatedOn, a.k)::BIGINT
                   AS ActivityId,
               l.ProspectAutoId, a.ActivityEvent, a.CreatedOn, a.CreatedBy
        FROM activities a JOIN leads l ON l._row = a.i
        ORDER BY ActivityId
        """
    )
    con.execute("DROP TABLE activities")
    con.execute("ALTER TABLE activities_final RENAME TO activities")
    con.execute(
        "CREATE TEMP TABLE leads_sorted AS SELECT * EXCLUDE (_row) FROM leads "
        "ORDER BY ProspectAutoId"
    )
    con.execute("DROP TABLE leads")
    # the final table has exactly the schema's columns, in its order and types
    columns = ", ".join(
        f'CAST("{spec.schema_name}" AS {spec.sql_type}) AS "{spec.schema_name}"'
        for spec in LEAD_FIELDS
    )
    con.execute(f"CREATE TABLE leads AS SELECT {columns} FROM leads_sorted")
    con.execute("DROP TABLE leads_sorted")
    con.execute("DROP TABLE lead_base")
    con.execute("DROP TABLE lead_activity")
    return team
