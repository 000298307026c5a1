"""Tie strength: hand-computed values, the direction of every factor, and evidence that only adds."""

from __future__ import annotations

import json
import math
from datetime import date, timedelta
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from graph_service.errors import InvalidInput
from graph_service.strength import (
    DEFAULT_WEIGHTS,
    PairEvidence,
    ReferralEvidence,
    TalkEvidence,
    TieEvidence,
    WorkEvidence,
    evidence_dicts,
    last_evidence,
    load_weights,
    recency,
    referral_part,
    strength_parts,
    talk_part,
    tie_strength,
    work_part,
)

TODAY = date(2024, 6, 1)
W = DEFAULT_WEIGHTS


def talk(count: int = 12, *, kind: str = "email", copied: int = 0, by_a: int = 1, by_b: int = 1,
         last: date = TODAY) -> TalkEvidence:
    return TalkEvidence("a", "b", by_a, by_b, date(2020, 1, 1), last, ((kind, count, copied),), ("sales_accounts",))


def work(start: date | None = date(2018, 1, 1), end: date | None = None, *, department: str = "Trading",
         staff: int = 5000, relation: str = "colleague") -> WorkEvidence:
    return WorkEvidence("enron", relation, start, end, department, staff, "company_archives")


def referral(relation: str = "referred", on: date = TODAY) -> ReferralEvidence:
    return ReferralEvidence("ref-1", relation, "a", "b", None, on, "met", "customer_referrals")


def test_recency_halves_toward_the_floor() -> None:
    assert recency(0, 365, 0.3) == 1.0
    assert recency(365, 365, 0.3) == pytest.approx(0.3 + 0.7 / 2)
    assert recency(100 * 365, 365, 0.3) == pytest.approx(0.3)
    assert recency(-5, 365, 0.3) == 1.0


def test_talk_by_hand() -> None:
    # twelve emails today, both initiated: 0.9 * (1 - e^-1) * 1 * 1
    assert talk_part(talk(12), W, TODAY) == pytest.approx(0.9 * (1 - math.exp(-1)))
    # one site visit (5) and two copied emails (2 * 0.3), one-sided, a year ago
    mixed = TalkEvidence("a", "b", 3, 0, TODAY, TODAY - timedelta(days=365),
                         (("site_survey", 1, 0), ("email", 0, 2)), ("sales_accounts",))
    expected = 0.9 * (1 - math.exp(-5.6 / 12)) * (0.3 + 0.7 / 2) * 0.7
    assert talk_part(mixed, W, TODAY) == pytest.approx(expected)


def test_every_factor_of_talk_points_the_right_way() -> None:
    base = talk_part(talk(10), W, TODAY)
    assert talk_part(talk(10, kind="site_survey"), W, TODAY) > base > talk_part(talk(10, kind="gift"), W, TODAY)
    assert talk_part(talk(20), W, TODAY) > base
    assert talk_part(talk(0, copied=10), W, TODAY) < base
    assert talk_part(talk(10, by_b=0), W, TODAY) < base
    assert talk_part(talk(10, last=TODAY - timedelta(days=3 * 365)), W, TODAY) < base
    assert talk_part(talk(10_000), W, TODAY) <= W.talk_max


def test_every_factor_of_work_points_the_right_way() -> None:
    base = work_part(work(), W, TODAY)
    assert work_part(work(date(2023, 1, 1)), W, TODAY) < base  # shorter overlap
    assert work_part(work(department=""), W, TODAY) < base  # different departments
    assert work_part(work(department="", staff=30), W, TODAY) > work_part(work(department="", staff=3000), W, TODAY)
    assert work_part(work(end=date(2015, 1, 1), start=date(2008, 1, 1)), W, TODAY) < work_part(
        work(end=date(2024, 1, 1), start=date(2017, 1, 1)), W, TODAY)
    assert work_part(work(relation="association"), W, TODAY) < work_part(work(relation="board"), W, TODAY) < base


def test_referrals_link_the_referrer_most_and_decay() -> None:
    assert referral_part(referral("referred"), W, TODAY) == pytest.approx(W.referral)
    assert referral_part(referral("introduced"), W, TODAY) == pytest.approx(W.introduced)
    assert referral_part(referral(on=date(2020, 1, 1)), W, TODAY) < W.referral


def test_a_rating_is_a_floor_and_an_unrated_tie_takes_its_kinds_prior() -> None:
    rated = PairEvidence(tie=TieEvidence(0.8, "friend", "personal_network", None))
    assert tie_strength(rated, W, TODAY) == pytest.approx(0.8)
    assert tie_strength(rated._replace(talk=talk(3)), W, TODAY) > 0.8
    unrated = PairEvidence(tie=TieEvidence(None, "event", "sales_accounts", None))
    assert tie_strength(unrated, W, TODAY) == pytest.approx(W.tie_kinds["event"])
    assert tie_strength(PairEvidence(), W, TODAY) == 0.0


def test_parts_combine_by_noisy_or() -> None:
    evidence = PairEvidence(tie=TieEvidence(0.5, "friend", "personal_network", None), talk=talk(12), work=(work(),),
                            referrals=(referral(),))
    parts = strength_parts(evidence, W, TODAY)
    assert set(parts) == {"tie", "talk", "work", "referral"}
    assert tie_strength(evidence, W, TODAY) == pytest.approx(1 - math.prod(1 - p for p in parts.values()))


evidence_pieces = st.fixed_dictionaries({
    "tie": st.none() | st.builds(TieEvidence, st.none() | st.floats(0.01, 1.0), st.sampled_from(["friend", "other"]),
                                 st.just("sales_accounts"), st.none()),
    "talk": st.none() | st.builds(talk, st.integers(1, 500), kind=st.sampled_from(["email", "visit", "gift"]),
                                  by_b=st.integers(0, 3), last=st.dates(date(2000, 1, 1), TODAY)),
    "work": st.lists(st.builds(work, st.dates(date(1990, 1, 1), date(2020, 1, 1)), staff=st.integers(1, 10**5)), max_size=2),
    "referrals": st.lists(st.builds(referral, st.sampled_from(["referred", "introduced", "referred_to"])), max_size=2),
})


@given(evidence_pieces, evidence_pieces)
def test_more_evidence_never_weakens_a_tie(first: dict, more: dict) -> None:
    one = PairEvidence(**first)
    both = PairEvidence(
        tie=first["tie"] or more["tie"], talk=first["talk"] or more["talk"],
        work=(*first["work"], *more["work"]), referrals=(*first["referrals"], *more["referrals"]),
    )
    assert 0.0 <= tie_strength(one, W, TODAY) <= tie_strength(both, W, TODAY) + 1e-12 <= 1.0 + 1e-12


def test_evidence_as_plain_data_with_its_newest_day() -> None:
    evidence = PairEvidence(tie=TieEvidence(None, "friend", "personal_network", date(2019, 3, 1)), talk=talk(43),
                            work=(work(end=date(2001, 12, 2), start=date(1998, 1, 1)),), referrals=(referral(on=date(2020, 5, 1)),))
    items = evidence_dicts(evidence)
    json.dumps(items)
    assert [i["kind"] for i in items] == ["tie", "interactions", "colleague", "referral"]
    assert items[1] | {"initiated": None} == {
        "kind": "interactions", "count": 43, "types": {"email": 43}, "copied": 0, "initiated": None,
        "first": "2020-01-01", "last": TODAY.isoformat(), "sources": ["sales_accounts"],
    }
    assert last_evidence(evidence, TODAY) == TODAY
    assert last_evidence(evidence._replace(talk=None), TODAY) == date(2020, 5, 1)
    assert last_evidence(PairEvidence(work=(work(),)), TODAY) == TODAY  # still colleagues


def test_weights_from_a_json_file(tmp_path: Path) -> None:
    path = tmp_path / "weights.json"
    path.write_text(json.dumps({"version": "ours-2", "tie_kinds": {"friend": 0.7}, "half_life_days": 90}))
    weights = load_weights(path)
    assert (weights.version, weights.tie_kinds["friend"], weights.tie_kinds["other"], weights.half_life_days) == (
        "ours-2", 0.7, W.tie_kinds["other"], 90)
    path.write_text(json.dumps({"cc": 3, "unknown": 1}))
    with pytest.raises(InvalidInput) as error:
        load_weights(path)
    assert {p.field for p in error.value.problems} == {"cc", "unknown"}
    with pytest.raises(InvalidInput):
        load_weights(tmp_path / "missing.json")
