"""What the sandbox's CRM holds: lead fields, activity types, stages, vocabularies, users.

These are the fixed facts the generator (:mod:`leadsq.sandbox.generator`) draws from and
the metadata endpoints publish: the lead schema of ``LeadsMetaData.Get`` (standard fields,
a Boolean ``DoNotCall`` and custom ``mx_`` fields of Text, Number, Date and Select types),
the activity types of ``ActivityTypes.Get`` (phone calls 21 and 22, custom types from
200), per-stage profiles of activity and score, the value lists of text fields, and the
sales team (:func:`make_users`), whose first seven users carry the user ids of the
vendor's example requests.
"""

from __future__ import annotations

import random
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

__all__ = [
    "ACTIVITY_PROFILE",
    "ACTIVITY_TYPES",
    "ACTIVITY_TYPE_NAMES",
    "CITIES",
    "COMPANIES",
    "EMAIL_DOMAINS",
    "FIRST_NAMES",
    "LAST_NAMES",
    "LEAD_FIELDS",
    "PRODUCTS",
    "REMARKS",
    "SCORES",
    "SOURCES",
    "STAGES",
    "VENDOR_USER_IDS",
    "ActivityType",
    "FieldSpec",
    "activity_type_item",
    "lead_field_metadata",
    "make_users",
    "new_lead_values",
    "user_item",
]


@dataclass(frozen=True)
class FieldSpec:
    """A lead field: its ``LeadsMetaData.Get`` descriptor and its column type."""

    schema_name: str
    display_name: str
    data_type: str
    render_type: str
    sql_type: str
    mandatory: bool = False
    options: tuple[str, ...] = ()

    def descriptor(self) -> dict[str, Any]:
        """The field as ``LeadsMetaData.Get`` describes it."""
        item: dict[str, Any] = {
            "SchemaName": self.schema_name,
            "DisplayName": self.display_name,
            "DataType": self.data_type,
            "IsMandatory": self.mandatory,
            "RenderType": self.render_type,
        }
        if self.data_type == "Select":
            item["Options"] = [{"Value": option} for option in self.options]
        return item


@dataclass(frozen=True)
class ActivityType:
    """An activity type: its event code, name and category."""

    event: int
    display_name: str
    category: str
    points: int


STAGES = ("Prospect", "Opportunity", "Customer", "Not Interested", "Invalid")
SOURCES = (
    ("Website", 0.25),
    ("Google Ads", 0.18),
    ("Facebook", 0.12),
    ("Referral", 0.10),
    ("Inbound Call", 0.09),
    ("Partner", 0.08),
    ("Email Campaign", 0.07),
    ("Walk-in", 0.06),
    ("", 0.03),
)
CITIES = (
    ("Mumbai", 0.18),
    ("Delhi", 0.16),
    ("Bengaluru", 0.15),
    ("Hyderabad", 0.10),
    ("Chennai", 0.09),
    ("Pune", 0.09),
    ("Kolkata", 0.07),
    ("Ahmedabad", 0.06),
    ("Jaipur", 0.04),
    ("Lucknow", 0.03),
)
# product, share, smallest and largest loan amount
PRODUCTS = (
    ("Home Loan", 0.30, 1_500_000, 12_000_000),
    ("Personal Loan", 0.28, 50_000, 1_500_000),
    ("Car Loan", 0.15, 300_000, 2_500_000),
    ("Business Loan", 0.15, 500_000, 5_000_000),
    ("Education Loan", 0.07, 200_000, 3_000_000),
)
REMARKS = (
    ("Interested, wants a call back after 6 pm", 0.10),
    ('Said "not now", try next quarter', 0.06),
    ("Asked for the rate card", 0.08),
    ("Comparing offers from two banks", 0.07),
    ("Visited the branch;\nneeds the document checklist", 0.04),
    ("Prefers Hindi \u2014 call on weekends", 0.05),
    ("Wrong number?", 0.03),
    ("Existing customer, wants a top-up loan", 0.07),
    ("", 0.10),
)
# fmt: off
COMPANIES = (
    "Acme Textiles", "Bharat Logistics", "Coastal Foods", "Deccan Motors", "Everest Pharma",
    "Falcon Software", "Ganga Traders", "Himalaya Exports", "Indus Builders", "Jaipur Gems",
    "Kaveri Agro", "Lotus Retail", "Meridian Steel", "Narmada Power", "Orchid Hotels",
    "Pioneer Plastics", "Quest Analytics", "Royal Furnishings", "Sapphire Media",
    "Tata Street Cafe", "Unity Hospital", "Vista Realty", "Western Dairy", "Zenith Auto Parts",
)
FIRST_NAMES = (
    "Aarav", "Aditi", "Akash", "Ananya", "Arjun", "Bhavna", "Chetan", "Deepa", "Dev", "Divya",
    "Farhan", "Gaurav", "Geeta", "Harish", "Ishaan", "Isha", "Jaya", "Karan", "Kavya", "Lakshmi",
    "Manish", "Meera", "Mohit", "Nandini", "Neha", "Nikhil", "Pooja", "Pranav", "Priya", "Rahul",
    "Rajesh", "Riya", "Rohan", "Sachin", "Sanjay", "Sara", "Shreya", "Siddharth", "Sneha", "Sunil",
    "Tanvi", "Tarun", "Uma", "Varun", "Vidya", "Vikram", "Yash", "Zoya", "John", "Maria", "Ahmed",
    "Fatima", "Wei", "Elena",
)
LAST_NAMES = (
    "Agarwal", "Bose", "Chopra", "Das", "D'Souza", "Fernandes", "Gupta", "Iyer", "Jain", "Joshi",
    "Kapoor", "Khan", "Kulkarni", "Kumar", "Menon", "Mehta", "Mishra", "Nair", "Patel", "Pillai",
    "Rao", "Reddy", "Saxena", "Sharma", "Shetty", "Singh", "Sinha", "Srinivasan", "Thomas",
    "Varma", "Verma", "Yadav", "Banerjee", "Chatterjee", "Ghosh",
)
# fmt: on
EMAIL_DOMAINS = ("example.com", "example.in", "example.org", "mail.example.net")

ACTIVITY_TYPES: tuple[ActivityType, ...] = (
    ActivityType(21, "Inbound Phone Call Activity", "Sales", 3),
    ActivityType(22, "Outbound Phone Call Activity", "Sales", 2),
    ActivityType(200, "Meeting", "Sales", 8),
    ActivityType(201, "Field Visit", "Sales", 10),
    ActivityType(202, "Document Collection", "Operations", 6),
    ActivityType(203, "Loan Application", "Operations", 12),
    ActivityType(204, "Email Follow Up", "Marketing", 1),
)
# per stage: share without any activity, most activities, mix of event codes
ACTIVITY_PROFILE: dict[str, tuple[float, int, tuple[tuple[int, float], ...]]] = {
    "Prospect": (0.45, 4, ((22, 0.55), (21, 0.20), (204, 0.25))),
    "Opportunity": (
        0.06,
        9,
        ((22, 0.35), (21, 0.15), (200, 0.20), (201, 0.10), (202, 0.10), (204, 0.10)),
    ),
    "Customer": (
        0.0,
        14,
        ((22, 0.25), (21, 0.10), (200, 0.15), (201, 0.10), (202, 0.20), (203, 0.15), (204, 0.05)),
    ),
    "Not Interested": (0.22, 4, ((22, 0.60), (21, 0.20), (204, 0.20))),
    "Invalid": (0.55, 2, ((22, 0.80), (204, 0.20))),
}
# per stage: lowest score and its spread
SCORES = {
    "Prospect": (0, 40),
    "Opportunity": (30, 60),
    "Customer": (60, 90),
    "Not Interested": (0, 25),
    "Invalid": (0, 10),
}

LEAD_FIELDS: tuple[FieldSpec, ...] = (
    FieldSpec("ProspectID", "Lead Id", "Text", "Textbox", "VARCHAR", True),
    FieldSpec("ProspectAutoId", "Lead Number", "Number", "Number", "BIGINT", True),
    FieldSpec("FirstName", "First Name", "Text", "Textbox", "VARCHAR"),
    FieldSpec("LastName", "Last Name", "Text", "Textbox", "VARCHAR", True),
    FieldSpec("EmailAddress", "Email", "Email", "Email", "VARCHAR"),
    FieldSpec("Phone", "Phone Number", "Phone", "Phone", "VARCHAR"),
    FieldSpec("Company", "Company", "Text", "Textbox", "VARCHAR"),
    FieldSpec("ProspectStage", "Lead Stage", "Select", "Dropdown", "VARCHAR", True, STAGES),
    FieldSpec(
        "Source",
        "Lead Source",
        "Select",
        "Dropdown",
        "VARCHAR",
        False,
        tuple(name for name, _ in SOURCES if name),
    ),
    FieldSpec("Score", "Score", "Number", "Number", "BIGINT"),
    FieldSpec("EngagementScore", "Engagement Score", "Number", "Number", "BIGINT"),
    FieldSpec("OwnerId", "Owner", "Text", "User", "VARCHAR", True),
    FieldSpec("CreatedOn", "Created On", "Date", "DateTime", "TIMESTAMP", True),
    FieldSpec("ModifiedOn", "Modified On", "Date", "DateTime", "TIMESTAMP", True),
    FieldSpec("ProspectActivityDate_Max", "Last Activity Date", "Date", "DateTime", "TIMESTAMP"),
    FieldSpec("DoNotCall", "Do Not Call", "Boolean", "Checkbox", "BOOLEAN"),
    FieldSpec(
        "mx_City", "City", "Select", "Dropdown", "VARCHAR", False, tuple(c for c, _ in CITIES)
    ),
    FieldSpec(
        "mx_Product",
        "Product",
        "Select",
        "Dropdown",
        "VARCHAR",
        False,
        tuple(p[0] for p in PRODUCTS),
    ),
    FieldSpec("mx_Loan_Amount", "Loan Amount", "Number", "Number", "BIGINT"),
    FieldSpec("mx_Interest_Rate", "Interest Rate", "Number", "Decimal", "DOUBLE"),
    FieldSpec("mx_Date_of_Birth", "Date of Birth", "Date", "Date", "TIMESTAMP"),
    FieldSpec("mx_Follow_Up_Date", "Follow Up Date", "Date", "Date", "TIMESTAMP"),
    FieldSpec("mx_Remarks", "Remarks", "Text", "TextArea", "VARCHAR"),
)

VENDOR_USER_IDS = (
    "01f131a5-7746-11e6-bcaf-0677ec402fcf",
    "07934579-8551-11e6-88b9-0677ec402fcf",
    "090529bc-862c-11e6-88b9-0677ec402fcf",
    "0ec2b1d5-3d0f-11e5-b982-22000aa68b6f",
    "8e7da340-740a-11e5-8de3-22000aa5088d",
    "ca00fef0-73f7-11e5-8de3-22000aa5088d",
    "dd908e91-c5c9-11e5-8de3-22000aa5088d",
)
# the vendor users: name, role, team; the admin owns no leads of its own
_VENDOR_USERS = (
    ("Asha", "Menon", "Admin", "Head Office"),
    ("Vikram", "Rao", "Sales Manager", "West"),
    ("Neha", "Kapoor", "Sales Executive", "North"),
    ("Imran", "Sheikh", "Sales Executive", "South"),
    ("Deepa", "Iyer", "Sales Manager", "South"),
    ("Rohit", "Verma", "Sales Executive", "North"),
    ("Kiran", "Patil", "Sales Executive", "West"),
)
_LEGACY_OWNERS = {1: 5.0, 4: 2.0, 5: 2.0, 6: 1.0}  # user index: weight, for old leads
_TEAMS = ("North", "South", "West", "East", "Inside Sales")


ACTIVITY_TYPE_NAMES = ("DisplayName", "ActivityEventName", "mixed")
"""How ``ActivityTypes.Get`` names a type (``SandboxSettings.activity_type_names``)."""


def activity_type_item(activity_type: ActivityType, names: str) -> dict[str, Any]:
    """An activity type as ``ActivityTypes.Get`` answers it: named by ``DisplayName``, or
    by ``ActivityEventName`` with an ``EventType`` (``System`` below 200, else ``Custom``:
    our words), or (``mixed``) custom types the second way and system types the first."""
    custom = activity_type.event >= 200
    item: dict[str, Any] = {"ActivityEvent": activity_type.event}
    if names == "ActivityEventName" or (names == "mixed" and custom):
        item["ActivityEventName"] = activity_type.display_name
        item["EventType"] = "Custom" if custom else "System"
    else:
        item["DisplayName"] = activity_type.display_name
    item["Category"] = activity_type.category
    return item


def user_item(user: dict[str, Any], shape: str) -> dict[str, Any]:
    """A user as ``Users.Get`` answers it, in the ``documented`` or ``legacy`` shape
    (``SandboxSettings.users_shape``)."""
    if shape == "legacy":
        keys = ("UserID", "FirstName", "LastName", "EmailAddress", "Role", "Team")
        return {key: user[key] for key in keys}
    return {
        "ID": user["UserID"],
        "FirstName": user["FirstName"],
        "LastName": user["LastName"],
        "EmailAddress": user["EmailAddress"],
        "Role": user["Role"],
        "StatusCode": user["StatusCode"],
        "MemberOfGroups": user["Team"],
        "Tag": "",
        "IsPhoneCallAgent": user["IsPhoneCallAgent"],
    }


def lead_field_metadata() -> list[dict[str, Any]]:
    """Every lead field as ``LeadsMetaData.Get`` returns it."""
    return [spec.descriptor() for spec in LEAD_FIELDS]


def make_users(count: int, seed: int) -> list[dict[str, Any]]:
    """The sales team: ``count`` users with workload weights.

    Returns
    -------
    list of dict
        ``UserID, FirstName, LastName, EmailAddress, Role, Team``, ``StatusCode`` (0
        active, 1 inactive: every eighth user past the vendor's seven, from the fourth,
        is inactive and still owns leads), ``IsPhoneCallAgent`` (the Sales Executives)
        plus the private weights ``_recent`` and ``_legacy`` (share of new and of old
        leads owned).
    """
    rng = random.Random(f"leadsq-sandbox-users-{seed}")
    users = []
    taken: set[str] = set()
    for index in range(count):
        if index < len(VENDOR_USER_IDS):
            user_id = VENDOR_USER_IDS[index]
            first, last, role, team = _VENDOR_USERS[index]
        else:
            user_id = str(uuid.UUID(int=rng.getrandbits(128), version=4))
            first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
            role = "Sales Manager" if index % 6 == 0 else "Sales Executive"
            team = rng.choice(_TEAMS)
        handle = f"{first}.{last}".lower().replace("'", "")
        while handle in taken:
            handle += str(index)
        taken.add(handle)
        users.append(
            {
                "UserID": user_id,
                "FirstName": first,
                "LastName": last,
                "EmailAddress": f"{handle}@sandbox.example.com",
                "Role": role,
                "Team": team,
                "StatusCode": int(index >= len(VENDOR_USER_IDS) and index % 8 == 3),
                "IsPhoneCallAgent": role == "Sales Executive",
            }
        )
    ranks = list(range(1, count + 1))
    rng.shuffle(ranks)
    for user, rank in zip(users, ranks, strict=True):
        factor = {"Admin": 0.0, "Sales Manager": 0.35}.get(str(user["Role"]), 1.0)
        user["_recent"] = factor / rank**1.1
    if not any(user["_recent"] for user in users):
        for user in users:
            user["_recent"] = 1.0
    for index, user in enumerate(users):
        user["_legacy"] = _LEGACY_OWNERS.get(index, 0.0)
    if not any(user["_legacy"] for user in users):
        for user in users:
            user["_legacy"] = user["_recent"]
    return users


def new_lead_values(
    rng: random.Random, auto_id: int, owner_id: str, now: datetime
) -> dict[str, Any]:
    """A freshly created lead (churn): a Prospect with no activity yet.

    Parameters
    ----------
    rng : random.Random
        Source of the lead's random values.
    auto_id : int
        Its ``ProspectAutoId``, next after the largest.
    owner_id : str
        Its owner.
    now : datetime
        Its ``CreatedOn`` and ``ModifiedOn``.
    """
    first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
    product = rng.choices([p for p in PRODUCTS], weights=[p[1] for p in PRODUCTS])[0]
    handle = f"{first}.{last}".lower().replace("'", "")
    return {
        "ProspectID": str(uuid.UUID(int=rng.getrandbits(128), version=4)),
        "ProspectAutoId": auto_id,
        "FirstName": first,
        "LastName": last,
        "EmailAddress": f"{handle}{auto_id % 97}@{rng.choice(EMAIL_DOMAINS)}",
        "Phone": f"+91-{rng.randrange(7_000_000_000, 9_999_999_999)}",
        "Company": rng.choice((None, *COMPANIES)),
        "ProspectStage": "Prospect",
        "Source": rng.choices([s for s, _ in SOURCES], weights=[w for _, w in SOURCES])[0],
        "Score": rng.randrange(0, 40),
        "EngagementScore": 0,
        "OwnerId": owner_id,
        "CreatedOn": now,
        "ModifiedOn": now,
        "ProspectActivityDate_Max": None,
        "DoNotCall": False,
        "mx_City": rng.choices([c for c, _ in CITIES], weights=[w for _, w in CITIES])[0],
        "mx_Product": product[0],
        "mx_Loan_Amount": round(rng.uniform(product[2], product[3]) / 5000) * 5000,
        "mx_Interest_Rate": None,
        "mx_Date_of_Birth": None,
        "mx_Follow_Up_Date": (now + timedelta(days=rng.randrange(1, 15))).replace(
            hour=0, minute=0, second=0, microsecond=0
        ),
        "mx_Remarks": None,
    }
