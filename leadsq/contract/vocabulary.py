"""The contract's vocabulary: endpoints, paths, operators, field names, types and formats.

Every name and enumerated value the API speaks (``../shared/API.md``), in one place, for
the client, the query model and the sandbox alike.
"""

from __future__ import annotations

__all__ = [
    "ACTIVITY_OPERATORS",
    "AGGREGATE_FUNCTIONS",
    "BOOLEAN_VALUES",
    "DATE_FIELDS",
    "DATE_FIELD_COLUMNS",
    "DATE_FORMAT",
    "DERIVED_COLUMNS",
    "ENDPOINTS",
    "ENDPOINT_PATHS",
    "FIELD_TYPES",
    "LEAD_OPERATORS",
    "LINKS",
    "METADATA_PATHS",
    "ORDERING_OPERATORS",
    "OUTPUT_TYPES",
    "SORT_DIRECTIONS",
    "USER_FIELDS",
    "USER_OPERATORS",
    "VALUELESS_OPERATORS",
]

ENDPOINTS = ("distribution", "not_contacted")
ENDPOINT_PATHS: dict[str, tuple[str, ...]] = {
    "distribution": ("/Leads/LeadDistribution/FilterByLeadField",),
    # in the order the client tries them on a 404 (section 1): the only shipped public
    # code calls the first; none is verified
    "not_contacted": (
        "/Leads/LeadsNotContacted",
        "/Leads/NotContacted",
        "/v2/Leads/NotContacted/FilterByLeadField",
        "/Leads/NotContacted/FilterByLeadField",
    ),
}
METADATA_PATHS: dict[str, str] = {
    "lead_fields": "/v2/LeadManagement.svc/LeadsMetaData.Get",
    "activity_types": "/v2/ProspectActivity.svc/ActivityTypes.Get",
    "users": "/v2/UserManagement.svc/Users.Get",
    "account": "/v2/Authentication.svc/UserByAccessKey.Get",
}

LEAD_OPERATORS = ("=", "<>", ">", "<", ">=", "<=", "def", "ndef", "lik", "nlik", "in")
VALUELESS_OPERATORS = ("def", "ndef")
ORDERING_OPERATORS = (">", "<", ">=", "<=")
USER_FIELDS = ("UserID", "EmailAddress", "FirstName", "LastName", "Role", "Team")
USER_OPERATORS = ("eq", "neq", "lik", "nlik")
LINKS = ("AND", "OR")
ACTIVITY_OPERATORS = ("in", "=")
DATE_FIELDS = ("LeadCreatedOn", "LeadModifiedOn", "ActivityCreatedOn")
DATE_FIELD_COLUMNS = {"LeadCreatedOn": "CreatedOn", "LeadModifiedOn": "ModifiedOn"}
OUTPUT_TYPES = ("List", "Aggregate")
AGGREGATE_FUNCTIONS = ("Count", "Average", "Sum")
FIELD_TYPES = ("Text", "Number", "Email", "Phone", "Website", "Date", "Time", "Select", "Boolean")
BOOLEAN_VALUES = ("1", "0")  # stored and compared as "1"/"0"; "true" is refused [seen]
DATE_FORMAT = "%Y-%m-%d %H:%M:%S"

DERIVED_COLUMNS: dict[str, str] = {
    # IncludeCSV columns that LeadsMetaData.Get does not list, with their DataType
    "OwnerIdName": "Text",
    "OwnerIdEmailAddress": "Email",
    "LeadAge": "Number",
    "ProspectActivityName_Max": "Text",
    "ProspectActivityDate_Min": "Date",
    "ProspectActivityId_Max": "Text",
    "LeadLastModifiedOn": "Date",
}
SORT_DIRECTIONS = ("0", "1")  # ascending, descending
