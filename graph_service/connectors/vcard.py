"""vCard address books (.vcf, versions 2.1, 3.0 and 4.0): persons, companies, titles, emails.

Each card becomes a person: the formatted name (``FN``, else ``N``), every email
address, the company and department from ``ORG``, the title from ``TITLE`` (else
``ROLE``), and a LinkedIn profile from ``URL`` or ``X-SOCIALPROFILE``. The id is
``email:<hash>`` of the first address, else ``li:<slug>``, else ``name:<hash>``
of name and company. A card with a company and no name or address adds only the
company. With an exporting team member (``owner``), each person is also tied to
them (an address book entry means they know each other), source
``personal_network``.

Parsing is lenient where phones and mail programs are sloppy: a line that is not
a vCard property is skipped with its line number and the rest of the card is
kept; a card vobject cannot read at all, or that never ends, is skipped whole.
Files are read as UTF-8, else as Windows-1252 (old Outlook exports); vCard 2.1
quoted-printable values are decoded.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import vobject

from graph_service.connectors.base import (
    Plan,
    PersonDraft,
    Position,
    company_key,
    email_person_id,
    linkedin_person_id,
    linkedin_slug,
    normalise_email,
    person_name_from_address,
    read_text,
    short_hash,
)
from graph_service.model import Source, Tie, TieKind

KIND = "vcard"
_PROPERTY = re.compile(r"^[A-Za-z0-9\-_]+(\.[A-Za-z0-9\-_]+)?(;[^:]*)?:")


def _cards(text: str, plan: Plan) -> Iterator[tuple[int, str, str]]:
    """(first line, text, raw FN) of every BEGIN:VCARD ... END:VCARD block, bad lines left out and reported.

    The formatted name is also returned as written: many exporters leave commas
    in ``FN`` unescaped (``FN:Müller, Jörg``), which a strict reader cuts short.
    """
    logical: list[tuple[int, list[str]]] = []
    start: int | None = None
    for number, line in enumerate(text.splitlines(), start=1):
        upper = line.strip().upper()
        if start is None:
            if upper == "BEGIN:VCARD":
                start, logical = number, [(number, [line.strip()])]
            elif line.strip():
                plan.skip(number, "text outside a card", line.strip()[:80])
            continue
        continued = line[:1] in (" ", "\t") or (
            logical and "QUOTED-PRINTABLE" in logical[-1][1][0].upper() and logical[-1][1][-1].endswith("="))
        if continued and logical:
            logical[-1][1].append(line)
            continue
        if upper == "END:VCARD":
            logical.append((number, [line.strip()]))
            kept, fn = [], ""
            for first, lines in logical:
                if _PROPERTY.match(lines[0]):
                    kept.append("\r\n".join(lines))
                    fn = fn or _raw_fn(lines)
                else:
                    plan.skip(first, "unreadable line", lines[0][:80])
            yield start, "\r\n".join(kept) + "\r\n", fn
            start = None
            continue
        if not line.strip():
            continue
        logical.append((number, [line]))
    if start is not None:
        plan.skip(start, "card without END:VCARD")


def _raw_fn(lines: list[str]) -> str:
    """The value of an ``FN`` line as written (unfolded, escapes undone); empty for other lines or encoded values."""
    head, _, value = "".join(line[1:] if i else line for i, line in enumerate(lines)).partition(":")
    name, *params = head.split(";")
    if name.split(".")[-1].upper() != "FN" or any("ENCODING" in p.upper() for p in params):
        return ""
    return value.replace("\\,", ",").replace("\\;", ";").replace("\\n", " ").replace("\\\\", "\\").strip()


def _values(card: Any, name: str) -> list[Any]:
    return [item.value for item in card.contents.get(name, [])]


def _text(value: Any) -> str:
    if isinstance(value, list):
        value = " ".join(str(v) for v in value if v)
    return str(value or "").strip()


def read(path: Path, *, as_of: date, owner: str | None = None, source: Source = Source.personal_network,
         file_name: str | None = None) -> Plan:
    """The plan of one address book; ``owner`` is the team member whose address book it is."""
    plan = Plan(kind=KIND, file=file_name or path.name, source=source, as_of=as_of, owner=owner)
    for line, text, fn in _cards(read_text(path), plan):
        try:
            card = vobject.readOne(text, allowQP=True)
        except Exception as err:  # vobject raises ParseError and, on odd input, plain ValueErrors
            plan.skip(line, "unreadable card", str(err)[:120])
            continue
        _card(plan, card, line, owner, fn)
    return plan


def _name(card: Any, fn: str) -> str:
    name = fn or (_text(_values(card, "fn")[0]) if "fn" in card.contents else "")
    if not name and "n" in card.contents:
        n = card.n.value
        parts = [n.prefix, n.given, n.additional, n.family, n.suffix] if hasattr(n, "given") else [n]
        name = " ".join(_text(p) for p in parts if _text(p))
    return name


def _card(plan: Plan, card: Any, line: int, owner: str | None, fn: str) -> None:
    emails = list(dict.fromkeys(e for e in (normalise_email(_text(v)) for v in _values(card, "email")) if e))
    org = _values(card, "org")
    org_parts = [_text(p) for p in (org[0] if org and isinstance(org[0], list) else org)]
    company = org_parts[0] if org_parts else ""
    department = org_parts[1] if len(org_parts) > 1 else ""
    title = _text(_values(card, "title")[0]) if "title" in card.contents else ""
    if not title and "role" in card.contents:
        title = _text(_values(card, "role")[0])
    urls = [_text(v) for v in _values(card, "url") + _values(card, "x-socialprofile")]
    slug = next((s for s in map(linkedin_slug, urls) if s), None)
    name = _name(card, fn)
    key = plan.add_company(company) if company else ""
    if not name and not emails:
        if not key:
            plan.skip(line, "no name, address or company")
        return
    if emails:
        id = email_person_id(emails[0])
    elif slug:
        id = linkedin_person_id(slug)
    else:
        id = f"name:{short_hash(name.casefold() + '|' + company_key(company))}"
    draft = plan.add_person(PersonDraft(
        id=id, name=name or person_name_from_address(emails[0]), emails=emails, profiles=[slug] if slug else [],
        company=key, title=title, department=department, tags=[f"via:{KIND}"], line=line, name_given=bool(name)))
    if key:
        plan.positions.append(Position(person=draft.id, company=key, title=title, department=department))
    if owner and draft.id != owner:
        plan.ties.append(Tie(a=owner, b=draft.id, kind=TieKind.other, source=plan.source))
