"""Entity resolution: is this incoming person someone we already know?

Rules, strongest first; the first that decides wins:

1. **Same id or an earlier merge.** The draft's stable id is a known person, or
   was merged into one before (an active merge is an alias).
2. **Email.** One of the draft's addresses belongs to exactly one known person.
3. **Profile.** The draft's LinkedIn profile belongs to exactly one known person.
   An email pointing at one person and a profile at another is ambiguous.
4. **Name + company.** Known persons sharing a company key with the draft (the
   normalised company name, a company's web or work email domain, the name
   such a domain spells: ``siemens-energy.com`` is ``siemens energy``, or the
   company the caller learned a domain stands for) are scored by
   :func:`name_similarity` against every name they go by (a person merged from
   several descriptions keeps each description's name). A known person's
   company keys come from every employment, ended ones too, so a former
   employer is as good as the current one. When an address of one of the two spells the other's name
   exactly (``anna.dubois@`` for a display name ``Anna M. Dunois`` and a known
   ``Anna Dubois``), the pair scores 100, though not as an equal name. The best is taken when it scores at least
   ``threshold`` and leads every other by ``MARGIN`` with none of them reaching
   ``threshold``, unless evidence speaks against it: different LinkedIn
   profiles never match; persons with different addresses at the same company
   domain, a name made up from an address (``lukas.mensah@`` -> "Lukas
   Mensah"), or the same family name after another given name (``John Weber``
   for a known ``Jon Weber``: most often two people) match only on an exactly
   equal name. A rival with another address at the company (``John Smith`` for
   a draft ``Jon Smith``), or with another given name while the draft's address
   spells the best's name (``jon.smith@``), does not count against the best.
5. **Private address.** A draft with no company at all (no company column, no
   work address) whose free-mail address spells a name (``anna.muller23@gmail.com``
   is "Anna Muller") is merged into the one known person going by exactly that
   name, provided its display name, if any, is similar to it, no other known
   person and no other description of the same import goes by that name, and
   the known person has no other private address (then it is only listed). The
   rule is ``personal_address``, so these merges can be reviewed and undone
   apart from the others.
6. **Same name elsewhere.** Otherwise a name equal up to order, accents,
   honorifics and a lone initial (found by :func:`name_key`) with no company in
   common is never merged, only listed for review.

A match the rules cannot settle (several persons fit, or a score between
``review_threshold`` and ``threshold``) is :class:`Ambiguous`: the draft stays a
person of its own and a person decides. Pairs someone has separated (an undone
merge, a dismissed review) are never matched again.

All functions here are pure: they work on an :class:`Index` built by the caller.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

from rapidfuzz import fuzz

from graph_service.connectors.base import FREE_MAIL, domain_company_key, email_domain, fold, person_name_from_address

THRESHOLD = 90.0
"""Name similarity from which a same-company match is merged."""

REVIEW_THRESHOLD = 80.0
"""Name similarity from which a same-company match is at least listed for review."""

MARGIN = 10.0
"""How far the best same-company match must lead the next one to be taken."""

_HONORIFICS = frozenset({"mr", "mrs", "ms", "miss", "mx", "dr", "prof", "sir", "herr", "frau", "jr", "sr", "ii",
                         "iii", "iv", "phd", "md", "mba", "esq"})
_BRACKETS = re.compile(r"\([^)]*\)|\[[^\]]*\]|\"[^\"]*\"")
_APOSTROPHES = re.compile(r"(?<=\w)['\u2019\u02bc`](?=\w)")
_WORDS = re.compile(r"[^\w]+")


def normalise_name(name: str) -> str:
    """Folded name tokens: ``Müller, Jörg (PhD)`` -> ``jorg muller``.

    ``Last, First`` is turned around, bracketed and quoted parts (nicknames,
    notes) and honorifics are dropped, accents are folded, an apostrophe inside
    a name is dropped (``O'Connor`` is ``oconnor``, as addresses write it). CJK
    names are kept as they are (no transliteration).
    """
    text = _APOSTROPHES.sub("", _BRACKETS.sub(" ", name))
    if text.count(",") == 1:
        last, first = (part.strip() for part in text.split(","))
        if first and last and fold(first).strip(". ") not in _HONORIFICS:
            text = f"{first} {last}"
    words = [w for w in _WORDS.sub(" ", fold(text)).split() if w and w not in _HONORIFICS]
    return " ".join(words)


def names_of(name: str, emails: Iterable[str]) -> set[str]:
    """The name keys a description goes by: its name and the names its addresses spell."""
    return {key for key in map(name_key, [name, *map(person_name_from_address, emails)]) if key}


def _without_initials(tokens: list[str]) -> list[str]:
    return [t for t in tokens if len(t) > 1 or not t.isascii()]


def name_key(name: str) -> str:
    """The blocking key of a name: normalised tokens without initials, sorted (``Smith, Anna M.`` -> ``anna smith``).

    Names that :func:`name_similarity` scores 100 share it (word order, accents,
    honorifics and a lone initial do not matter).
    """
    tokens = normalise_name(name).split()
    return " ".join(sorted(_without_initials(tokens) or tokens))


def name_similarity(a: str, b: str) -> float:
    """Similarity of two person names in [0, 100], insensitive to order, case, accents and a lone initial.

    Parameters
    ----------
    a, b
        Names as written (``"Dr. Jörg Müller"``, ``"Mueller, Jorg"``).

    Returns
    -------
    The normalised Indel similarity of the normalised names, taken in written
    order or with sorted tokens (rapidfuzz ``ratio`` and ``token_sort_ratio``),
    whichever is higher; when only one of the names carries single letter
    initials, the better of that and the same without them. Two names with
    different initials keep the plain score.

    Notes
    -----
    Token sorting makes ``Wei Wang`` equal ``Wang Wei``; the written order keeps
    a typo from reordering the tokens (``Chloé Ctrter`` against ``Carter,
    Chloé`` sorts ``chloe`` first on one side only). The Indel ratio scores a
    one-letter typo in a 12-letter name at about 92 and two different first
    names of the same family well below 80.

    References
    ----------
    Cohen, Ravikumar, Fienberg, "A comparison of string distance metrics for
    name-matching tasks", IIWeb 2003 (token-based and edit-based name metrics).
    """
    na, nb = normalise_name(a), normalise_name(b)
    if not na or not nb:
        return 0.0
    if na == nb:
        return 100.0
    score = _ratio(na, nb)
    ta, tb = na.split(), nb.split()
    ia, ib = _without_initials(ta), _without_initials(tb)
    if ia and ib and (ia == ta) != (ib == tb):
        score = max(score, _ratio(" ".join(ia), " ".join(ib)))
    return float(score)


def _ratio(a: str, b: str) -> float:
    return max(fuzz.ratio(a, b), fuzz.token_sort_ratio(a, b))


def company_keys(company_names: Iterable[str], domains: Iterable[str], emails: Iterable[str]) -> set[str]:
    """The keys that say two persons work at the same company.

    ``n:<company key>`` for each company name, and for each company domain and
    each work email domain (not a free-mail provider) both ``d:<domain>`` and the
    name the domain spells (``anna@siemens-energy.com`` -> ``n:siemens energy``).
    """
    keys = {f"n:{name}" for name in company_names if name}
    all_domains = {d.lower().removeprefix("www.") for d in domains if d}
    all_domains |= {email_domain(e) for e in emails if email_domain(e) not in FREE_MAIL}
    for domain in all_domains:
        keys.add(f"d:{domain}")
        spelled = domain_company_key(domain)
        if spelled:
            keys.add(f"n:{spelled}")
    return keys


@dataclass
class Entity:
    """A person as the resolver sees them; ``other_names`` are the names merged descriptions gave them."""

    id: str
    name: str
    name_given: bool = True
    emails: set[str] = field(default_factory=set)
    profiles: set[str] = field(default_factory=set)
    companies: set[str] = field(default_factory=set)
    other_names: set[str] = field(default_factory=set)

    @property
    def names(self) -> set[str]:
        """Every name the person is known under (a name made up from an address only while there is no other)."""
        return {self.name, *self.other_names}


@dataclass(frozen=True)
class Option:
    """A known person a draft may be, with the rule and score that say so."""

    person_id: str
    rule: str
    score: float
    evidence: str


@dataclass(frozen=True)
class Match:
    """The draft is ``person_id``; ``rule`` is ``same_id``, ``alias``, ``email``, ``profile``, ``name_company`` or
    ``personal_address``."""

    person_id: str
    rule: str
    score: float = 100.0
    evidence: str = ""


@dataclass(frozen=True)
class Ambiguous:
    """Several persons may be the draft, or one only weakly; a person must decide."""

    reason: str
    options: tuple[Option, ...]


class Index:
    """Known persons by id, email, profile, company key and normalised name; grows as drafts are accepted.

    ``import_names`` counts, by :func:`name_key`, the descriptions of the
    import being resolved that go by each name (see :func:`names_of`); the
    caller fills it in.
    """

    def __init__(self, *, aliases: dict[str, str] | None = None, blocked: Iterable[frozenset[str]] = ()) -> None:
        self.entities: dict[str, Entity] = {}
        self.import_names: Counter[str] = Counter()
        self.by_email: dict[str, set[str]] = {}
        self.by_profile: dict[str, set[str]] = {}
        self.by_company: dict[str, set[str]] = {}
        self.by_name: dict[str, set[str]] = {}
        self.aliases = dict(aliases or {})
        self.blocked = set(blocked)

    def add(self, entity: Entity) -> None:
        """Add a person, or extend the known one with the same id."""
        known = self.entities.get(entity.id)
        if known is None:
            known = self.entities[entity.id] = Entity(entity.id, entity.name, entity.name_given)
        elif entity.name_given and not known.name_given:
            known.name, known.name_given = entity.name, True
        if entity.name_given:
            known.other_names |= entity.names - {known.name}
        known.emails |= entity.emails
        known.profiles |= entity.profiles
        known.companies |= entity.companies
        for email in entity.emails:
            self.by_email.setdefault(email, set()).add(known.id)
        for profile in entity.profiles:
            self.by_profile.setdefault(profile, set()).add(known.id)
        for key in entity.companies:
            self.by_company.setdefault(key, set()).add(known.id)
        if known.name_given:
            for key in filter(None, map(name_key, known.names)):
                self.by_name.setdefault(key, set()).add(known.id)

    def separated(self, a: str, b: str) -> bool:
        return frozenset((a, b)) in self.blocked

    def target(self, id: str) -> str:
        """Follow aliases (earlier merges) to the person that holds ``id`` now."""
        seen = set()
        while id in self.aliases and id not in seen:
            seen.add(id)
            id = self.aliases[id]
        return id


def resolve(index: Index, draft: Entity, *, threshold: float = THRESHOLD,
            review_threshold: float = REVIEW_THRESHOLD) -> Match | Ambiguous | None:
    """Decide who ``draft`` is among the persons of ``index`` (see the module notes for the rules).

    Returns
    -------
    A :class:`Match`, an :class:`Ambiguous` for a person to decide, or None for a new person.
    """
    if draft.id in index.aliases:
        target = index.target(draft.id)
        if target in index.entities:
            return Match(target, "alias", evidence=f"merged before into {target}")
    if draft.id in index.entities:
        return Match(draft.id, "same_id")

    def allowed(ids: Iterable[str]) -> set[str]:
        return {id for id in ids if id != draft.id and not index.separated(draft.id, id)}

    by_email = allowed(id for email in draft.emails for id in index.by_email.get(email, ()))
    by_profile = allowed(id for p in draft.profiles for id in index.by_profile.get(p, ()))
    if len(by_email) > 1:
        return Ambiguous("its email addresses belong to several persons",
                         tuple(Option(id, "email", 100.0, _shared(draft.emails, index.entities[id].emails))
                               for id in sorted(by_email)))
    if len(by_profile) > 1:
        return Ambiguous("its profile belongs to several persons",
                         tuple(Option(id, "profile", 100.0, ", ".join(sorted(draft.profiles))) for id in sorted(by_profile)))
    if by_email and by_profile and by_email != by_profile:
        options = [Option(id, "email", 100.0, _shared(draft.emails, index.entities[id].emails)) for id in by_email]
        options += [Option(id, "profile", 100.0, ", ".join(sorted(draft.profiles))) for id in by_profile]
        return Ambiguous("its email and its profile point at different persons", tuple(options))
    if by_email:
        (id,) = by_email
        known = index.entities[id]
        if draft.profiles and known.profiles and not draft.profiles & known.profiles:
            return Ambiguous("same email, but a different LinkedIn profile",
                             (Option(id, "email", 100.0, _shared(draft.emails, known.emails)),))
        return Match(id, "email", evidence=_shared(draft.emails, known.emails))
    if by_profile:
        (id,) = by_profile
        return Match(id, "profile", evidence=", ".join(sorted(draft.profiles & index.entities[id].profiles)))
    return _by_name(index, draft, threshold, review_threshold)


def _shared(mine: Iterable[str], theirs: Iterable[str]) -> str:
    return ", ".join(sorted(set(mine) & set(theirs)))


_OTHER_ADDRESS = "different addresses at the same domain"
_OTHER_GIVEN_NAME = "another given name"


def _conflict(draft: Entity, known: Entity) -> str | None:
    """Evidence that two similarly named persons at one company are different people."""
    if draft.profiles and known.profiles and not draft.profiles & known.profiles:
        return "different LinkedIn profiles"
    mine = {email_domain(e) for e in draft.emails} - FREE_MAIL
    theirs = {email_domain(e) for e in known.emails} - FREE_MAIL
    if mine & theirs and not draft.emails & known.emails:
        return _OTHER_ADDRESS
    return None


def _spelling_address(emails: Iterable[str], names: Iterable[str]) -> str:
    """The first of ``emails`` that spells one of ``names`` exactly, or ``""``."""
    names = list(names)
    for email in sorted(emails):
        spelled = person_name_from_address(email)
        if any(name_similarity(spelled, name) == 100.0 for name in names):
            return email
    return ""


def _address_spelling(draft: Entity, known: Entity) -> str:
    """An address of one of the two that spells the other's name exactly (``anna.dubois@`` for ``Anna B. Dubois``)."""
    return _spelling_address(draft.emails, known.names) or _spelling_address(known.emails, draft.names)


def _closest_name(name: str, known: Entity) -> tuple[float, str]:
    """The name ``known`` goes by that is closest to ``name``, and its similarity."""
    return max((name_similarity(name, other), other) for other in known.names)


def _other_given_name(a: str, b: str) -> bool:
    """The same family name after different given names (``Jon Weber`` and ``John Weber``): most often two people."""
    ta, tb = (_without_initials(normalise_name(n).split()) for n in (a, b))
    return len(ta) >= 2 and len(tb) >= 2 and ta[1:] == tb[1:] and ta[0] != tb[0]


def _by_name(index: Index, draft: Entity, threshold: float, review_threshold: float) -> Match | Ambiguous | None:
    block = {id for key in draft.companies for id in index.by_company.get(key, ())}
    scored: list[Option] = []
    conflicts: dict[str, str] = {}
    spelled: set[str] = set()  # scored 100 because an address spells the name, not the names themselves
    addressed: set[str] = set()  # going by a name one of the draft's addresses spells
    for id in sorted(block):
        known = index.entities[id]
        if id == draft.id or index.separated(draft.id, id):
            continue
        (score, closest), spelled_by = _closest_name(draft.name, known), ""
        if score < 100.0 and draft.name_given and known.name_given:
            spelled_by = _address_spelling(draft, known)
            score = 100.0 if spelled_by else score
        if score < review_threshold:
            continue
        reason = _conflict(draft, known)
        if reason == "different LinkedIn profiles":
            continue
        if not (draft.name_given and known.name_given):
            reason = reason or "a name spelled by an address"
        if not spelled_by and _other_given_name(draft.name, closest):
            reason = reason or _OTHER_GIVEN_NAME
        if reason:
            conflicts[id] = reason
        if spelled_by:
            spelled.add(id)
        if _spelling_address(draft.emails, known.names):
            addressed.add(id)
        common = sorted(draft.companies & known.companies)
        evidence = f"{known.name!r} at {', '.join(common)}" + (f", spelled by {spelled_by}" if spelled_by else "")
        scored.append(Option(id, "name_company", round(score, 1), evidence))
    scored.sort(key=lambda o: (-o.score, o.person_id))
    if scored:
        return _best_at_company(scored, conflicts, spelled, addressed, threshold)
    if not draft.companies:
        by_address = _by_personal_address(index, draft, threshold)
        if by_address is not None:
            return by_address
    if not draft.name_given:
        return None
    same_name = _same_name(index, draft, draft.name)
    if same_name:
        return Ambiguous("same name, no company in common",
                         tuple(Option(id, "name", 100.0, f"{index.entities[id].name!r}") for id in same_name))
    return None


def _best_at_company(scored: list[Option], conflicts: dict[str, str], spelled: set[str], addressed: set[str],
                     threshold: float) -> Match | Ambiguous:
    """Rule 4 on the persons scored at the draft's companies, best first."""
    best = scored[0]
    # A rival with a name not exactly the draft's is someone else by evidence, and does not make the choice
    # ambiguous, when it has another address at the draft's company domain, or another given name while the
    # draft's address spells the best's name (``katherine.white@`` beside a Catherine White).
    rivals = [o for o in scored[1:]
              if not (o.score < 100.0 and (conflicts.get(o.person_id) == _OTHER_ADDRESS
                                           or (conflicts.get(o.person_id) == _OTHER_GIVEN_NAME
                                               and best.person_id in addressed)))]
    runner_up = rivals[0].score if rivals else 0.0
    alone = runner_up < min(threshold, best.score - MARGIN)
    exact = best.score == 100.0 and best.person_id not in spelled
    if alone and best.score >= threshold and (best.person_id not in conflicts or exact):
        return Match(best.person_id, "name_company", best.score, best.evidence)
    if alone and best.person_id in conflicts:
        reason = f"similar name at the same company, but {conflicts[best.person_id]}"
    elif alone:
        reason = "similar name at the same company"
    else:
        reason = "several persons with a similar name at the same company"
    return Ambiguous(reason, tuple(scored))


def _same_name(index: Index, draft: Entity, name: str) -> list[str]:
    """Known persons going by ``name`` (up to order, accents, honorifics and a lone initial), profiles permitting."""
    return sorted(id for id in index.by_name.get(name_key(name), ())
                  if id != draft.id and not index.separated(draft.id, id)
                  and any(name_similarity(name, other) == 100.0 for other in index.entities[id].names)
                  and not (draft.profiles and index.entities[id].profiles
                           and not draft.profiles & index.entities[id].profiles))


PERSONAL_ADDRESS = "personal_address"
"""The rule of a match by a private address that spells the name of the only person so named."""


def _by_personal_address(index: Index, draft: Entity, threshold: float) -> Match | Ambiguous | None:
    """Rule 5: a draft with no company whose private address spells the name of exactly one known person.

    The display name, when there is one, must be similar to the spelled name,
    and no other description of the import may go by that name. A known person
    who already has another private address is only listed.
    """
    for email in sorted(e for e in draft.emails if email_domain(e) in FREE_MAIL):
        spelled = person_name_from_address(email)
        if len(_without_initials(normalise_name(spelled).split())) < 2:
            continue
        if draft.name_given and name_similarity(draft.name, spelled) < threshold:
            continue
        same = _same_name(index, draft, spelled)
        if len(same) != 1 or index.import_names[name_key(spelled)] > 1:
            continue
        known = index.entities[same[0]]
        option = Option(known.id, PERSONAL_ADDRESS, 100.0, f"{email} spells {known.name!r}, the only person so named")
        if any(email_domain(e) in FREE_MAIL for e in known.emails):
            return Ambiguous("a private address spelling the name of one person, who has another private address",
                             (option,))
        return Match(known.id, PERSONAL_ADDRESS, 100.0, option.evidence)
    return None
