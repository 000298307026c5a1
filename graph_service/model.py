"""The domain model: persons, companies, employments, ties, interactions, referrals, job moves.

Ids are chosen by the user (stable across re-imports) or derived from the content,
so that importing the same facts twice updates instead of duplicating.
"""

from __future__ import annotations

import hashlib
import json
import re
from datetime import date, datetime, timezone
from enum import StrEnum
from typing import Annotated, ClassVar

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StringConstraints,
    field_validator,
    model_validator,
)

Id = Annotated[
    str,
    StringConstraints(pattern=r"^[A-Za-z0-9][A-Za-z0-9._:@+\-]{0,127}$"),
]


ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}")


def _iso_text(value: object) -> object:
    """Dates and times are ISO 8601 text; numbers are refused rather than read as Unix timestamps."""
    if isinstance(value, (date, datetime)) or (isinstance(value, str) and ISO_DATE.match(value.strip())):
        return value
    raise ValueError("must be an ISO 8601 date (YYYY-MM-DD) or date-time")


def _not_bool(value: object) -> object:
    """true/false are not numbers."""
    if isinstance(value, bool):
        raise ValueError("must be a number, not true or false")
    return value


Count = Annotated[int, BeforeValidator(_not_bool)]
Number = Annotated[float, BeforeValidator(_not_bool)]
Day = Annotated[date, BeforeValidator(_iso_text)]
Moment = Annotated[datetime, BeforeValidator(_iso_text)]
Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=300)]
ShortText = Annotated[str, StringConstraints(strip_whitespace=True, max_length=300)]
LongText = Annotated[str, StringConstraints(max_length=5000)]


class Ownership(StrEnum):
    state_owned = "state_owned"
    private = "private"
    individual = "individual"
    listed = "listed"
    foreign = "foreign"
    other = "other"


class CompanyStatus(StrEnum):
    prospect = "prospect"
    customer = "customer"
    partner = "partner"
    competitor = "competitor"
    association = "association"
    other = "other"


class Health(StrEnum):
    growing = "growing"
    stable = "stable"
    declining = "declining"
    unknown = "unknown"


class PaymentReputation(StrEnum):
    good = "good"
    fair = "fair"
    poor = "poor"
    unknown = "unknown"


class AccountKind(StrEnum):
    steady = "steady"
    growing = "growing"
    price_insensitive = "price_insensitive"
    unknown = "unknown"


class DecisionLayer(StrEnum):
    decision_maker = "decision_maker"
    executor = "executor"
    user_influencer = "user_influencer"
    unknown = "unknown"


class DatePrecision(StrEnum):
    day = "day"
    month = "month"
    year = "year"


class TieKind(StrEnum):
    colleague = "colleague"
    customer = "customer"
    partner = "partner"
    friend = "friend"
    association = "association"
    event = "event"
    other = "other"


class Source(StrEnum):
    """Where a fact came from: the nine sources of key-account information."""

    web_research = "web_research"
    company_archives = "company_archives"
    sales_accounts = "sales_accounts"
    company_executives = "company_executives"
    personal_network = "personal_network"
    business_partners = "business_partners"
    industry_associations = "industry_associations"
    competitors = "competitors"
    customer_referrals = "customer_referrals"


class InteractionType(StrEnum):
    email = "email"
    call = "call"
    meeting = "meeting"
    visit = "visit"
    site_survey = "site_survey"
    trade_show = "trade_show"
    event = "event"
    trial = "trial"
    gift = "gift"
    other = "other"


class Visibility(StrEnum):
    team = "team"
    private = "private"
    hidden = "hidden"


class ReferralOutcome(StrEnum):
    pending = "pending"
    met = "met"
    won = "won"
    declined = "declined"
    none = "none"


def content_id(prefix: str, *parts: object) -> str:
    """A stable id derived from the identifying content of a record."""
    digest = hashlib.blake2b(json.dumps(parts, default=str).encode(), digest_size=10).hexdigest()
    return f"{prefix}-{digest}"


class Record(BaseModel):
    """Base of every stored record: strict about unknown fields, stable id."""

    model_config = ConfigDict(extra="forbid", use_enum_values=True, str_strip_whitespace=True)
    entity: ClassVar[str]

    def to_json(self) -> tuple[str, str]:
        """The record as JSON text (fields in declaration order) and its fingerprint, from one dump."""
        data = self.__pydantic_serializer__.to_json(self)  # what model_dump_json() gives, as bytes, without its overhead
        return data.decode(), hashlib.blake2b(data, digest_size=12).hexdigest()

    def fingerprint(self) -> str:
        """Hash of the content; equal fingerprints mean a re-import changes nothing."""
        return self.to_json()[1]

    def _derive(self, **values: object) -> None:
        """Set fields derived in an after-validator (ids, canonical order).

        Writes the instance dict directly: the values are already valid, and pydantic's
        ``__setattr__`` costs microseconds per field on the bulk-import path.
        """
        self.__dict__.update(values)


class Person(Record):
    entity: ClassVar[str] = "person"
    id: Id
    name: Name
    emails: list[Annotated[str, StringConstraints(pattern=r"^[^@\s]+@[^@\s]+$", max_length=254, to_lower=True)]] = []
    internal: bool = False
    tags: list[Annotated[str, StringConstraints(min_length=1, max_length=64)]] = []


class Company(Record):
    entity: ClassVar[str] = "company"
    id: Id
    name: Name
    domain: ShortText | None = None
    industry: ShortText | None = None
    industry_rank: Count | None = Field(None, ge=1)
    ownership: Ownership = Ownership.other
    employees: Count | None = Field(None, ge=0)
    revenue: Number | None = Field(None, ge=0)
    status: CompanyStatus = CompanyStatus.other
    health: Health = Health.unknown
    payment_reputation: PaymentReputation = PaymentReputation.unknown
    account_kind: AccountKind = AccountKind.unknown


class Employment(Record):
    entity: ClassVar[str] = "employment"
    id: Id = ""
    person_id: Id
    company_id: Id
    title: ShortText = ""
    department: ShortText = ""
    decision_layer: DecisionLayer | None = None
    seniority: Count | None = Field(None, ge=0, le=10)
    start: Day | None = None
    end: Day | None = None
    precision: DatePrecision = DatePrecision.day
    source: Source | None = None

    @model_validator(mode="after")
    def _check(self) -> "Employment":
        if self.start and self.end and self.end < self.start:
            raise ValueError("end: must not be before start")
        if not self.id:
            self._derive(id=content_id("emp", self.person_id, self.company_id, self.start))
        return self

    def current_on(self, day: date) -> bool:
        return (self.start is None or self.start <= day) and (self.end is None or self.end > day)


class StoredEmployment(BaseModel):
    """An employment as the store holds it, read by type only: for code that reads thousands at once.

    The store holds validated records only. Checking them again with :class:`Employment`
    (id patterns, ISO text, derived ids, enums) costs more than twice as much, which an
    account map of thousands of people would pay on every build. Fields the store may add
    later are ignored.
    """

    model_config = ConfigDict(extra="ignore", frozen=True)
    id: str
    person_id: str
    company_id: str
    title: str = ""
    department: str = ""
    decision_layer: str | None = None
    seniority: int | None = None
    start: date | None = None
    end: date | None = None
    precision: str = DatePrecision.day


class Tie(Record):
    """An undirected person-to-person relationship; ``a`` < ``b`` after validation."""

    entity: ClassVar[str] = "tie"
    id: Id = ""
    a: Id
    b: Id
    strength: Number | None = Field(None, gt=0, le=1)
    kind: TieKind = TieKind.other
    source: Source = Source.sales_accounts
    since: Day | None = None
    notes: LongText = ""
    owner: Id | None = None
    visibility: Visibility = Visibility.team

    @model_validator(mode="after")
    def _check(self) -> "Tie":
        if self.a == self.b:
            raise ValueError("b: a tie needs two different persons")
        a, b = (self.a, self.b) if self.a < self.b else (self.b, self.a)
        self._derive(a=a, b=b, id=self.id or f"tie-{a}--{b}"[:128])
        return self


class Interaction(Record):
    """A dated event between two or more persons; ``initiator`` started it, ``cc`` were copied."""

    entity: ClassVar[str] = "interaction"
    id: Id = ""
    type: InteractionType
    at: Moment
    initiator: Id | None = None
    participants: list[Id] = Field(min_length=1)
    cc: list[Id] = []
    source: Source = Source.sales_accounts
    subject: ShortText = ""
    owner: Id | None = None
    visibility: Visibility = Visibility.team

    @field_validator("at")
    @classmethod
    def _utc(cls, value: datetime) -> datetime:
        return value.replace(tzinfo=timezone.utc) if value.tzinfo is None else value.astimezone(timezone.utc)

    @model_validator(mode="after")
    def _check(self) -> "Interaction":
        people = set(self.participants) | set(self.cc) | ({self.initiator} if self.initiator else set())
        if len(people) < 2:
            raise ValueError("participants: an interaction needs at least two different persons")
        participants = sorted(set(self.participants))
        cc = sorted(set(self.cc) - set(participants))
        id = self.id or content_id("int", self.type, self.at.isoformat(), self.initiator, participants, cc)
        self._derive(participants=participants, cc=cc, id=id)
        return self

    def persons(self) -> list[str]:
        return sorted(set(self.participants) | set(self.cc) | ({self.initiator} if self.initiator else set()))


class Referral(Record):
    """One person introduced or recommended another, to a third person or (``to_id`` empty) to us."""

    entity: ClassVar[str] = "referral"
    id: Id = ""
    referrer_id: Id
    referred_id: Id
    to_id: Id | None = None
    on: Day
    outcome: ReferralOutcome = ReferralOutcome.pending
    source: Source = Source.customer_referrals
    notes: LongText = ""

    @model_validator(mode="after")
    def _check(self) -> "Referral":
        if self.referrer_id == self.referred_id:
            raise ValueError("referred_id: a person cannot refer themselves")
        if not self.id:
            self._derive(id=content_id("ref", self.referrer_id, self.referred_id, self.to_id, self.on))
        return self


class ChangeType(StrEnum):
    move = "move"
    role_change = "role_change"


class JobMove(Record):
    """The end of one employment and the start of another by the same person; derived, never typed.

    ``type`` is ``role_change`` for a new title inside the same company (a promotion is not a move).
    """

    entity: ClassVar[str] = "move"
    id: Id
    type: ChangeType = ChangeType.move
    person_id: Id
    from_company_id: Id
    from_title: str
    from_layer: DecisionLayer
    to_company_id: Id
    to_title: str
    to_layer: DecisionLayer
    on: Day | None
    precision: DatePrecision
    from_employment_id: Id
    to_employment_id: Id
    learned_at: Moment
    source: str


ENTITY_MODELS: dict[str, type[Record]] = {
    model.entity: model for model in (Person, Company, Employment, Tie, Interaction, Referral)
}
"""Kinds a client may create, import, update and delete."""
