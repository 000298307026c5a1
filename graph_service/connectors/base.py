"""What every connector produces: a plan of people, companies, positions, ties and interactions.

A connector reads one file and describes what it says, without looking at the
store: a :class:`PersonDraft` per person as the file knows them (under a stable
id derived from the file's strongest key), companies by name, the positions the
file shows people holding on the export date, ties, interactions, and every row
it skipped with the reason. :mod:`graph_service.connectors.sync` then resolves
the drafts against the store and turns the plan into records.

Stable ids
----------
Ids never depend on the order of a file or on chance, so re-importing the same
or a newer export updates instead of duplicating:

=====================  ==============================================================
``email:<hash>``       a person known by an email address (the first one the file gives)
``li:<slug>``          a person known by a LinkedIn profile URL (``/in/<slug>``)
``crm:<system>:<key>`` a CRM contact without email or profile
``name:<hash>``        a person known only by name and company (vCard without email)
``co:<slug>``          a company, from its normalised name (``co-<hash>`` when not ASCII)
=====================  ==============================================================

A profile URL is also kept on the person as the tag ``linkedin:<slug>`` and each
connector that described a person adds the tag ``via:<kind>``, so a person keeps
every source that contributed to it.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from urllib.parse import unquote, urlsplit

from graph_service.errors import InvalidInput, Problem
from graph_service.model import Company, DecisionLayer, Interaction, Source, Tie

NAME_FROM_ADDRESS = "name-from-address"
"""Tag of a person whose name was made up from an address (no display name seen yet)."""

TEXT = 300
"""Longest name, title or department the model keeps."""

SKIP_SAMPLE = 1000
"""Skipped rows kept with their line; the reason counts cover all of them."""

FREE_MAIL = frozenset({
    "gmail.com", "googlemail.com", "yahoo.com", "yahoo.co.uk", "yahoo.de", "yahoo.fr", "hotmail.com",
    "hotmail.co.uk", "outlook.com", "live.com", "msn.com", "icloud.com", "me.com", "mac.com", "aol.com",
    "gmx.de", "gmx.net", "gmx.com", "web.de", "t-online.de", "proton.me", "protonmail.com", "yandex.ru",
    "mail.ru", "qq.com", "163.com", "126.com", "sina.com", "foxmail.com", "naver.com",
})
"""Personal mail providers: their domain says nothing about a person's company."""

LEGAL_FORMS = frozenset({
    "inc", "incorporated", "corp", "corporation", "co", "company", "ltd", "limited", "llc", "llp", "lp", "plc",
    "gmbh", "ag", "kg", "se", "sa", "sas", "sarl", "bv", "nv", "oy", "ab", "as", "spa", "srl", "kk", "pty",
    "pte", "holding", "holdings", "group",
})
"""Legal-form words dropped from company names before comparing them (``Acme Inc.`` is ``Acme``)."""

_CJK_LEGAL = re.compile(r"(股份有限公司|有限责任公司|有限公司|株式会社)$")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_NOT_ID = re.compile(r"[^a-z0-9._\-]+")
_WORDS = re.compile(r"[^\w]+")
_FOLD = str.maketrans({"ß": "ss", "ø": "o", "Ø": "o", "ł": "l", "Ł": "l", "đ": "d", "Đ": "d", "æ": "ae",
                       "Æ": "ae", "œ": "oe", "Œ": "oe", "ı": "i"})


def read_text(path: Path) -> str:
    """A text file as UTF-8 (a byte-order mark is dropped), else as Windows-1252 (old Outlook and Excel exports)."""
    data = path.read_bytes()
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise InvalidInput(Problem("file", f"{path.name} is neither UTF-8 nor Windows-1252 text"))


def fold(text: str) -> str:
    """Casefolded text without accents: ``Jörg Müller`` -> ``jorg muller``; CJK text is kept."""
    text = unicodedata.normalize("NFKD", unicodedata.normalize("NFKC", text).translate(_FOLD))
    return "".join(ch for ch in text if not unicodedata.combining(ch)).casefold()


def short_hash(text: str, size: int = 8) -> str:
    return hashlib.blake2b(text.encode(), digest_size=size).hexdigest()


def normalise_email(text: str | None) -> str | None:
    """A lower-cased address, or None when ``text`` is not one (``mailto:`` and ``<...>`` are removed)."""
    if not text:
        return None
    address = text.strip().strip("<>").strip()
    if address.lower().startswith("mailto:"):
        address = address[7:]
    address = address.strip().lower()
    return address if _EMAIL.match(address) and len(address) <= 254 else None


def email_domain(address: str) -> str:
    return address.rsplit("@", 1)[1]


def email_person_id(address: str) -> str:
    """``email:<hash>`` of a normalised address; the address itself stays out of ids and URLs."""
    return f"email:{short_hash(address)}"


def linkedin_slug(url: str | None) -> str | None:
    """The profile slug of a LinkedIn URL (``https://www.linkedin.com/in/j%C3%B6rg-m-12/`` -> ``jörg-m-12``)."""
    if not url or not url.strip():
        return None
    text = url.strip()
    if "://" not in text:
        text = "https://" + text
    try:
        parts = urlsplit(text)
    except ValueError:  # "Invalid IPv6 URL" and the like
        return None
    if not parts.hostname or not parts.hostname.endswith("linkedin.com"):
        return None
    segments = [unquote(s) for s in parts.path.split("/") if s]
    if len(segments) < 2 or segments[0] not in ("in", "pub"):
        return None
    slug = segments[1].strip().casefold()
    return slug or None


def profile_tag(slug: str) -> str:
    """The person tag that keeps a LinkedIn profile: ``linkedin:<slug>`` (hashed when too long for a tag)."""
    tag = f"linkedin:{slug}"
    return tag if len(tag) <= 64 else f"linkedin:#{short_hash(slug)}"


def linkedin_person_id(slug: str) -> str:
    """``li:<slug>`` when the slug is plain ASCII, else ``li:<ascii part>-<hash>``."""
    ascii_slug = _NOT_ID.sub("-", fold(slug)).strip("-._")
    if ascii_slug == slug and len(slug) <= 100:
        return f"li:{slug}"
    return f"li:{ascii_slug[:80]}-{short_hash(slug, 4)}".replace(":-", ":")


def company_key(name: str | None) -> str:
    """A company name for comparing: folded, punctuation and legal forms dropped (``ACME, Inc.`` -> ``acme``)."""
    if not name:
        return ""
    text = _CJK_LEGAL.sub("", unicodedata.normalize("NFKC", name).strip()).replace(".", "")
    words = [w for w in _WORDS.sub(" ", fold(text)).split() if w]
    kept = [w for w in words if w not in LEGAL_FORMS]
    return " ".join(kept or words)


_SECOND_LEVEL = frozenset({"co", "com", "ac", "gov", "org", "net", "edu", "ne", "or"})


def domain_company_key(domain: str) -> str:
    """The company key a web or mail domain spells: ``siemens-energy.com`` -> ``siemens energy``, ``acme.co.uk`` -> ``acme``."""
    labels = [label for label in domain.lower().removeprefix("www.").split(".") if label]
    if len(labels) > 2 and labels[-2] in _SECOND_LEVEL:
        labels = labels[:-1]
    return company_key(labels[-2].replace("-", " ").replace("_", " ")) if len(labels) >= 2 else ""


def company_id_for(key: str) -> str:
    """``co:<slug>`` of a company key, or ``co-<hash>`` when the key is not plain ASCII."""
    slug = key.replace(" ", "-")
    if slug and re.fullmatch(r"[a-z0-9][a-z0-9.\-]{0,100}", slug):
        return f"co:{slug}"
    return f"co-{short_hash(key, 10)}"


def person_name_from_address(address: str) -> str:
    """A readable name for an address without a display name: ``anna.mueller@x.com`` -> ``Anna Mueller``.

    Numbers people add to tell their address from a namesake's are left out
    (``anna.mueller82.7@`` -> ``Anna Mueller``), unless nothing but an initial
    would be left (``x1073@`` stays ``X1073``).
    """
    local = address.split("@", 1)[0]
    parts = [p for p in re.split(r"[._\-+]+", local) if p]
    letters = [w for w in (p.rstrip("0123456789") for p in parts) if w]
    if any(len(w) > 1 for w in letters):
        parts = letters
    return " ".join(p.capitalize() if len(p) > 1 else f"{p.upper()}." for p in parts) or address


@dataclass
class PersonDraft:
    """A person as one file describes them, before resolution against the store.

    ``address_only`` marks people a file knows only by an address (mail headers,
    calendar attendees): finding them by that address is recognising them, not
    merging two descriptions. ``name_given`` is False when the name was made up
    from an address; such names are never used to match people. ``known_only``
    marks a reference to someone who must already be known (the owner of a CRM
    record): they are never created, and what refers to them is skipped if they
    are not found.
    """

    id: str
    name: str
    emails: list[str] = field(default_factory=list)
    profiles: list[str] = field(default_factory=list)
    company: str = ""
    title: str = ""
    department: str = ""
    tags: list[str] = field(default_factory=list)
    line: int | None = None
    name_given: bool = True
    address_only: bool = False
    known_only: bool = False

    def absorb(self, other: "PersonDraft") -> None:
        """Fold another description with the same id into this one (a duplicate row of the same file)."""
        if not self.name_given and other.name_given:
            self.name, self.name_given = other.name, True
        self.emails += [e for e in other.emails if e not in self.emails]
        self.profiles += [p for p in other.profiles if p not in self.profiles]
        self.tags += [t for t in other.tags if t not in self.tags]
        self.company = self.company or other.company
        self.title = self.title or other.title
        self.department = self.department or other.department
        self.address_only = self.address_only and other.address_only
        self.known_only = self.known_only and other.known_only


@dataclass(frozen=True)
class Position:
    """A file shows ``person`` (a draft id) working at ``company`` (a company key) on the plan's date."""

    person: str
    company: str
    title: str = ""
    department: str = ""
    decision_layer: DecisionLayer | None = None


@dataclass(frozen=True)
class Skip:
    """A row (or message, card, event) left out, and why; ``reason`` is short and shared by similar rows."""

    line: int | None
    reason: str
    detail: str = ""

    def __str__(self) -> str:
        where = f"line {self.line}: " if self.line is not None else ""
        return f"{where}{self.reason}" + (f" ({self.detail})" if self.detail else "")


@dataclass
class Plan:
    """What one file says, in draft ids and company keys; resolved and written by :mod:`sync`.

    ``interactions`` is a function so that large files (mailboxes) are read again
    as a stream instead of being held in memory; it yields interactions between
    draft ids (and stored ids such as the exporter's). ``company_status`` holds the
    status an import raises a company to (``prospect``, ``customer``), by company
    key or ``ref:<external key>``; ``company_refs`` ties a company key to the
    external key a source knows it by (a CRM account id), so later files can
    refer to the company by that key alone.
    """

    kind: str
    file: str
    source: Source
    as_of: date
    owner: str | None = None
    persons: dict[str, PersonDraft] = field(default_factory=dict)
    companies: dict[str, Company] = field(default_factory=dict)
    positions: list[Position] = field(default_factory=list)
    ties: list[Tie] = field(default_factory=list)
    interactions: Callable[[], Iterable[Interaction]] = lambda: ()
    company_status: dict[str, str] = field(default_factory=dict)
    company_refs: dict[str, str] = field(default_factory=dict)
    skipped: list[Skip] = field(default_factory=list)
    skip_counts: dict[str, int] = field(default_factory=dict)

    def add_person(self, draft: PersonDraft) -> PersonDraft:
        """Add a draft, folding it into an earlier one with the same id; returns the kept draft.

        Texts longer than the model allows are cut rather than refused: a file's
        oddity should cost a few characters, not the import.
        """
        draft.name, draft.title, draft.department = (draft.name[:TEXT], draft.title[:TEXT],
                                                     draft.department[:TEXT])
        known = self.persons.get(draft.id)
        if known is None:
            self.persons[draft.id] = draft
            return draft
        known.absorb(draft)
        return known

    def add_company(self, name: str, **fields: object) -> str:
        """The key of a company named ``name`` (added on first sight); empty for an empty name."""
        key = company_key(name)
        if not key:
            return ""
        known = self.companies.get(key)
        given = {k: v[:TEXT] if isinstance(v, str) else v for k, v in fields.items() if v not in (None, "")}
        name = name[:TEXT]
        if known is None:
            self.companies[key] = Company(id=company_id_for(key), name=name.strip(), **given)  # type: ignore[arg-type]
        elif given:
            self.companies[key] = known.model_copy(update={k: v for k, v in given.items()
                                                           if getattr(known, k) in (None, "unknown", "other")})
        return key

    def skip(self, line: int | None, reason: str, detail: str = "") -> None:
        self.skip_counts[reason] = self.skip_counts.get(reason, 0) + 1
        if len(self.skipped) < SKIP_SAMPLE:
            self.skipped.append(Skip(line, reason, detail[:200]))


def draft_for_address(address: str, display_name: str | None, *, kind: str, line: int | None) -> PersonDraft:
    """A person known only by an address and maybe a display name (mail and calendar connectors)."""
    name = (display_name or "").strip().strip('"').strip()
    if name and normalise_email(name) is None and "@" not in name:
        return PersonDraft(id=email_person_id(address), name=name, emails=[address], tags=[f"via:{kind}"],
                           line=line, address_only=True)
    return PersonDraft(id=email_person_id(address), name=person_name_from_address(address), emails=[address],
                       tags=[f"via:{kind}"], line=line, name_given=False, address_only=True)
