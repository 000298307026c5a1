"""Entity resolution rules on tiny hand-built indexes, and precision/recall on a generated set."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from bench.bench_resolve import evaluate, generate
from graph_service.connectors.base import company_key, linkedin_slug, person_name_from_address
from graph_service.connectors import mbox, merges, sync, vcard
from graph_service.connectors.resolve import (
    Ambiguous,
    Entity,
    Index,
    Match,
    name_key,
    name_similarity,
    normalise_name,
    resolve,
)
from graph_service.store.base import Store
from tests.connectors.conftest import TEAM_EMAIL

AS_OF = date(2024, 3, 1)


@pytest.mark.parametrize(("a", "b", "low", "high"), [
    ("Jörg Müller", "Jorg Muller", 100, 100),
    ("Müller, Jörg", "Jörg Müller", 100, 100),
    ("Dr. Jörg Müller (Siemens)", "jörg müller", 100, 100),
    ("Wei Wang", "Wang Wei", 100, 100),
    ("王伟", "王伟", 100, 100),
    ("Anna M. Schmidt", "Anna Schmidt", 100, 100),
    ("Sarah O'Connor", "Sarah OConnor", 100, 100),
    ("O’Brien, Liam", "Liam O'Brien", 100, 100),
    ("Katherine Johnson", "Katherine Jonhson", 88, 95),
    ("Carter, Chloé", "Chloé Ctrter", 90, 95),  # a typo does not reorder the tokens
    ("Léa López", "Léa Lapez", 88, 90),
    ("Anna K. Schmidt", "Anna M. Schmidt", 85, 95),
    ("Anna Schmidt", "Hanna Schmitt", 0, 90),
    ("Chris Dorland", "Chris Germany", 0, 75),
    ("王伟", "王芳", 0, 60),
])
def test_name_similarity(a: str, b: str, low: float, high: float) -> None:
    assert low <= name_similarity(a, b) <= high


def test_normalise_and_keys() -> None:
    assert normalise_name("O'Connor, Sarah") == "sarah oconnor"
    assert normalise_name("'Sarah' O'Connor") == "sarah oconnor"
    assert name_key("Taylor, Yuki R.") == name_key("Dr. Yuki Taylor") == "taylor yuki"
    assert normalise_name("Smith, Jr.") == "smith"
    assert company_key("ACME, Inc.") == company_key("Acme Incorporated") == "acme"
    assert company_key("华为技术有限公司") == "华为技术"
    assert linkedin_slug("linkedin.com/in/J%C3%B6rg-M/") == "jörg-m"
    assert linkedin_slug("https://www.linkedin.com/company/acme") is None


def test_a_name_from_an_address_leaves_out_numbers() -> None:
    assert person_name_from_address("tomas.rossi68.2@gmail.com") == "Tomas Rossi"
    assert person_name_from_address("j.smith2@acme.com") == "J. Smith"
    assert person_name_from_address("x1073@cjk.cn") == "X1073", "an initial alone is no name"


def known(*entities: Entity, blocked: tuple[frozenset[str], ...] = (), aliases: dict[str, str] | None = None) -> Index:
    index = Index(blocked=blocked, aliases=aliases)
    for entity in entities:
        index.add(entity)
    return index


ANNA = Entity("p-anna", "Anna Schmidt", emails={"anna.schmidt@acme.com"}, profiles={"linkedin:anna-s"},
              companies={"n:acme", "d:acme.com"})
JON = Entity("p-jon", "Jon Smith", emails={"jon.smith@acme.com"}, companies={"n:acme", "d:acme.com"})


def test_rules_in_order() -> None:
    index = known(ANNA, JON)
    assert resolve(index, Entity("p-anna", "whoever")) == Match("p-anna", "same_id")
    assert resolve(index, Entity("x", "A. S.", emails={"anna.schmidt@acme.com"})).rule == "email"  # type: ignore[union-attr]
    assert resolve(index, Entity("x", "Anna", profiles={"linkedin:anna-s"})).rule == "profile"  # type: ignore[union-attr]
    match = resolve(index, Entity("x", "Schmidt, Anna", companies={"n:acme"}))
    assert isinstance(match, Match) and (match.person_id, match.rule, match.score) == ("p-anna", "name_company", 100)
    spelled = resolve(index, Entity("x", "Anna Schmidt", name_given=False, companies={"n:acme"}))
    assert isinstance(spelled, Match), "a name spelled by an address merges only when exactly equal"
    near = resolve(index, Entity("x", "Anna Schmitt", name_given=False, companies={"n:acme"}))
    assert isinstance(near, Ambiguous) and near.reason.endswith("but a name spelled by an address")
    assert resolve(index, Entity("x", "Bob Stone", companies={"n:acme"})) is None


def test_never_merged_silently() -> None:
    index = known(ANNA, JON, Entity("p-john", "John Smith", companies={"n:acme"}))
    several = resolve(index, Entity("x", "Jon Smith", companies={"n:acme"}))
    assert isinstance(several, Ambiguous) and {o.person_id for o in several.options} == {"p-jon", "p-john"}
    weak = resolve(index, Entity("x", "Anja Schmitt", companies={"n:acme"}))
    assert isinstance(weak, Ambiguous) and weak.reason == "similar name at the same company"
    elsewhere = resolve(index, Entity("x", "Anna Schmidt", companies={"n:globex"}))
    assert isinstance(elsewhere, Ambiguous) and elsewhere.reason == "same name, no company in common"
    other_address = resolve(known(JON), Entity("x", "Jon Smyth", emails={"j.smyth@acme.com"}, companies={"d:acme.com"}))
    assert isinstance(other_address, Ambiguous) and "different addresses" in other_address.reason
    both = resolve(known(ANNA, JON), Entity("x", "?", emails={"anna.schmidt@acme.com", "jon.smith@acme.com"}))
    assert isinstance(both, Ambiguous)
    crossed = resolve(known(ANNA, JON), Entity("x", "?", emails={"jon.smith@acme.com"}, profiles={"linkedin:anna-s"}))
    assert isinstance(crossed, Ambiguous) and crossed.reason == "its email and its profile point at different persons"


def test_an_address_that_spells_the_other_name() -> None:
    """A typo in the display name is outweighed by an address that spells the known name exactly (and back)."""
    dubois = Entity("p-anna", "Anna B. Dubois", companies={"n:tyrell", "d:tyrell.io"})
    match = resolve(known(dubois), Entity("x", "Anna M. Dunois", emails={"anna.dubois@tyrell.io"},
                                          companies={"n:tyrell", "d:tyrell.io"}))
    assert isinstance(match, Match) and match.person_id == "p-anna" and match.score == 100
    assert "spelled by anna.dubois@tyrell.io" in match.evidence
    with_address = Entity("p-anna", "Anna Dunois", emails={"anna.dubois@tyrell.io"}, companies={"n:tyrell"})
    back = resolve(known(with_address), Entity("x", "Anna Dubois", companies={"n:tyrell"}))
    assert isinstance(back, Match) and back.person_id == "p-anna"
    oconnor = Entity("p-marco", "Marco O'Connor", companies={"n:acme", "d:acme.com"})
    spelled = resolve(known(oconnor), Entity("x", "Marco Oconnor", name_given=False, emails={"marco.oconnor@acme.com"},
                                             companies={"d:acme.com", "n:acme"}))
    assert isinstance(spelled, Match), "addresses drop the apostrophe"


def test_an_address_that_spells_a_name_is_not_an_equal_name() -> None:
    """Another address at the company still stops the merge: only an equal display name would outweigh it."""
    other_address = Entity("p-anna", "Anna Dubois", emails={"anna.dubois.2@tyrell.io"},
                           companies={"n:tyrell", "d:tyrell.io"})
    near = resolve(known(other_address), Entity("x", "Anna M. Dunois", emails={"anna.dubois@tyrell.io"},
                                                companies={"n:tyrell", "d:tyrell.io"}))
    assert isinstance(near, Ambiguous)
    assert near.reason == "similar name at the same company, but different addresses at the same domain"
    typo_on_file = Entity("p-anna", "Anna Dubuis", companies={"n:tyrell"})
    not_spelled = resolve(known(typo_on_file), Entity("x", "Anne Dobois", emails={"anna.dubois@tyrell.io"},
                                                      companies={"n:tyrell", "d:tyrell.io"}))
    assert not_spelled is None, "an address that nearly spells a name adds nothing"
    elsewhere = resolve(known(Entity("p-anna", "Anna Dubois", companies={"n:globex"})),
                        Entity("x", "Anna Dunois", emails={"anna.dubois@tyrell.io"}, companies={"d:tyrell.io"}))
    assert elsewhere is None, "an address spelling a name is no company in common"


def test_a_rival_the_evidence_rules_out() -> None:
    """John has another address at the company, or the draft's address spells Jon: Jon is the draft, alone."""
    jon = Entity("p-jon", "Jon Smith", profiles={"linkedin:jon-s"}, companies={"n:acme"})
    john = Entity("p-john", "John Smith", emails={"john.smith.2@acme.com"}, companies={"n:acme", "d:acme.com"})
    draft = Entity("x", "Smith, Jon", emails={"jon.smith@acme.com"}, companies={"n:acme", "d:acme.com"})
    match = resolve(known(jon, john), draft)
    assert isinstance(match, Match) and match.person_id == "p-jon"
    john_unknown_address = Entity("p-john", "John Smith", companies={"n:acme"})
    spelled = resolve(known(jon, john_unknown_address), draft)
    assert isinstance(spelled, Match) and spelled.person_id == "p-jon"
    no_address = resolve(known(jon, john_unknown_address), Entity("x", "Smith, Jon", companies={"n:acme"}))
    assert isinstance(no_address, Ambiguous) and no_address.reason == "several persons with a similar name at the same company"
    schmidt = Entity("p-schmidt", "Jon Schmidt", companies={"n:acme"})
    schmitt = Entity("p-schmitt", "Jon Schmitt", companies={"n:acme"})
    same_given_name = resolve(known(schmidt, schmitt), Entity("x", "Jon Schmidt", emails={"jon.schmidt@acme.com"},
                                                               companies={"n:acme", "d:acme.com"}))
    assert isinstance(same_given_name, Ambiguous), "an address spelling one family name does not rule out a typo in another"
    jon_too = Entity("p-jon-2", "Jon Smith", emails={"jsmith@acme.com"}, companies={"n:acme", "d:acme.com"})
    namesakes = resolve(known(jon, jon_too), draft)
    assert isinstance(namesakes, Ambiguous), "an equally named rival stays a rival, whatever its address"


def test_another_given_name_is_another_person_until_someone_says_otherwise() -> None:
    """Jon and John Weber at one company score above the threshold, but are most often two people."""
    jon = Entity("p-jon", "Jon Weber", emails={"jon.weber@acme.com"}, companies={"n:acme", "d:acme.com"})
    john = resolve(known(jon), Entity("x", "John D. Weber", companies={"n:acme"}))
    assert isinstance(john, Ambiguous) and john.reason == "similar name at the same company, but another given name"
    katherine = resolve(known(Entity("p-k", "Weber, Katherine", companies={"n:acme"})),
                        Entity("x", "Catherine Weber", companies={"n:acme"}))
    assert isinstance(katherine, Ambiguous)
    typo = resolve(known(jon), Entity("x", "Jon Webber", companies={"n:acme"}))
    assert isinstance(typo, Match) and typo.person_id == "p-jon", "a typo in the family name is still a typo"
    spelled = resolve(known(jon), Entity("x", "John Weber", emails={"jon.weber@acme.com"}, companies={"n:acme"}))
    assert isinstance(spelled, Match), "the same address is the same person, whatever the name"


def test_a_former_employer_is_evidence() -> None:
    """The index holds every employment of a person (sync builds it so), ended ones too."""
    moved = Entity("p-emma", "Emma Mensah", emails={"emma.mensah@coho.com"},
                   companies={"n:woodgrove", "n:coho", "d:coho.com"})
    old_card = resolve(known(moved), Entity("x", "Dr. Emma Mensah", companies={"n:woodgrove"}))
    assert isinstance(old_card, Match) and old_card.person_id == "p-emma" and "n:woodgrove" in old_card.evidence
    never_there = resolve(known(moved), Entity("x", "Emma Mensah", companies={"n:globex"}))
    assert isinstance(never_there, Ambiguous) and never_there.reason == "same name, no company in common"


def test_same_name_elsewhere_ignores_order_and_an_initial() -> None:
    taylor = Entity("p-yuki", "Taylor, Yuki", companies={"n:initech"})
    listed = resolve(known(taylor), Entity("x", "Yuki R. Taylor", companies={"n:globex"}))
    assert isinstance(listed, Ambiguous) and listed.reason == "same name, no company in common"
    other_initials = resolve(known(Entity("p-yuki", "Yuki K. Taylor")), Entity("x", "Yuki R. Taylor"))
    assert other_initials is None


def test_different_profiles_are_different_people() -> None:
    other = Entity("x", "Anna Schmidt", profiles={"linkedin:anna-schmidt-2"}, companies={"n:acme"})
    assert resolve(known(ANNA), other) is None


def test_separated_pairs_and_aliases() -> None:
    blocked = known(ANNA, blocked=(frozenset(("x", "p-anna")),))
    assert resolve(blocked, Entity("x", "Anna Schmidt", emails={"anna.schmidt@acme.com"})) is None
    aliased = known(ANNA, aliases={"li:anna-s": "p-old", "p-old": "p-anna"})
    assert resolve(aliased, Entity("li:anna-s", "Anna")) == Match("p-anna", "alias", evidence="merged before into p-anna")


def test_precision_and_recall_on_a_generated_set() -> None:
    """The benchmark at a smaller size. Goal: precision >= 0.99, recall >= 0.95.

    Precision meets it. Overall recall meets it pooled over seeds, not on every
    seed: some 6 to 8% of the true pairs are descriptions joined by no identity
    evidence at all (no common address, profile, or company with a similar
    name, not even through other descriptions of the person); the rules join
    only those of them where a private address spells the name of the one
    person so named. On the pairs that carry evidence, recall meets the goal,
    and most pairs left apart are on the review list.
    """
    result = evaluate(generate(people=600, seed=7))
    assert result["precision"] >= 0.99
    assert result["recall_on_pairs_with_identity_evidence"] >= 0.98
    assert result["recall_with_evidence"] >= 0.98
    assert result["recall"] >= 0.9
    assert result["recall_after_review"] >= 0.97
    assert result["missed_pairs"].get("shared email or profile", 0) == 0


def test_a_name_spelled_by_an_address_does_not_rule_out_a_rival() -> None:
    schmidt = Entity("p-1", "Anna Schmidt", companies={"d:acme.com"})
    schmitt = Entity("p-2", "Anna Schmitt", companies={"d:acme.com"})
    draft = Entity("x", "Anna Schmidt", name_given=False, emails={"anna.schmidt@acme.com"}, companies={"d:acme.com"})
    several = resolve(known(schmidt, schmitt), draft)
    assert isinstance(several, Ambiguous) and len(several.options) == 2


def test_every_name_a_person_went_by() -> None:
    """A person merged from several descriptions is matched against each description's name."""
    typo = Entity("p-ananya", "Ananya Andesrson", companies={"n:coho water"})
    draft = Entity("x", "Ananya Andersson", name_given=False, emails={"ananya.andersson@coho-water.com"},
                   companies={"n:coho water", "d:coho-water.com"})
    assert isinstance(resolve(known(typo), draft), Ambiguous), "a name spelled by an address needs an equal name"
    index = known(typo, Entity("p-ananya", "Dr. Ananya Andersson"))
    assert index.entities["p-ananya"].names == {"Ananya Andesrson", "Dr. Ananya Andersson"}
    match = resolve(index, draft)
    assert isinstance(match, Match) and match.person_id == "p-ananya"
    derived = known(Entity("p-x", "Ananya Andersson", name_given=False), Entity("p-x", "Ananya Andesrson"))
    assert derived.entities["p-x"].names == {"Ananya Andesrson"}, "a name made up from an address gives way"


LEWIS = Entity("p-lewis", "Anna Lewis", emails={"anna.lewis@fourth-pharma.io"},
               companies={"n:fourth pharma", "d:fourth-pharma.io"})


def test_a_private_address_spelling_the_only_person_so_named() -> None:
    private = Entity("x", "Anna Lewis", emails={"anna.lewis95@qq.com"})
    match = resolve(known(LEWIS), private)
    assert isinstance(match, Match) and (match.person_id, match.rule) == ("p-lewis", "personal_address")
    assert match.evidence == "anna.lewis95@qq.com spells 'Anna Lewis', the only person so named"
    no_display_name = Entity("x", "Anna Lewis", name_given=False, emails={"anna.lewis95@qq.com"})
    assert resolve(known(LEWIS), no_display_name).rule == "personal_address"  # type: ignore[union-attr]
    typo = Entity("x", "Anna Lweis", emails={"anna.lewis95@qq.com"})
    assert resolve(known(LEWIS), typo).rule == "personal_address"  # type: ignore[union-attr]


def test_a_private_address_is_no_evidence_against_namesakes() -> None:
    private = Entity("x", "Anna Lewis", emails={"anna.lewis95@qq.com"})
    namesake = Entity("p-other", "Lewis, Anna", companies={"n:globex"})
    two = resolve(known(LEWIS, namesake), private)
    assert isinstance(two, Ambiguous) and two.reason == "same name, no company in common"
    index = known(LEWIS)
    index.import_names.update({"anna lewis": 2})
    assert isinstance(resolve(index, private), Ambiguous), "another Anna Lewis in the same import"
    elsewhere = Entity("x", "Anna Lewis", emails={"anna.lewis95@qq.com"}, companies={"n:globex"})
    assert isinstance(resolve(known(LEWIS), elsewhere), Ambiguous), "a company of its own speaks against"
    other_private = Entity("p-lewis", "Anna Lewis", emails={"anna.lewis@fourth-pharma.io", "annal@gmail.com"})
    listed = resolve(known(other_private), private)
    assert isinstance(listed, Ambiguous) and listed.options[0].rule == "personal_address"
    assert listed.reason.endswith("who has another private address")
    other_name = Entity("x", "Bob Stone", emails={"anna.lewis95@qq.com"})
    assert resolve(known(LEWIS), other_name) is None, "the display name must agree with the address"
    no_name_spelled = Entity("x", "Anna Lewis", emails={"x1073@qq.com"})
    assert isinstance(resolve(known(LEWIS), no_name_spelled), Ambiguous), "listed, as any equal name elsewhere"
    work = Entity("x", "Anna Lewis", name_given=False, emails={"anna.lewis@globex.com"}, companies={"d:globex.com"})
    assert resolve(known(LEWIS), work) is None, "a work address elsewhere is no private address"


def _vcf(tmp_path: Path, *cards: str) -> Path:
    path = tmp_path / "contacts.vcf"
    path.write_text("".join(f"BEGIN:VCARD\r\nVERSION:3.0\r\n{card}END:VCARD\r\n" for card in cards), encoding="utf-8")
    return path


def _mail(tmp_path: Path, sender: str) -> Path:
    path = tmp_path / "inbox.mbox"
    path.write_text(f"From x Mon Mar 11 09:00:00 2024\nFrom: {sender}\nTo: {TEAM_EMAIL}\n"
                    "Date: Mon, 11 Mar 2024 09:00:00 +0000\nMessage-ID: <m1@x>\n\n", encoding="utf-8")
    return path


LEWIS_CARD = "FN:Anna Lewis\r\nEMAIL:anna.lewis@fourth-pharma.io\r\nORG:Fourth Pharma\r\n"


def test_a_private_address_merge_is_listed_by_its_rule_and_can_be_undone(store: Store, team: str,
                                                                         tmp_path: Path) -> None:
    sync.run(store=store, plan=vcard.read(_vcf(tmp_path, LEWIS_CARD), as_of=AS_OF))
    summary = sync.run(store=store, plan=mbox.read(_mail(tmp_path, "Anna Lewis <anna.lewis95@qq.com>")))
    assert summary.merged == 1 and [m["rule"] for m in summary.merges] == ["personal_address"]
    (merge,) = merges.list_merges(store=store)
    assert merge["rule"] == "personal_address" and "the only person so named" in merge["evidence"]
    merges.undo(store=store, id=merge["id"])
    again = sync.run(store=store, plan=mbox.read(_mail(tmp_path, "Anna Lewis <anna.lewis95@qq.com>")))
    assert again.merged == 0, "an undone merge is not made again"


def test_a_private_address_with_namesakes_waits_for_review(store: Store, team: str, tmp_path: Path) -> None:
    namesake = "FN:Anna Lewis\r\nORG:Globex\r\n"
    sync.run(store=store, plan=vcard.read(_vcf(tmp_path, LEWIS_CARD, namesake), as_of=AS_OF))
    summary = sync.run(store=store, plan=mbox.read(_mail(tmp_path, "Anna Lewis <anna.lewis95@qq.com>")))
    assert summary.merged == 0 and summary.review == 1
    assert summary.reviews[0]["reason"] == "same name, no company in common"


def _grid_cards(colleagues: int) -> list[str]:
    staff = [f"FN:{name}\r\nEMAIL:{address}@sgcc.com.cn\r\nORG:国家电网有限公司\r\n"
             for name, address in (("Wei Chen", "wei.chen"), ("Na Li", "na.li"))[:colleagues]]
    return [*staff, "FN:Nina Svoboda\r\nORG:国家电网有限公司\r\n"]


def test_a_work_domain_stands_for_the_company_its_people_work_at(store: Store, team: str, tmp_path: Path) -> None:
    """``sgcc.com.cn`` spells no company name; the colleagues writing from it say it is 国家电网."""
    sync.run(store=store, plan=vcard.read(_vcf(tmp_path, *_grid_cards(2)), as_of=AS_OF))
    summary = sync.run(store=store, plan=mbox.read(_mail(tmp_path, "Nina Svoboda <nina.svoboda@sgcc.com.cn>")))
    assert summary.merged == 1 and summary.merges[0]["rule"] == "name_company"
    assert "n:国家电网" in summary.merges[0]["evidence"]


def test_one_colleague_does_not_make_a_domain_a_company(store: Store, team: str, tmp_path: Path) -> None:
    sync.run(store=store, plan=vcard.read(_vcf(tmp_path, *_grid_cards(1)), as_of=AS_OF))
    summary = sync.run(store=store, plan=mbox.read(_mail(tmp_path, "Nina Svoboda <nina.svoboda@sgcc.com.cn>")))
    assert summary.merged == 0 and summary.reviews[0]["reason"] == "same name, no company in common"
