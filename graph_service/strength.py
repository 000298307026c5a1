"""Tie strength from evidence: one table of weights, pure functions, every strength with its evidence.

A tie's strength in (0, 1] combines independent kinds of evidence about one pair
of persons, each giving a part in [0, 1):

``tie``
    A stored tie. Its rating when a user gave one, else a prior by the tie's kind.
``talk``
    Their interactions: how much (each interaction weighs by its type: a site
    visit or a trial more than an email, a copy less than a direct message),
    how recently (decay with a half-life toward a floor: dormant ties keep part of
    their value), and whether both sides initiate::

        volume  = sum over interactions of type_weight * (cc if only copied else 1)
        talk    = talk_max * (1 - exp(-volume / volume_scale))
                  * recency(last) * (1 if both initiated else one_sided)
``work``
    Overlapping employments at one company (colleagues, board seats, association
    memberships): longer overlap, a smaller company and the same department mean
    a stronger tie; a past overlap decays from its end.
``referral``
    One referred the other, or introduced them to each other, decaying from its date.

Parts combine by noisy-or, ``1 - prod(1 - part)``: every piece of evidence can only
add strength, and a user's rating is a floor, never overruled downward.

Weights live in :class:`StrengthWeights` (versioned; loaded from JSON with
:func:`load_weights`). Evidence is aggregated per pair by the projection into the
compact records below, which :func:`evidence_dicts` renders as plain dicts.

References
----------
E. Gilbert and K. Karahalios, "Predicting tie strength with social media", CHI 2009:
recency of contact and intimacy (here: interaction type and reciprocity) are the
strongest predictors, next to frequency.

K. Rajkumar, G. Saint-Jacques, I. Bojinov, E. Brynjolfsson and S. Aral, "A causal
test of the strength of weak ties", Science 377 (2022): moderately weak ties carry
the most job mobility. So parts saturate slowly and moderate evidence keeps a
moderate strength (about 0.2-0.5, a cost of one or two nats per hop), and the path
engine's diversity rule surfaces such ties beside the strongest ones.

D. Z. Levin, J. Walter and J. K. Murnighan, "Dormant ties: the value of
reconnecting", Organization Science 22 (2011): hence a recency floor, not decay to zero.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable
from datetime import date
from pathlib import Path
from typing import Annotated, Any, NamedTuple

from pydantic import BaseModel, ConfigDict, Field, ValidationError, ValidationInfo, field_validator

from graph_service.errors import InvalidInput, Problem, problems_from_errors
from graph_service.model import InteractionType, TieKind

Unit = Annotated[float, Field(ge=0, le=1)]


class StrengthWeights(BaseModel):
    """The one table of weights for tie strength. Change ``version`` whenever a number changes."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    version: str = "2025.1"
    # stored ties
    tie_kinds: dict[TieKind, Unit] = Field(
        default={
            TieKind.friend: 0.5, TieKind.colleague: 0.4, TieKind.customer: 0.4, TieKind.partner: 0.35,
            TieKind.association: 0.25, TieKind.event: 0.2, TieKind.other: 0.3,
        },
        description="strength of a stored tie nobody rated, by its kind",
    )
    # interactions
    interaction_types: dict[InteractionType, float] = Field(
        default={
            InteractionType.email: 1.0, InteractionType.call: 2.0, InteractionType.meeting: 3.0,
            InteractionType.visit: 4.0, InteractionType.site_survey: 5.0, InteractionType.trial: 5.0,
            InteractionType.event: 3.0, InteractionType.trade_show: 1.5, InteractionType.gift: 0.5,
            InteractionType.other: 1.0,
        },
        description="volume one interaction adds, by type",
    )
    cc: Unit = Field(0.3, description="factor for an interaction where one of the pair was only copied")
    volume_scale: float = Field(12.0, gt=0, description="volume at which talk reaches 63 % of talk_max")
    talk_max: Unit = 0.9
    one_sided: Unit = Field(0.7, description="factor when only one of the pair ever initiated")
    half_life_days: float = Field(365.0, gt=0, description="recency of interactions")
    dormant_floor: Unit = Field(0.3, description="share of strength an old tie keeps")
    max_group: int = Field(10, ge=2, description="more persons than this: participants are not paired with each other")
    # overlapping employments
    colleague: Unit = 0.6
    board: Unit = 0.5
    association: Unit = 0.25
    overlap_years: float = Field(2.0, gt=0, description="overlap at which work reaches 63 % of its maximum")
    small_company: int = Field(50, ge=1, description="staff up to which everyone knows everyone")
    size_exponent: float = Field(0.5, ge=0, description="larger companies: factor (small_company / staff) ** this")
    other_department: Unit = Field(0.5, description="factor for colleagues in different departments")
    work_half_life_days: float = Field(3 * 365.0, gt=0)
    # referrals
    referral: Unit = Field(0.6, description="the referrer and the person referred")
    introduced: Unit = Field(0.4, description="the person referred and the person they were referred to")
    referral_half_life_days: float = Field(2 * 365.0, gt=0)

    @field_validator("tie_kinds", "interaction_types")
    @classmethod
    def _complete(cls, value: dict[Any, float], info: ValidationInfo) -> dict[Any, float]:
        """A table given in part keeps the default for every key it leaves out."""
        return {**cls.model_fields[info.field_name].default, **value}  # type: ignore[index]


DEFAULT_WEIGHTS = StrengthWeights()


def load_weights(path: str | Path) -> StrengthWeights:
    """Weights from a JSON object; keys left out keep their defaults. Raises InvalidInput."""
    try:
        doc: Any = json.loads(Path(path).read_text(encoding="utf-8"))
        return StrengthWeights.model_validate(doc)
    except ValidationError as err:
        raise InvalidInput(problems_from_errors(list(err.errors())), f"strength weights {path}") from err
    except (OSError, ValueError) as err:
        raise InvalidInput(Problem("weights", f"cannot read {path}: {err}")) from err


# -- aggregated evidence of one pair -------------------------------------------------


class TieEvidence(NamedTuple):
    """The stored tie between the pair (the strongest rated one when there are several).

    ``owner``: set for a private tie, whose evidence only its owner may see.
    """

    rated: float | None
    kind: str
    source: str
    since: date | None
    owner: str | None = None


class TalkEvidence(NamedTuple):
    """Every team-visible interaction of the pair, aggregated.

    ``types`` holds ``(type, direct, copied)`` counts, most frequent first, where
    ``copied`` counts interactions in which one of the pair was only copied.
    ``by_a`` and ``by_b`` count the interactions ``a`` and ``b`` initiated.
    """

    a: str
    b: str
    by_a: int
    by_b: int
    first: date
    last: date
    types: tuple[tuple[str, int, int], ...]
    sources: tuple[str, ...]

    @property
    def count(self) -> int:
        return sum(direct + copied for _, direct, copied in self.types)


class WorkEvidence(NamedTuple):
    """Overlapping employments of the pair at one company; ``end`` None: still together.

    ``relation`` is ``colleague``, ``board`` (both hold board seats) or
    ``association`` (the company is an association); ``department`` is the shared
    department or empty; ``staff`` is the company's size as known.
    """

    company_id: str
    relation: str
    start: date | None
    end: date | None
    department: str
    staff: int
    source: str | None


class ReferralEvidence(NamedTuple):
    """A referral linking the pair, and how: ``relation`` is ``referred`` (one referred the other),
    ``introduced`` (one was referred to the other by ``referrer``) or ``referred_to`` (one referred
    ``referred`` to the other)."""

    id: str
    relation: str
    referrer: str
    referred: str
    to: str | None
    on: date
    outcome: str
    source: str


Evidence = TieEvidence | TalkEvidence | WorkEvidence | ReferralEvidence
"""One piece of evidence about a pair."""


class PairEvidence(NamedTuple):
    """All evidence about one pair of persons."""

    tie: TieEvidence | None = None
    talk: TalkEvidence | None = None
    work: tuple[WorkEvidence, ...] = ()
    referrals: tuple[ReferralEvidence, ...] = ()

    def pieces(self) -> list[Evidence]:
        return [*(x for x in (self.tie, self.talk) if x is not None), *self.work, *self.referrals]


# -- parts ----------------------------------------------------------------------------


def recency(days: float, half_life: float, floor: float) -> float:
    """``floor + (1 - floor) * 0.5 ** (days / half_life)``; 1 for evidence from today or the future."""
    return floor + (1.0 - floor) * 0.5 ** (max(days, 0.0) / half_life)


def tie_part(tie: TieEvidence, weights: StrengthWeights) -> float:
    """A user's rating, else the prior of the tie's kind."""
    return tie.rated if tie.rated is not None else weights.tie_kinds[TieKind(tie.kind)]


def talk_volume(talk: TalkEvidence, weights: StrengthWeights) -> float:
    """Interactions weighted by type, copies discounted by ``weights.cc``."""
    table = weights.interaction_types
    return sum(table[InteractionType(t)] * (direct + weights.cc * copied) for t, direct, copied in talk.types)


def talk_part(talk: TalkEvidence, weights: StrengthWeights, today: date) -> float:
    """Frequency and type (volume), recency of the last interaction, reciprocity.

    Notes
    -----
    Gilbert & Karahalios (CHI 2009) found days since last contact and the
    intimacy of the exchanges the best predictors of tie strength: recency decays
    with ``half_life_days`` toward ``dormant_floor`` (Levin et al. 2011), type
    weights stand in for intimacy, and a tie only one side ever works at keeps
    ``one_sided`` of its value.
    """
    volume = talk_volume(talk, weights)
    fresh = recency((today - talk.last).days, weights.half_life_days, weights.dormant_floor)
    mutual = 1.0 if talk.by_a and talk.by_b else weights.one_sided
    return weights.talk_max * (1.0 - math.exp(-volume / weights.volume_scale)) * fresh * mutual


def work_part(work: WorkEvidence, weights: StrengthWeights, today: date) -> float:
    """Overlap length, company size, same department, and how long ago the overlap ended."""
    top = {"board": weights.board, "association": weights.association}.get(work.relation, weights.colleague)
    end = work.end or today
    years = max((end - work.start).days, 0) / 365.25 if work.start else weights.overlap_years
    overlap = 1.0 - math.exp(-years / weights.overlap_years)
    if work.department:
        size = 1.0
    else:
        size = weights.other_department * min(1.0, (weights.small_company / max(work.staff, 1)) ** weights.size_exponent)
    fresh = 1.0 if work.end is None else recency((today - work.end).days, weights.work_half_life_days, weights.dormant_floor)
    return top * overlap * size * fresh


def referral_part(referral: ReferralEvidence, weights: StrengthWeights, today: date) -> float:
    """The referrer knows the referred well; the other two relations were an introduction."""
    top = weights.referral if referral.relation == "referred" else weights.introduced
    return top * recency((today - referral.on).days, weights.referral_half_life_days, weights.dormant_floor)


def day_of(item: Evidence, today: date) -> date | None:
    """The newest day of one piece of evidence: a tie's ``since``, the last interaction, the end of an
    overlap (today while it lasts), the day of a referral."""
    if isinstance(item, TieEvidence):
        return item.since
    if isinstance(item, WorkEvidence):
        return item.end or today
    if isinstance(item, ReferralEvidence):
        return item.on
    return item.last


def strength_parts(evidence: PairEvidence, weights: StrengthWeights, today: date) -> dict[str, float]:
    """Each kind of evidence's part in [0, 1]: ``tie``, ``talk``, ``work``, ``referral`` (present kinds only).

    Several overlaps or referrals of one pair combine by noisy-or within their kind.
    """
    parts: dict[str, float] = {}
    if evidence.tie is not None:
        parts["tie"] = tie_part(evidence.tie, weights)
    if evidence.talk is not None:
        parts["talk"] = talk_part(evidence.talk, weights, today)
    if evidence.work:
        parts["work"] = noisy_or(work_part(w, weights, today) for w in evidence.work)
    if evidence.referrals:
        parts["referral"] = noisy_or(referral_part(r, weights, today) for r in evidence.referrals)
    return parts


def noisy_or(parts: Iterable[float]) -> float:
    """``1 - prod(1 - p)``: the chance at least one independent piece of evidence holds.

    Summed as ``r + p - r * p``, so that one part is returned exactly as it is.
    """
    combined = 0.0
    for part in parts:
        combined = combined + part - combined * part
    return combined


def tie_strength(evidence: PairEvidence, weights: StrengthWeights = DEFAULT_WEIGHTS, today: date | None = None) -> float:
    """The strength in [0, 1] of the tie between a pair: noisy-or of :func:`strength_parts`.

    Parameters
    ----------
    evidence : PairEvidence
        Everything known about the pair.
    weights : StrengthWeights
        The weights table.
    today : date
        The day recency is measured from (default: today).

    Returns
    -------
    float
        0 when there is no evidence; never less than a user's rating.

    References
    ----------
    Gilbert & Karahalios, CHI 2009; Rajkumar et al., Science 2022 (see the module docstring).
    """
    return noisy_or(strength_parts(evidence, weights, today or date.today()).values())


def last_evidence(evidence: PairEvidence, today: date) -> date | None:
    """The newest date any evidence carries: last interaction, end of an overlap (today while it lasts),
    referral, or a stored tie's ``since``. None when nothing is dated."""
    return max((day for day in (day_of(item, today) for item in evidence.pieces()) if day), default=None)


def evidence_dicts(evidence: PairEvidence) -> list[dict[str, Any]]:
    """The evidence of a pair as plain JSON-ready dicts: what, how many, when, and the source."""
    items: list[dict[str, Any]] = []
    if evidence.tie is not None:
        tie = evidence.tie
        items.append({"kind": "tie", "relation": tie.kind, "rated": tie.rated, "since": _iso(tie.since),
                      "source": tie.source})
    if evidence.talk is not None:
        talk = evidence.talk
        items.append({
            "kind": "interactions", "count": talk.count,
            "types": {t: direct + copied for t, direct, copied in talk.types},
            "copied": sum(copied for _, _, copied in talk.types),
            "initiated": {talk.a: talk.by_a, talk.b: talk.by_b},
            "first": _iso(talk.first), "last": _iso(talk.last), "sources": list(talk.sources),
        })
    for work in evidence.work:
        items.append({"kind": work.relation, "company_id": work.company_id, "start": _iso(work.start),
                      "end": _iso(work.end), "department": work.department, "staff": work.staff,
                      "source": work.source})
    for ref in evidence.referrals:
        items.append({"kind": "referral", "relation": ref.relation, "id": ref.id, "referrer": ref.referrer,
                      "referred": ref.referred, "to": ref.to, "on": _iso(ref.on), "outcome": ref.outcome,
                      "source": ref.source})
    return items


def _iso(day: date | None) -> str | None:
    return day.isoformat() if day else None
