"""From a connector's plan to records: resolve, show what would change (dry run), write.

:func:`prepare` reads the store and decides everything: who each drafted person
is (:mod:`resolve`), which companies are already known, which employments open
or close on the export date (and so which job moves the write will derive),
which ties and persons change, which merges are made and which matches are
left for review. :func:`apply` writes exactly that through
:func:`graph_service.records.write_batch`, then stores the merge and review
documents. :func:`run` does both; with ``dry_run`` it stops after counting.

The resolver sees every stored person with the names of the descriptions
merged into them (from the merge documents), and a work mail domain that
spells no company name still says where a person works when the people
writing from it are listed at one company (:func:`domain_companies`).

Incremental sync
----------------
Every record has a stable id and writes are upserts that skip unchanged
content, so a newer export only adds what changed. Positions follow the rules
of employment snapshots (:mod:`graph_service.importing.snapshot`) on the
plan's date: a person listed at the company and title they are known to hold
changes nothing; a new title at the same company ends the old role and starts
a new one; a new company starts an employment and ends the open primary
employments elsewhere, which the write turns into a job move. A file never
ends a position by leaving a person out (an export lists only some people),
and a person known to have changed jobs after the export date is left alone.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from typing import Any

from more_itertools import chunked

from graph_service import moves as job_moves
from graph_service import records
from graph_service.connectors import merges as merge_docs
from graph_service.connectors.base import (
    FREE_MAIL,
    NAME_FROM_ADDRESS,
    SKIP_SAMPLE,
    TEXT,
    PersonDraft,
    Plan,
    Skip,
    company_key,
    email_domain,
    profile_tag,
    short_hash,
)
from graph_service.connectors.resolve import (
    REVIEW_THRESHOLD,
    THRESHOLD,
    Ambiguous,
    Entity,
    Index,
    Match,
    company_keys,
    names_of,
    resolve,
)
from graph_service.errors import InvalidInput, Problem
from graph_service.model import Company, CompanyStatus, Employment, Interaction, JobMove, Person, Record, Tie
from graph_service.store.base import Store, StoreTx, UpsertCounts, scan_all

Progress = Callable[[int], None]

ENTITIES: tuple[str, ...] = ("company", "person", "employment", "tie", "interaction")
"""Kinds a connector writes, in write order (references first)."""

STATUS_RANK = {CompanyStatus.other: 0, CompanyStatus.prospect: 1, CompanyStatus.customer: 2}
"""Statuses an opportunity may raise a company through; partners, competitors and associations stay."""

BATCH = 5_000


@dataclass
class Known:
    """What the store holds that resolution needs, read once per run."""

    persons: dict[str, Person]
    companies: dict[str, Company]
    employments: dict[str, list[Employment]]
    company_by_key: dict[str, str]
    company_by_domain: dict[str, str]
    refs: dict[str, str]


@dataclass
class Changes:
    """Everything a plan would change, decided against one reading of the store."""

    plan: Plan
    mapping: dict[str, tuple[str, str | None]]
    company_ids: dict[str, str]
    companies: list[Company] = field(default_factory=list)
    persons: list[Person] = field(default_factory=list)
    employments: list[Employment] = field(default_factory=list)
    ties: list[Tie] = field(default_factory=list)
    merges: list[merge_docs.PlannedMerge] = field(default_factory=list)
    merge_by_id: dict[str, merge_docs.PlannedMerge] = field(default_factory=dict)
    reviews: list[merge_docs.Review] = field(default_factory=list)
    moves: list[JobMove] = field(default_factory=list)
    refs: dict[str, str] = field(default_factory=dict)
    counts: dict[str, Counter[str]] = field(default_factory=lambda: defaultdict(Counter))
    skipped: list[Skip] = field(default_factory=list)
    skip_counts: Counter[str] = field(default_factory=Counter)

    def skip(self, line: int | None, reason: str, detail: str = "") -> None:
        self.skip_counts[reason] += 1
        if len(self.skipped) < SKIP_SAMPLE:
            self.skipped.append(Skip(line, reason, detail))

    def add_merge(self, merge: merge_docs.PlannedMerge) -> None:
        self.merges.append(merge)
        self.merge_by_id[merge.id] = merge

    def person_id(self, id: str) -> str:
        """The stored person a draft id (or a stored id) stands for."""
        return self.mapping[id][0] if id in self.mapping else id


@dataclass
class ConnectSummary:
    """What a connector run did (or, in a dry run, would do)."""

    kind: str
    file: str
    dry_run: bool
    created: dict[str, int] = field(default_factory=dict)
    updated: dict[str, int] = field(default_factory=dict)
    unchanged: dict[str, int] = field(default_factory=dict)
    merged: int = 0
    review: int = 0
    moves: int = 0
    skipped: dict[str, int] = field(default_factory=dict)
    skipped_rows: list[Skip] = field(default_factory=list)
    merges: list[dict[str, Any]] = field(default_factory=list)
    reviews: list[dict[str, Any]] = field(default_factory=list)
    job_moves: list[dict[str, Any]] = field(default_factory=list)

    @property
    def total_created(self) -> int:
        return sum(self.created.values())

    @property
    def total_updated(self) -> int:
        return sum(self.updated.values())

    @property
    def total_skipped(self) -> int:
        return sum(self.skipped.values())


# -- reading the store ------------------------------------------------------------------------------


def _derived_name(person: Person) -> bool:
    """A placeholder, or a name made up from one of the person's addresses."""
    return records.PLACEHOLDER_TAG in person.tags or NAME_FROM_ADDRESS in person.tags or person.name == person.id


def load_known(store: Store) -> Known:
    persons = {row["id"]: Person.model_validate(row) for row in scan_all(store, "person")}
    companies = {row["id"]: Company.model_validate(row) for row in scan_all(store, "company")}
    employments: dict[str, list[Employment]] = defaultdict(list)
    for row in scan_all(store, "employment"):
        employment = Employment.model_validate(row)
        employments[employment.person_id].append(employment)
    by_key: dict[str, str] = {}
    by_domain: dict[str, str] = {}
    for company in companies.values():
        by_key.setdefault(company_key(company.name), company.id)
        if company.domain:
            by_domain.setdefault(company.domain.lower().removeprefix("www."), company.id)
    refs = merge_docs.company_refs(store)
    return Known(persons, companies, employments, by_key, by_domain, refs)


def domain_companies(known: Known, plan: Plan) -> dict[str, str]:
    """The company key each work mail domain stands for, learned from the store and the plan.

    A company's own domain decides. Otherwise each person (stored or drafted)
    with an address at a domain and a position at a company is one observation,
    and the domain stands for the company named by at least two observations
    and by more than half of the domain's: ``huawei.com`` is ``华为技术`` when
    most people writing from it are listed there.
    """
    seen: dict[str, Counter[str]] = defaultdict(Counter)
    for person in known.persons.values():
        keys = {company_key(known.companies[e.company_id].name)
                for e in known.employments.get(person.id, ()) if e.company_id in known.companies}
        for domain in _work_domains(person.emails):
            seen[domain].update(keys)
    for draft in plan.persons.values():
        if draft.company and not draft.company.startswith("ref:"):
            for domain in _work_domains(draft.emails):
                seen[domain][draft.company] += 1
    learned = {}
    for domain, counts in seen.items():
        for key, count in counts.most_common(1):
            if count >= 2 and count * 2 > counts.total():
                learned[domain] = key
    for company in known.companies.values():
        if company.domain:
            learned[company.domain.lower().removeprefix("www.")] = company_key(company.name)
    return learned


def _work_domains(emails: Iterable[str]) -> set[str]:
    return {email_domain(e) for e in emails} - FREE_MAIL


def _index(known: Known, aliases: dict[str, tuple[str, str]], blocked: set[frozenset[str]],
           merged_names: dict[str, set[str]], by_domain: dict[str, str]) -> Index:
    """The stored persons as the resolver sees them, with the names of the descriptions merged into them."""
    index = Index(aliases={c: s for c, (s, _) in aliases.items()}, blocked=blocked)
    for person in known.persons.values():
        names, domains = _companies_by_domain(person.emails, by_domain), []
        for employment in known.employments.get(person.id, ()):
            company = known.companies.get(employment.company_id)
            if company:
                names.append(company_key(company.name))
                domains.append(company.domain or "")
        index.add(Entity(person.id, person.name, not _derived_name(person), set(person.emails),
                         {t for t in person.tags if t.startswith("linkedin:")}, company_keys(names, domains, person.emails)))
    for survivor, names_seen in merged_names.items():
        target = index.target(survivor)
        known_person = index.entities.get(target)
        if known_person is not None:
            index.add(Entity(target, known_person.name, known_person.name_given, other_names=names_seen))
    return index


def _companies_by_domain(emails: Iterable[str], by_domain: dict[str, str]) -> list[str]:
    return [by_domain[d] for d in sorted(_work_domains(emails)) if d in by_domain]


# -- deciding ---------------------------------------------------------------------------------------


def prepare(*, store: Store, plan: Plan, threshold: float = THRESHOLD,
            review_threshold: float = REVIEW_THRESHOLD) -> Changes:
    """Resolve ``plan`` against the store and decide every record to write; writes nothing."""
    if plan.owner is not None and not store.read(lambda tx: tx.existing_ids("person", [plan.owner])):
        raise InvalidInput(Problem("as", f"unknown person {plan.owner!r}: the exporting team member must exist"))
    known = load_known(store)
    changes = Changes(plan=plan, mapping={}, company_ids={})
    for skip in plan.skipped:
        changes.skipped.append(skip)
    changes.skip_counts.update(plan.skip_counts)
    _companies(changes, known)
    aliases, blocked = merge_docs.aliases_and_blocks(store)
    by_domain = domain_companies(known, plan)
    index = _index(known, aliases, blocked, merge_docs.merged_names(store), by_domain)
    index.import_names = Counter(key for draft in plan.persons.values() for key in names_of(draft.name, draft.emails))
    _persons(changes, known, index, by_domain, {c: m for c, (_, m) in aliases.items()}, threshold, review_threshold)
    _employments(changes, known)
    _ties(store, changes)
    return changes


def _companies(changes: Changes, known: Known) -> None:
    """Company ids for the plan's company keys and account refs; new companies and filled-in ones."""
    plan = changes.plan
    final: dict[str, Company] = {}
    for key, draft in plan.companies.items():
        domain = (draft.domain or "").lower().removeprefix("www.")
        stored_id = known.company_by_key.get(key) or (known.company_by_domain.get(domain) if domain else None)
        if stored_id is None and key in plan.company_refs:
            stored_id = known.refs.get(plan.company_refs[key])
        if stored_id is None:
            record = draft
            if draft.id in known.companies:  # another company already holds the derived id
                record = draft.model_copy(update={"id": f"{draft.id}-{short_hash(draft.name, 3)}"})
            final[record.id] = record
            changes.company_ids[key] = record.id
        else:
            current = final.get(stored_id) or known.companies[stored_id]
            fill = {name: value for name, value in draft.model_dump(exclude={"id", "name"}).items()
                    if value not in (None, "unknown", "other") and getattr(current, name) in (None, "unknown", "other")}
            final[stored_id] = current.model_copy(update=fill)
            changes.company_ids[key] = stored_id
        if key in plan.company_refs:
            changes.refs[plan.company_refs[key]] = changes.company_ids[key]
    for ref, id in [*known.refs.items(), *changes.refs.items()]:
        changes.company_ids.setdefault(f"ref:{ref}", id)
    for key, wanted in plan.company_status.items():
        id = changes.company_ids.get(key)
        current = (final.get(id) or known.companies.get(id)) if id else None
        if current is None:
            changes.skip(None, "unknown account", key.removeprefix("ref:"))
            continue
        if current.status in STATUS_RANK and STATUS_RANK[CompanyStatus(wanted)] > STATUS_RANK[CompanyStatus(current.status)]:
            final[current.id] = current.model_copy(update={"status": wanted})
    for id, record in final.items():
        record = Company.model_validate(record.model_dump())
        stored = known.companies.get(id)
        if stored is not None and stored.fingerprint() == record.fingerprint():
            changes.counts["company"]["unchanged"] += 1
            continue
        changes.companies.append(record)
        changes.counts["company"]["created" if stored is None else "updated"] += 1


def _draft_entity(draft: PersonDraft, company_ids: dict[str, str], companies: dict[str, Company],
                  by_domain: dict[str, str]) -> Entity:
    names = [draft.company] if draft.company and not draft.company.startswith("ref:") else []
    names += _companies_by_domain(draft.emails, by_domain)
    domains = []
    company = companies.get(company_ids.get(draft.company, ""))
    if company:
        names.append(company_key(company.name))
        domains.append(company.domain or "")
    return Entity(draft.id, draft.name, draft.name_given, set(draft.emails), {profile_tag(p) for p in draft.profiles},
                  company_keys(names, domains, draft.emails))


def _persons(changes: Changes, known: Known, index: Index, by_domain: dict[str, str], alias_merges: dict[str, str],
             threshold: float, review_threshold: float) -> None:
    plan = changes.plan
    now = datetime.now(timezone.utc)
    drafts_of: dict[str, list[PersonDraft]] = defaultdict(list)
    companies = {**known.companies, **{c.id: c for c in changes.companies}}
    for draft in plan.persons.values():
        entity = _draft_entity(draft, changes.company_ids, companies, by_domain)
        outcome = resolve(index, entity, threshold=threshold, review_threshold=review_threshold)
        target, merge_id = draft.id, None
        if draft.known_only:
            if isinstance(outcome, Match):
                changes.mapping[draft.id] = (outcome.person_id, None)
            continue
        if isinstance(outcome, Match):
            target = outcome.person_id
            if outcome.rule == "alias":
                merge_id = alias_merges.get(draft.id)
            elif outcome.rule != "same_id" and not (draft.address_only and outcome.rule in ("email", "profile")):
                merge_id = merge_docs.merge_id(draft.id, target)
                changes.add_merge(merge_docs.PlannedMerge(
                    id=merge_id, survivor=target, merged=draft.id, rule=outcome.rule, score=outcome.score,
                    evidence=outcome.evidence, person=_person_of(draft).model_dump(mode="json"),
                    sources=[{"kind": plan.kind, "file": plan.file, "line": draft.line, "source": plan.source,
                              "at": now.isoformat(timespec="seconds")}]))
        elif isinstance(outcome, Ambiguous):
            changes.reviews.append(merge_docs.Review(
                id=merge_docs.review_id(draft.id), candidate={"id": draft.id, "name": draft.name, "emails": draft.emails,
                                                              "company": draft.company, "line": draft.line},
                options=[o.__dict__ for o in outcome.options], reason=outcome.reason, kind=plan.kind, file=plan.file,
                at=now.isoformat(timespec="seconds")))
        changes.mapping[draft.id] = (target, merge_id)
        drafts_of[target].append(draft)
        index.add(Entity(target, entity.name, entity.name_given, entity.emails, entity.profiles, entity.companies))
    by_merge = {m.merged: m for m in changes.merges}
    for target, drafts in drafts_of.items():
        stored = known.persons.get(target)
        base = stored if stored else _person_of(drafts[0])
        emails, tags = list(base.emails), list(base.tags)
        name, derived = base.name, (_derived_name(stored) if stored else not drafts[0].name_given)
        for draft in drafts if stored else drafts[1:]:
            added_emails = [e for e in draft.emails if e not in emails]
            added_tags = [t for t in [*draft.tags, *(profile_tag(p) for p in draft.profiles)] if t not in tags]
            emails += added_emails
            tags += added_tags
            renamed_from = None
            if derived and draft.name_given:
                renamed_from, name, derived = name, draft.name, False
                tags = [t for t in tags if t not in (records.PLACEHOLDER_TAG, NAME_FROM_ADDRESS)]
            if draft.id in by_merge:
                by_merge[draft.id].added = {"emails": added_emails, "tags": added_tags}
                if renamed_from is not None:
                    by_merge[draft.id].added["renamed_from"] = renamed_from  # type: ignore[assignment]
        person = Person(id=target, name=name, emails=emails, internal=base.internal, tags=tags)
        if stored is None:
            changes.persons.append(person)
            changes.counts["person"]["created"] += 1
        elif person.fingerprint() != stored.fingerprint():
            changes.persons.append(person)
            changes.counts["person"]["updated"] += 1
        else:
            changes.counts["person"]["unchanged"] += 1


def _person_of(draft: PersonDraft) -> Person:
    named = [] if draft.name_given else [NAME_FROM_ADDRESS]
    tags = list(dict.fromkeys([*draft.tags, *(profile_tag(p) for p in draft.profiles), *named]))
    return Person(id=draft.id, name=draft.name, emails=draft.emails, tags=tags)


def _newer_knowledge(employments: list[Employment], as_of: date) -> bool:
    return any((e.start and e.start > as_of) or (e.end and e.end > as_of) for e in employments)


def observe(rows: list[tuple[str, str, str, Any]], known: list[Employment], *, person_id: str, as_of: date,
            source: str) -> list[Employment]:
    """Employments to write for one person seen at ``(company_id, title, department, layer)`` rows on ``as_of``.

    The rules of employment snapshots, except that a row without a title confirms
    any current position at its company, and absence from a file ends nothing
    but the primary jobs a new company replaces.
    """
    changed: dict[str, Employment] = {}
    listed = {company for company, _, _, _ in rows}
    for company, title, department, layer in rows:
        here = [e for e in known if e.company_id == company and e.current_on(as_of)]
        if any(e.title == title or not title for e in here):
            continue
        for old in here:
            changed[old.id] = old.model_copy(update={"end": as_of})
        new = Employment(person_id=person_id, company_id=company, title=title, department=department,
                         decision_layer=layer, start=as_of, source=source)
        changed[new.id] = new
        if not here:
            for old in known:
                if old.company_id not in listed and old.end is None and not job_moves.is_side_position(old) \
                        and (old.start is None or old.start < as_of):
                    changed[old.id] = old.model_copy(update={"end": as_of})
    return list(changed.values())


def _employments(changes: Changes, known: Known) -> None:
    plan = changes.plan
    rows: dict[str, list[tuple[str, str, str, Any]]] = defaultdict(list)
    cause: dict[tuple[str, str], str] = {}
    for position in plan.positions:
        company = changes.company_ids.get(position.company)
        if company is None:
            changes.skip(plan.persons[position.person].line if position.person in plan.persons else None,
                         "unknown account", position.company.removeprefix("ref:"))
            continue
        person = changes.person_id(position.person)
        row = (company, position.title[:TEXT], position.department[:TEXT], position.decision_layer)
        same = next((i for i, known in enumerate(rows[person]) if known[0] == company), None)
        if same is None:
            rows[person].append(row)
            cause[(person, company)] = position.person
        else:  # one position per company and file: the first description, completed by later ones
            first = rows[person][same]
            rows[person][same] = (company, first[1] or row[1], first[2] or row[2], first[3] or row[3])
    learned_at = datetime.now(timezone.utc)
    for person, listed in rows.items():
        stored = known.employments.get(person, [])
        if _newer_knowledge(stored, plan.as_of):
            changes.skip(plan.persons[cause[(person, listed[0][0])]].line, "newer employment known",
                         f"{person} has employment changes after {plan.as_of}")
            continue
        written = observe(listed, stored, person_id=person, as_of=plan.as_of, source=plan.source)
        stored_ids = {e.id: e for e in stored}
        opened = {e.company_id for e in written if e.id not in stored_ids}
        for company, title, department, layer in listed:
            if company in opened:
                continue
            changes.counts["employment"]["unchanged"] += 1
            for merge in _merges_of(changes, [cause[(person, company)]]):
                held = next((e for e in stored if e.company_id == company and e.current_on(plan.as_of)), None)
                merge.entries.append(merge_docs.Entry(
                    entity="employment", written=held.id if held else None, pre_existing=True,
                    original=Employment(person_id=merge.merged, company_id=company, title=title, department=department,
                                        decision_layer=layer, start=plan.as_of, source=plan.source).model_dump(
                                            mode="json", exclude={"id"}),
                    mapping={merge.merged: [person, merge.id]}))
        if not written:
            continue
        causes = [cause[(person, company)] for company, _, _, _ in listed]
        for employment in written:
            old = stored_ids.get(employment.id)
            changes.counts["employment"]["updated" if old else "created"] += 1
            changes.employments.append(employment)
            by = causes if old else [cause.get((person, employment.company_id))]
            for merge in _merges_of(changes, by):
                merge.entries.append(merge_docs.Entry(
                    entity="employment", written=employment.id, pre_existing=old is not None,
                    before=old.model_dump(mode="json") if old else None,
                    original=None if old else {**employment.model_dump(mode="json", exclude={"id"}), "person_id": merge.merged},
                    mapping={merge.merged: [person, merge.id]}))
        after = {e.id: e for e in stored} | {e.id: e for e in written}
        before_moves = {m.id for m in job_moves.derive_moves(stored, learned_at=learned_at, source=plan.kind)}
        for move in job_moves.derive_moves(list(after.values()), learned_at=learned_at, source=f"connect:{plan.kind}"):
            if move.id not in before_moves:
                changes.moves.append(move)


def _merges_of(changes: Changes, drafts: Iterable[str | None]) -> list[merge_docs.PlannedMerge]:
    """The merges (new or earlier) that put these drafts into another person."""
    found = []
    for draft in drafts:
        if draft is None or draft not in changes.mapping:
            continue
        _, merge_id = changes.mapping[draft]
        if merge_id is None:
            continue
        merge = changes.merge_by_id.get(merge_id)
        if merge is None:
            merge = merge_docs.PlannedMerge(id=merge_id, survivor=changes.person_id(draft), merged=draft, rule="alias",
                                            score=100.0, evidence="", person={}, sources=[], existing=True)
            changes.add_merge(merge)
        found.append(merge)
    return found


def _ties(store: Store, changes: Changes) -> None:
    plan = changes.plan
    wanted: dict[str, Tie] = {}
    drafts_by_tie: dict[str, list[Tie]] = defaultdict(list)
    for draft in plan.ties:
        unknown = [p for p in (draft.a, draft.b) if p in plan.persons and p not in changes.mapping]
        if unknown:
            changes.skip(None, "tie to a person who is not known", ", ".join(plan.persons[p].emails[0] for p in unknown))
            continue
        tie = merge_docs.remap("tie", draft, changes.person_id)
        if tie is None:
            changes.skip(None, "tie to the exporter themself")
            continue
        assert isinstance(tie, Tie)
        known = wanted.get(tie.id)
        if known and tie.since and (known.since is None or tie.since < known.since):
            known.since = tie.since
        wanted.setdefault(tie.id, tie)
        drafts_by_tie[tie.id].append(draft)
    stored: dict[str, Tie] = {}
    for batch in chunked(list(wanted), BATCH):
        stored.update(store.read(lambda tx: tx.get_many("tie", batch)))  # type: ignore[arg-type]
    for id, tie in wanted.items():
        old = stored.get(id)
        if old is not None:
            since = min((d for d in (old.since, tie.since) if d), default=None)
            tie = old.model_copy(update={"since": since})
        if old is None or tie.fingerprint() != old.fingerprint():
            changes.ties.append(tie)
            changes.counts["tie"]["updated" if old else "created"] += 1
        else:
            changes.counts["tie"]["unchanged"] += 1
        for draft in drafts_by_tie[id]:
            for merge in _merges_of(changes, [draft.a, draft.b]):
                merge.entries.append(merge_docs.Entry(
                    entity="tie", written=id, pre_existing=old is not None,
                    before=old.model_dump(mode="json") if old is not None and tie.fingerprint() != old.fingerprint() else None,
                    original=draft.model_dump(mode="json"),
                    mapping={d: list(changes.mapping[d]) for d in (draft.a, draft.b) if d in changes.mapping}))


def mapped_interactions(changes: Changes) -> Iterator[tuple[Interaction, Interaction]]:
    """(as drafted, as written) for every interaction of the plan that still joins two persons."""
    for draft in changes.plan.interactions():
        written = merge_docs.remap("interaction", draft, changes.person_id)
        if written is None:
            changes.skip(None, "only one person after resolving addresses")
            continue
        yield draft, written  # type: ignore[misc]


# -- writing ----------------------------------------------------------------------------------------


def _interaction_entries(changes: Changes, pairs: list[tuple[Interaction, Interaction]],
                         existing: set[str]) -> list[tuple[merge_docs.PlannedMerge, merge_docs.Entry]]:
    found = []
    for draft, written in pairs:
        ids = set(draft.persons())
        merged = [d for d in ids if d in changes.mapping and changes.mapping[d][1] is not None]
        if not merged:
            continue
        mapping = {d: list(changes.mapping[d]) for d in ids if d in changes.mapping}
        for merge in _merges_of(changes, merged):
            found.append((merge, merge_docs.Entry(entity="interaction", written=written.id,
                                                  pre_existing=written.id in existing,
                                                  original=draft.model_dump(mode="json"), mapping=mapping)))
    return found


def apply(*, store: Store, changes: Changes, progress: Progress | None = None) -> ConnectSummary:
    """Write what :func:`prepare` decided; returns the counts of the writes."""
    plan = changes.plan
    summary = _summary(changes, dry_run=False)
    totals: dict[str, UpsertCounts] = {entity: UpsertCounts() for entity in ENTITIES}
    source = f"connect:{plan.kind}"

    def write(entity: str, batch: list[Record]) -> None:
        counts = store.write(lambda tx: records.write_batch(tx, entity, batch, source=source))
        counts.changed_ids.clear()
        totals[entity].add(counts)
        if progress:
            progress(len(batch))

    for entity, items in (("company", changes.companies), ("person", changes.persons),
                          ("employment", changes.employments), ("tie", changes.ties)):
        for batch in chunked(items, BATCH):
            write(entity, list(batch))
    for batch in chunked(mapped_interactions(changes), BATCH):
        pairs = list(batch)
        written = list({w.id: w for _, w in pairs}.values())

        def run(tx: StoreTx) -> tuple[UpsertCounts, set[str]]:
            touched = [w.id for d, w in pairs if any(changes.mapping.get(p, ("", None))[1] for p in d.persons())]
            existing = tx.existing_ids("interaction", touched) if touched else set()
            return records.write_batch(tx, "interaction", written, source=source), existing

        counts, existing = store.write(run)
        counts.changed_ids.clear()
        totals["interaction"].add(counts)
        for merge, entry in _interaction_entries(changes, pairs, existing):
            merge.entries.append(entry)
        if progress:
            progress(len(pairs))
    merge_docs.save_plan_docs(store=store, merges=changes.merges, reviews=changes.reviews, refs=changes.refs)
    for entity, counts in totals.items():
        summary.created[entity], summary.updated[entity] = counts.created, counts.updated
        summary.unchanged[entity] = counts.unchanged + changes.counts[entity]["unchanged"]
    summary.moves = totals["employment"].moves_learned
    summary.skipped = dict(changes.skip_counts)
    summary.skipped_rows = list(changes.skipped)
    return summary


def _summary(changes: Changes, *, dry_run: bool) -> ConnectSummary:
    plan = changes.plan
    summary = ConnectSummary(kind=plan.kind, file=plan.file, dry_run=dry_run)
    new_merges = [m for m in changes.merges if not m.existing]
    summary.merged = len(new_merges)
    summary.review = len(changes.reviews)
    summary.merges = [{"id": m.id, "merged": m.merged, "into": m.survivor, "rule": m.rule, "score": m.score,
                       "evidence": m.evidence} for m in new_merges]
    summary.reviews = [{"id": r.id, "candidate": r.candidate["id"], "name": r.candidate["name"], "reason": r.reason,
                        "options": [o["person_id"] for o in r.options]} for r in changes.reviews]
    summary.job_moves = [{"person_id": m.person_id, "type": m.type, "from": m.from_company_id, "to": m.to_company_id,
                          "on": m.on.isoformat() if m.on else None, "title": m.to_title} for m in changes.moves]
    summary.moves = sum(m.type == "move" for m in changes.moves)
    return summary


def preview(*, store: Store, changes: Changes, progress: Progress | None = None) -> ConnectSummary:
    """What :func:`apply` would write, counted against the store; writes nothing."""
    summary = _summary(changes, dry_run=True)
    interactions: Counter[str] = Counter()
    for batch in chunked(mapped_interactions(changes), BATCH):
        written = {w.id: w for _, w in batch}
        stored = store.read(lambda tx: tx.get_many("interaction", list(written)))
        for id, record in written.items():
            old = stored.get(id)
            interactions["created" if old is None else "unchanged" if old.fingerprint() == record.fingerprint() else "updated"] += 1
        if progress:
            progress(len(batch))
    changes.counts["interaction"] = interactions
    for entity in ENTITIES:
        summary.created[entity] = changes.counts[entity]["created"]
        summary.updated[entity] = changes.counts[entity]["updated"]
        summary.unchanged[entity] = changes.counts[entity]["unchanged"]
    summary.skipped = dict(changes.skip_counts)
    summary.skipped_rows = list(changes.skipped)
    return summary


def run(*, store: Store, plan: Plan, dry_run: bool = False, progress: Progress | None = None,
        threshold: float = THRESHOLD, review_threshold: float = REVIEW_THRESHOLD) -> ConnectSummary:
    """Resolve and write a plan (or, with ``dry_run``, only count what would change)."""
    changes = prepare(store=store, plan=plan, threshold=threshold, review_threshold=review_threshold)
    if dry_run:
        return preview(store=store, changes=changes, progress=progress)
    return apply(store=store, changes=changes, progress=progress)
