"""CRM exports as CSV (accounts, contacts, opportunities), mapped by a column mapping file.

Any CRM's export can be read without code: a mapping file (TOML or JSON) names,
for each table, the CSV column that holds each of our fields, and how the CRM's
values translate into ours. Example (a HubSpot-like export)::

    system = "hubspot"            # names ids (crm:hubspot:<key>) and the via:crm:hubspot tag
    source = "sales_accounts"     # optional: one of the nine sources

    [accounts]
    key = "Record ID"             # the CRM's account id, which contacts refer to
    name = "Company name"         # required
    domain = "Company Domain Name"
    industry = "Industry"
    employees = "Number of Employees"
    revenue = "Annual Revenue"
    status = "Type"
    [accounts.values.status]      # CRM value -> ours; others are left empty
    Customer = "customer"
    Prospect = "prospect"

    [contacts]
    key = "Record ID"
    first_name = "First Name"     # or: name = "Full Name"
    last_name = "Last Name"
    email = ["Email", "Work Email"]
    company = "Company Name"      # and/or account_key = "Associated Company ID"
    title = "Job Title"
    department = "Department"
    decision_layer = "Buying Role"
    linkedin = "LinkedIn URL"
    owner_email = "Contact owner" # a team member: tied to the contact, source sales_accounts
    [contacts.values.decision_layer]
    "Decision Maker" = "decision_maker"
    "Budget Holder" = "decision_maker"
    Influencer = "user_influencer"

    [opportunities]
    account_key = "Associated Company ID"   # and/or company = "Company name"
    stage = "Deal Stage"
    contact_email = "Contact email"
    owner_email = "Deal owner"
    [opportunities.values.stage]  # -> won, lost or open (the default)
    closedwon = "won"
    closedlost = "lost"

Accounts become companies (a stored company with the same normalised name or
domain is updated, filling only what it lacks). Contacts become persons with
their current position; the id is ``email:<hash>``, else ``li:<slug>``, else
``crm:<system>:<key>``. Opportunities raise an account's status: an open one
makes an unclassified company a ``prospect``, a won one makes it a
``customer``; partners, competitors and associations keep theirs. The owner of
a contact or an opportunity, found by email among known persons, is tied to
the contact (kind ``customer``); an unknown owner only skips the tie.

Values that cannot be read (a word in a number column, a stage the mapping
does not name) are left empty and reported as ``value ignored``; rows without
the fields a table requires are skipped.
"""

from __future__ import annotations

import csv
import json
import re
import tomllib
from datetime import date
from pathlib import Path


from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from graph_service.connectors.base import (
    Plan,
    PersonDraft,
    Position,
    company_key,
    draft_for_address,
    email_person_id,
    linkedin_person_id,
    linkedin_slug,
    normalise_email,
    read_text,
    short_hash,
)
from graph_service.errors import InvalidInput, Problem
from graph_service.errors import problems_from_errors
from graph_service.model import CompanyStatus, DecisionLayer, Source, Tie, TieKind

KIND = "crm"
TABLES = ("accounts", "contacts", "opportunities")
_KEY = re.compile(r"[^A-Za-z0-9._\-]+")

Columns = str | list[str]


class _Table(BaseModel):
    model_config = ConfigDict(extra="forbid")
    values: dict[str, dict[str, str]] = {}


class AccountColumns(_Table):
    key: str | None = None
    name: str
    domain: str | None = None
    industry: str | None = None
    employees: str | None = None
    revenue: str | None = None
    status: str | None = None


class ContactColumns(_Table):
    key: str | None = None
    name: str | None = None
    first_name: str | None = None
    last_name: str | None = None
    email: Columns | None = None
    company: str | None = None
    account_key: str | None = None
    title: str | None = None
    department: str | None = None
    decision_layer: str | None = None
    linkedin: str | None = None
    owner_email: str | None = None


class OpportunityColumns(_Table):
    key: str | None = None
    account_key: str | None = None
    company: str | None = None
    stage: str
    contact_email: str | None = None
    owner_email: str | None = None


class Mapping(BaseModel):
    """A column mapping file: which CSV column holds which of our fields, per table."""

    model_config = ConfigDict(extra="forbid")
    system: str = Field("crm", min_length=1, max_length=40)
    source: Source = Source.sales_accounts
    delimiter: str = Field(",", min_length=1, max_length=1)
    accounts: AccountColumns | None = None
    contacts: ContactColumns | None = None
    opportunities: OpportunityColumns | None = None

    @field_validator("system")
    @classmethod
    def _plain(cls, value: str) -> str:
        return _KEY.sub("-", value.strip()).strip("-").lower() or "crm"


def load_mapping(path: Path) -> Mapping:
    """Read and check a mapping file (``.toml``, else JSON); every problem is reported at once."""
    text = read_text(path)
    try:
        data = tomllib.loads(text) if path.suffix.lower() == ".toml" else json.loads(text)
    except (tomllib.TOMLDecodeError, json.JSONDecodeError) as err:
        raise InvalidInput(Problem("mapping", f"{path.name}: {err}")) from err
    try:
        mapping = Mapping.model_validate(data)
    except ValidationError as err:
        raise InvalidInput(problems_from_errors(err.errors()), f"mapping {path.name}") from err
    if mapping.contacts and not (mapping.contacts.name or mapping.contacts.first_name or mapping.contacts.last_name):
        raise InvalidInput(Problem("contacts.name", "map name, or first_name and last_name"))
    if mapping.opportunities and not (mapping.opportunities.account_key or mapping.opportunities.company):
        raise InvalidInput(Problem("opportunities.account_key", "map account_key or company"))
    return mapping


def _columns(table: BaseModel) -> list[str]:
    found = []
    for name, value in table:
        if name == "values" or value is None:
            continue
        found += value if isinstance(value, list) else [value]
    return found


def _table(mapping: Mapping, header: list[str], wanted: str | None) -> str:
    given = [t for t in TABLES if getattr(mapping, t) is not None]
    if wanted:
        if wanted not in TABLES:
            raise InvalidInput(Problem("table", f"must be one of {', '.join(TABLES)}"))
        if wanted not in given:
            raise InvalidInput(Problem("table", f"the mapping has no [{wanted}] section"))
        return wanted
    fitting = [t for t in given if set(_columns(getattr(mapping, t))) <= set(header)]
    if len(fitting) == 1:
        return fitting[0]
    raise InvalidInput(Problem("table", f"cannot tell which table this file is ({', '.join(given)}); name it"))


def read(path: Path, *, mapping: Mapping, as_of: date, table: str | None = None, owner: str | None = None,
         file_name: str | None = None) -> Plan:
    """The plan of one CRM export file of one table (``accounts``, ``contacts`` or ``opportunities``)."""
    plan = Plan(kind=KIND, file=file_name or path.name, source=mapping.source, as_of=as_of, owner=owner)
    reader = csv.reader(read_text(path).splitlines(), delimiter=mapping.delimiter)
    header = [cell.strip() for cell in next(reader, [])]
    which = _table(mapping, header, table)
    columns = getattr(mapping, which)
    missing = [c for c in _columns(columns) if c not in header]
    if missing:
        raise InvalidInput([Problem(c, "column named in the mapping is not in the file", 1) for c in missing])
    handler = {"accounts": _account, "contacts": _contact, "opportunities": _opportunity}[which]
    for number, row in enumerate(reader, start=2):
        if not any(cell.strip() for cell in row):
            continue
        if len(row) != len(header):
            plan.skip(number, "malformed row", f"{len(row)} cells, the header has {len(header)}")
            continue
        handler(plan, mapping, columns, {h: c.strip() for h, c in zip(header, row)}, number)
    return plan


def _cell(row: dict[str, str], column: str | None) -> str:
    return row.get(column, "") if column else ""


def _value(plan: Plan, columns: _Table, field: str, row: dict[str, str], column: str | None, line: int,
           allowed: type) -> str | None:
    """A mapped enum value, or None (reported when the cell held something the mapping does not translate)."""
    raw = _cell(row, column)
    if not raw:
        return None
    translated = columns.values.get(field, {}).get(raw, raw)
    try:
        return allowed(translated).value
    except ValueError:
        plan.skip(line, "value ignored", f"{column}: {raw!r}")
        return None


def _number(plan: Plan, row: dict[str, str], column: str | None, line: int) -> float | None:
    raw = _cell(row, column).replace(",", "").replace("$", "").replace("€", "").strip()
    if not raw:
        return None
    try:
        value = float(raw)
    except ValueError:
        plan.skip(line, "value ignored", f"{column}: {raw!r}")
        return None
    return value if value >= 0 else None


def _ref(mapping: Mapping, key: str) -> str:
    return f"crm:{mapping.system}:account:{key}"


def _account(plan: Plan, mapping: Mapping, columns: AccountColumns, row: dict[str, str], line: int) -> None:
    name = _cell(row, columns.name)
    if not company_key(name):
        plan.skip(line, "no account name")
        return
    status = _value(plan, columns, "status", row, columns.status, line, CompanyStatus)
    employees = _number(plan, row, columns.employees, line)
    domain = _cell(row, columns.domain).lower().removeprefix("https://").removeprefix("http://").removeprefix("www.")
    key = plan.add_company(name, domain=domain.split("/")[0] or None, industry=_cell(row, columns.industry) or None,
                           employees=int(employees) if employees is not None else None,
                           revenue=_number(plan, row, columns.revenue, line),
                           status=status if status and status not in ("prospect", "customer") else None)
    if status in ("prospect", "customer"):
        plan.company_status[key] = status
    account = _cell(row, columns.key)
    if account:
        plan.company_refs[key] = _ref(mapping, account)


def _company(plan: Plan, mapping: Mapping, row: dict[str, str], name_column: str | None, key_column: str | None) -> str:
    """The plan's key for the company a row names (by name) or refers to (by account key)."""
    name, account = _cell(row, name_column), _cell(row, key_column)
    key = plan.add_company(name) if company_key(name) else ""
    if account:
        if key:
            plan.company_refs.setdefault(key, _ref(mapping, account))
        else:
            key = "ref:" + _ref(mapping, account)
    return key


def _known(email: str, line: int | None) -> PersonDraft:
    draft = draft_for_address(email, None, kind=KIND, line=line)
    draft.known_only = True
    return draft


def _owner(plan: Plan, row: dict[str, str], column: str | None) -> str | None:
    email = normalise_email(_cell(row, column))
    if not email:
        return None
    return plan.add_person(_known(email, None)).id


def _contact(plan: Plan, mapping: Mapping, columns: ContactColumns, row: dict[str, str], line: int) -> None:
    name = _cell(row, columns.name) or " ".join(p for p in (_cell(row, columns.first_name),
                                                            _cell(row, columns.last_name)) if p)
    email_columns = [columns.email] if isinstance(columns.email, str) else columns.email or []
    emails = list(dict.fromkeys(e for e in (normalise_email(_cell(row, c)) for c in email_columns) if e))
    slug = linkedin_slug(_cell(row, columns.linkedin))
    key = _cell(row, columns.key)
    if not name:
        plan.skip(line, "no name")
        return
    if emails:
        id = email_person_id(emails[0])
    elif slug:
        id = linkedin_person_id(slug)
    elif key:
        id = f"crm:{mapping.system}:{_KEY.sub('-', key)}"[:128]
    else:
        id = f"name:{short_hash(name.casefold() + '|' + company_key(_cell(row, columns.company)))}"
    company = _company(plan, mapping, row, columns.company, columns.account_key)
    title = _cell(row, columns.title)
    draft = plan.add_person(PersonDraft(id=id, name=name, emails=emails, profiles=[slug] if slug else [],
                                        company=company, title=title, department=_cell(row, columns.department),
                                        tags=[f"via:crm:{mapping.system}"], line=line))
    if company:
        layer = _value(plan, columns, "decision_layer", row, columns.decision_layer, line, DecisionLayer)
        plan.positions.append(Position(person=draft.id, company=company, title=title,
                                       department=_cell(row, columns.department),
                                       decision_layer=DecisionLayer(layer) if layer else None))
    owner = _owner(plan, row, columns.owner_email)
    if owner and owner != draft.id:
        plan.ties.append(Tie(a=owner, b=draft.id, kind=TieKind.customer, source=plan.source))


STAGES = ("won", "lost", "open")


def _opportunity(plan: Plan, mapping: Mapping, columns: OpportunityColumns, row: dict[str, str], line: int) -> None:
    company = _company(plan, mapping, row, columns.company, columns.account_key)
    if not company:
        plan.skip(line, "no account")
        return
    raw = _cell(row, columns.stage)
    stage = columns.values.get("stage", {}).get(raw, raw.lower() if raw.lower() in STAGES else "open")
    if stage not in STAGES:
        plan.skip(line, "value ignored", f"{columns.stage}: {raw!r}")
        stage = "open"
    if stage != "lost":
        wanted = "customer" if stage == "won" else "prospect"
        if plan.company_status.get(company) != "customer":
            plan.company_status[company] = wanted
    contact_email = normalise_email(_cell(row, columns.contact_email))
    owner = _owner(plan, row, columns.owner_email)
    if contact_email and owner:
        contact = plan.add_person(_known(contact_email, line))
        if contact.id != owner:
            plan.ties.append(Tie(a=owner, b=contact.id, kind=TieKind.customer, source=plan.source))
