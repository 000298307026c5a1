"""LinkedIn "Connections.csv": a team member's connections, their companies and positions.

The export (Settings > Data privacy > Get a copy of your data > Connections)
starts with a few lines of notes, then the header ``First Name, Last Name, URL,
Email Address, Company, Position, Connected On``; ``Connected On`` reads like
``05 Mar 2021``. Each row becomes:

- a person ``li:<slug>`` (from the profile URL; ``email:<hash>`` or
  ``name:<hash>`` without one), tagged ``linkedin:<slug>`` and ``via:linkedin``;
- their company and position as seen on the export date (the plan's ``as_of``),
  which a newer export turns into role changes and job moves;
- a tie between the exporting team member and the person, source
  ``personal_network``, ``since`` the connection date.

Rows with a wrong number of cells or without a name and profile are skipped
with their line; an unreadable date only leaves ``since`` empty.
"""

from __future__ import annotations

import csv
from datetime import date, datetime
from pathlib import Path

from graph_service.connectors.base import (
    Plan,
    PersonDraft,
    Position,
    company_key,
    email_person_id,
    linkedin_person_id,
    linkedin_slug,
    normalise_email,
    read_text,
    short_hash,
)
from graph_service.errors import InvalidInput, Problem
from graph_service.model import Source, Tie, TieKind

KIND = "linkedin"
COLUMNS = ("First Name", "Last Name", "URL", "Email Address", "Company", "Position", "Connected On")
DATE_FORMATS = ("%d %b %Y", "%d-%b-%y", "%Y-%m-%d", "%m/%d/%y", "%m/%d/%Y", "%d.%m.%Y")


def connected_on(text: str) -> date | None:
    """The date of a ``Connected On`` cell, in any of the formats LinkedIn has used; None if unreadable."""
    for fmt in DATE_FORMATS:
        try:
            return datetime.strptime(text.strip(), fmt).date()
        except ValueError:
            continue
    return None


def read(path: Path, *, owner: str, as_of: date, source: Source = Source.personal_network,
         file_name: str | None = None) -> Plan:
    """The plan of one ``Connections.csv`` exported by team member ``owner`` on ``as_of``."""
    plan = Plan(kind=KIND, file=file_name or path.name, source=source, as_of=as_of, owner=owner)
    rows = csv.reader(read_text(path).splitlines())
    header: list[str] | None = None
    for number, row in enumerate(rows, start=1):
        cells = [cell.strip() for cell in row]
        if header is None:
            if cells[:2] == ["First Name", "Last Name"]:
                header = cells
                missing = [c for c in COLUMNS if c not in header]
                if missing:
                    raise InvalidInput(Problem("header", f"missing column(s) {', '.join(missing)}", number))
            continue
        if not any(cells):
            continue
        if len(cells) != len(header):
            plan.skip(number, "malformed row", f"{len(cells)} cells, the header has {len(header)}")
            continue
        _row(plan, dict(zip(header, cells)), number, owner)
    if header is None:
        raise InvalidInput(Problem("header", "no 'First Name,Last Name,URL,...' header: not a LinkedIn Connections.csv"))
    return plan


def _row(plan: Plan, row: dict[str, str], line: int, owner: str) -> None:
    name = " ".join(part for part in (row["First Name"], row["Last Name"]) if part)
    slug = linkedin_slug(row["URL"])
    email = normalise_email(row["Email Address"])
    if row["URL"] and slug is None:
        plan.skip(line, "not a LinkedIn profile URL", row["URL"][:80])
        return
    if not name:
        plan.skip(line, "no name", row["URL"][:80])
        return
    key = plan.add_company(row["Company"]) if row["Company"] else ""
    if slug:
        id = linkedin_person_id(slug)
    elif email:
        id = email_person_id(email)
    else:
        id = f"name:{short_hash(name.casefold() + '|' + company_key(row['Company']))}"
    draft = plan.add_person(PersonDraft(id=id, name=name, emails=[email] if email else [],
                                        profiles=[slug] if slug else [], company=key, title=row["Position"],
                                        tags=[f"via:{KIND}"], line=line))
    if key:
        plan.positions.append(Position(person=draft.id, company=key, title=row["Position"]))
    if draft.id != owner:
        plan.ties.append(Tie(a=owner, b=draft.id, kind=TieKind.other, source=plan.source,
                             since=connected_on(row["Connected On"]) if row["Connected On"] else None))
