"""Small hand-built records for tests."""

from __future__ import annotations

from graph_service.model import Company, Employment, Interaction, Person, Referral, Tie


def people(*ids: str, internal: tuple[str, ...] = ()) -> list[Person]:
    return [Person(id=id, name=id.title(), internal=id in internal) for id in ids]


def company(id: str, **fields: object) -> Company:
    return Company(id=id, name=id.upper(), **fields)


def job(person: str, company: str, start: str | None, end: str | None = None, **fields: object) -> Employment:
    return Employment(person_id=person, company_id=company, start=start, end=end, **fields)


def tie(a: str, b: str, strength: float | None = 0.5, **fields: object) -> Tie:
    return Tie(a=a, b=b, strength=strength, **fields)


def email(sender: str, *to: str, at: str = "2001-05-01T09:00:00", cc: tuple[str, ...] = ()) -> Interaction:
    return Interaction(type="email", at=at, initiator=sender, participants=list(to), cc=list(cc))


def referral(referrer: str, referred: str, on: str = "2020-01-01", to: str | None = None) -> Referral:
    return Referral(referrer_id=referrer, referred_id=referred, to_id=to, on=on)
