"""leadsq.fields(), users() and activity_types(): the account's lists as frames."""

from __future__ import annotations

import leadsq
from tests.conftest import connect


def _connection(sandbox) -> dict[str, str]:
    return {k: v for k, v in connect(sandbox).items() if k != "progress"}


def test_fields_lists_names_types_and_options(sandbox, field_types) -> None:
    frame = leadsq.fields(**_connection(sandbox))
    assert list(frame.columns) == ["SchemaName", "DisplayName", "DataType", "Options"]
    assert dict(zip(frame.SchemaName, frame.DataType, strict=True)) == field_types
    stage = frame.set_index("SchemaName").loc["ProspectStage"]
    assert "Opportunity" in stage.Options and stage.DataType == "Select"
    assert frame.set_index("SchemaName").loc["EngagementScore"].Options == ()


def test_users_and_activity_types_are_the_account_s(sandbox, users) -> None:
    listed = leadsq.users(**_connection(sandbox))
    assert sorted(listed["EmailAddress"]) == sorted(users["EmailAddress"])
    types = leadsq.activity_types(**_connection(sandbox))
    assert {21, 22, 201}.issubset(set(types["ActivityEvent"].astype(int)))
