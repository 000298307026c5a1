"""Merges and the review list: every merge is kept so it can be reviewed and undone.

Two persons become one in two ways: a connector finds that a person it reads is
someone already known (:mod:`graph_service.connectors.sync`), or a person
decides a review item (:func:`merge_review`, :func:`merge_persons`). Either way
a merge document records who was merged into whom, by which rule and evidence,
from which sources, the merged person as it was, what the surviving person
gained (addresses, tags), and every record the merge re-pointed (its original
form, the id it was written under, and whether that id held a record before).

Undoing a merge (:func:`undo`) brings the merged person back, takes from the
survivor what the merge added, deletes the records the merge created, restores
the records it changed, re-points its records to the merged person (other
merges stay in effect), re-derives the job moves of both, and blocks the pair
so that no later import merges them again. Records a later import wrote
directly onto the survivor (after the merge had taught it a new address) stay
with the survivor.

Documents
---------
``connect_merges``         one per merge: status ``active`` or ``undone``
``connect_merge_records``  the merge's re-pointed records, ``<merge id>.<n>``, 500 a document
``connect_review``         ambiguous matches: status ``open``, ``merged`` or ``dismissed``
``connect_refs``           external keys (a CRM account id) to company ids
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from typing import Any

from more_itertools import chunked
from pydantic import ValidationError

from graph_service import moves as job_moves
from graph_service import records
from graph_service.connectors.base import NAME_FROM_ADDRESS, short_hash
from graph_service.errors import Conflict, InvalidInput, NotFound, Problem
from graph_service.model import Person, Record
from graph_service.store.base import MODELS, Store, StoreTx

MERGES = "connect_merges"
MERGE_RECORDS = "connect_merge_records"
REVIEWS = "connect_review"
REFS = "connect_refs"
ENTRIES_PER_DOC = 500
PAGE = 1000

PERSON_FIELDS: dict[str, tuple[str, ...]] = {
    "employment": ("person_id",),
    "tie": ("a", "b", "owner"),
    "interaction": ("initiator", "participants", "cc", "owner"),
    "referral": ("referrer_id", "referred_id", "to_id"),
}
"""The fields of each kind of record that hold person ids."""


@dataclass
class Entry:
    """One record a merge re-pointed.

    ``original`` is the record as its source gave it (before any merge), and
    ``mapping`` says where each of its person ids went: ``{id: [person, merge id or None]}``.
    ``written`` is the id it was stored under; ``pre_existing`` says whether that
    id already held a record (then undo leaves it), and ``before`` is a stored
    record the merge changed (undo restores it).
    """

    entity: str
    written: str | None
    pre_existing: bool
    original: dict[str, Any] | None = None
    before: dict[str, Any] | None = None
    mapping: dict[str, list[Any]] = field(default_factory=dict)


@dataclass
class PlannedMerge:
    """A merge a connector run makes (or an earlier one whose records it extends: ``existing``)."""

    id: str
    survivor: str
    merged: str
    rule: str
    score: float
    evidence: str
    person: dict[str, Any]
    sources: list[dict[str, Any]]
    added: dict[str, list[str]] = field(default_factory=lambda: {"emails": [], "tags": []})
    entries: list[Entry] = field(default_factory=list)
    existing: bool = False


@dataclass
class Review:
    """An ambiguous match for a person to decide."""

    id: str
    candidate: dict[str, Any]
    options: list[dict[str, Any]]
    reason: str
    kind: str
    file: str
    at: str
    status: str = "open"


def merge_id(merged: str, survivor: str, attempt: int = 0) -> str:
    return f"m-{short_hash(f'{merged}>{survivor}#{attempt}')}"


def review_id(candidate: str) -> str:
    return f"r-{short_hash(candidate)}"


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def _docs(tx: StoreTx, collection: str, after: str | None = None) -> Iterator[dict[str, Any]]:
    """Every document of a collection after the cursor ``after``, in id order, page by page."""
    while True:
        page = tx.list_docs(collection, after=after, limit=PAGE)
        yield from page
        if len(page) < PAGE:
            return
        after = page[-1]["id"]


def entries(tx: StoreTx, merge: dict[str, Any]) -> Iterator[dict[str, Any]]:
    """The records a merge (its document) re-pointed, in the order they were recorded."""
    for number in range(1, merge.get("chunks", 0) + 1):
        chunk = tx.get_doc(MERGE_RECORDS, f"{merge['id']}.{number:06d}")
        if chunk is not None:
            yield from chunk["entries"]


def remap(entity: str, record: Record | dict[str, Any], to: Callable[[str], str]) -> Record | None:
    """``record`` with every person id passed through ``to``; None when the result is no longer valid.

    A content-derived id is derived again from the new content; a chosen id (a
    message id, an event uid) is kept. The sender of an interaction is never
    also one of its recipients (as in the Enron demo: with no direct recipient
    left, the copied ones become the participants).
    """
    model = MODELS[entity]
    data = record.model_dump(mode="json") if isinstance(record, Record) else dict(record)
    new = dict(data)
    for name in PERSON_FIELDS[entity]:
        value = new.get(name)
        if value is not None:
            new[name] = [to(v) for v in value] if isinstance(value, list) else to(value)
    if entity == "interaction" and new.get("initiator"):
        new["participants"] = [p for p in new["participants"] if p != new["initiator"]]
        new["cc"] = [p for p in new["cc"] if p != new["initiator"]]
        if not new["participants"]:
            new["participants"], new["cc"] = new["cc"], []
    try:
        if not data.get("id") or model.model_validate({k: v for k, v in data.items() if k != "id"}).id == data["id"]:
            new.pop("id", None)
        return model.model_validate(new)
    except ValidationError:
        return None


# -- reading ----------------------------------------------------------------------------------------


def aliases_and_blocks(store: Store) -> tuple[dict[str, tuple[str, str]], set[frozenset[str]]]:
    """Active merges as ``{merged: (survivor, merge id)}``, and the pairs a person separated."""

    def run(tx: StoreTx) -> tuple[dict[str, tuple[str, str]], set[frozenset[str]]]:
        aliases: dict[str, tuple[str, str]] = {}
        blocked: set[frozenset[str]] = set()
        for doc in _docs(tx, MERGES):
            if doc["status"] == "active":
                aliases[doc["merged"]] = (doc["survivor"], doc["id"])
            else:
                blocked.add(frozenset((doc["merged"], doc["survivor"])))
        for doc in _docs(tx, REVIEWS):
            if doc["status"] == "dismissed":
                blocked |= {frozenset((doc["candidate"]["id"], o["person_id"])) for o in doc["options"]}
        return aliases, blocked

    return store.read(run)


def merged_names(store: Store) -> dict[str, set[str]]:
    """The names persons merged into others went by (not made up from an address), by the person they went into."""

    def run(tx: StoreTx) -> dict[str, set[str]]:
        names: dict[str, set[str]] = {}
        for doc in _docs(tx, MERGES):
            person = doc.get("person") or {}
            if doc["status"] == "active" and person.get("name") and NAME_FROM_ADDRESS not in person.get("tags", ()):
                names.setdefault(doc["survivor"], set()).add(person["name"])
        return names

    return store.read(run)


def company_refs(store: Store) -> dict[str, str]:
    """External company keys (``crm:<system>:account:<key>``) to company ids."""
    return store.read(lambda tx: {doc["id"]: doc["company_id"] for doc in _docs(tx, REFS)})


def _summary(doc: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in doc.items() if key != "chunks"}


def list_merges(*, store: Store, status: str | None = None, after: str | None = None, limit: int = 100) -> list[dict[str, Any]]:
    """Merge documents ordered by id (without their records), optionally of one status."""

    def run(tx: StoreTx) -> list[dict[str, Any]]:
        found = []
        for doc in _docs(tx, MERGES, after):
            if status is None or doc["status"] == status:
                found.append(_summary(doc))
                if len(found) >= limit:
                    break
        return found

    return store.read(run)


def get_merge(*, store: Store, id: str) -> dict[str, Any]:
    """One merge with the records it re-pointed."""

    def run(tx: StoreTx) -> dict[str, Any]:
        doc = tx.get_doc(MERGES, id)
        if doc is None:
            raise NotFound("merge", id)
        return {**_summary(doc), "entries": list(entries(tx, doc))}

    return store.read(run)


def list_reviews(*, store: Store, status: str | None = "open", after: str | None = None, limit: int = 100) -> list[dict[str, Any]]:
    """Review items ordered by id, by default the open ones."""

    def run(tx: StoreTx) -> list[dict[str, Any]]:
        found = []
        for doc in _docs(tx, REVIEWS, after):
            if status is None or doc["status"] == status:
                found.append(doc)
                if len(found) >= limit:
                    break
        return found

    return store.read(run)


# -- writing ----------------------------------------------------------------------------------------


def _put_entries(tx: StoreTx, doc: dict[str, Any], new: Iterable[Entry | dict[str, Any]]) -> None:
    """Append entries to a merge (skipping records it already holds), 500 a document."""
    seen = {(e["entity"], e["written"], (e.get("original") or {}).get("id")) for e in entries(tx, doc)}
    fresh = []
    for entry in new:
        data = asdict(entry) if isinstance(entry, Entry) else entry
        key = (data["entity"], data["written"], (data.get("original") or {}).get("id"))
        if key not in seen:
            seen.add(key)
            fresh.append(data)
    for batch in chunked(fresh, ENTRIES_PER_DOC):
        doc["chunks"] = doc.get("chunks", 0) + 1
        chunk_id = f"{doc['id']}.{doc['chunks']:06d}"
        tx.put_doc(MERGE_RECORDS, chunk_id, {"id": chunk_id, "merge": doc["id"], "entries": batch})
    doc["records"] = doc.get("records", 0) + len(fresh)


def save_plan_docs(*, store: Store, merges: Iterable[PlannedMerge], reviews: Iterable[Review], refs: dict[str, str]) -> None:
    """Store what a connector run decided: its merges (or the records it added to earlier ones), reviews, refs."""
    for merge in merges:
        def run(tx: StoreTx, merge: PlannedMerge = merge) -> None:
            doc = tx.get_doc(MERGES, merge.id)
            if doc is None or doc["status"] != "active":
                if merge.existing:
                    return
                doc = {"id": merge.id, "status": "active", "survivor": merge.survivor, "merged": merge.merged,
                       "rule": merge.rule, "score": merge.score, "evidence": merge.evidence, "person": merge.person,
                       "added": merge.added, "sources": merge.sources, "at": _now(), "undone_at": None,
                       "chunks": 0, "records": 0}
            else:
                doc["sources"] = doc["sources"] + [s for s in merge.sources if s not in doc["sources"]]
            _put_entries(tx, doc, merge.entries)
            tx.put_doc(MERGES, merge.id, doc)

        store.write(run)

    def rest(tx: StoreTx) -> None:
        for review in reviews:
            known = tx.get_doc(REVIEWS, review.id)
            if known is None or known["status"] == "open":
                tx.put_doc(REVIEWS, review.id, asdict(review))
        for ref, company_id in refs.items():
            tx.put_doc(REFS, ref, {"id": ref, "company_id": company_id})

    store.write(rest)


def _all_merges(tx: StoreTx) -> list[dict[str, Any]]:
    return list(_docs(tx, MERGES))


def _follow(aliases: dict[str, str]) -> Callable[[str], str]:
    def follow(id: str) -> str:
        seen = set()
        while id in aliases and id not in seen:
            seen.add(id)
            id = aliases[id]
        return id

    return follow


def _mapper(mapping: dict[str, list[Any]], drop: set[str], follow: Callable[[str], str]) -> Callable[[str], str]:
    """Person ids of a recorded record as they are with the merges in ``drop`` undone."""

    def to(id: str) -> str:
        if id in mapping:
            target, merge = mapping[id]
            id = id if merge is not None and merge in drop else target
        return follow(id)

    return to


def _write(tx: StoreTx, upserts: dict[str, dict[str, Record]], deletes: dict[str, set[str]], source: str) -> None:
    for entity in ("interaction", "tie", "referral", "employment"):
        gone = sorted(deletes.get(entity, set()) - set(upserts.get(entity, {})))
        if gone:
            tx.delete(entity, gone)
    for entity in ("employment", "tie", "interaction", "referral"):
        items = list(upserts.get(entity, {}).values())
        for batch in chunked(items, 5000):
            records.write_batch(tx, entity, batch, source=source)


def undo(*, store: Store, id: str) -> dict[str, Any]:
    """Undo an active merge (see the module notes); returns the merge document, now ``undone``."""

    def run(tx: StoreTx) -> dict[str, Any]:
        doc = tx.get_doc(MERGES, id)
        if doc is None:
            raise NotFound("merge", id)
        if doc["status"] != "active":
            raise Conflict(f"merge {id!r} was already undone")
        everything = _all_merges(tx)
        undone = {m["id"] for m in everything if m["status"] != "active"}
        follow = _follow({m["merged"]: m["survivor"] for m in everything if m["status"] == "active" and m["id"] != id})
        candidate, survivor = doc["merged"], doc["survivor"]
        if tx.existing_ids("person", [candidate]):
            raise Conflict(f"person {candidate!r} exists again; merge it by hand instead of undoing {id!r}")
        found = tx.get_many("person", [survivor])
        people: list[Record] = [Person.model_validate(doc["person"])]
        if survivor in found:
            people.append(_without_added(found[survivor], doc, everything))  # type: ignore[arg-type]
        records.write_batch(tx, "person", people, source="connect:undo")
        upserts: dict[str, dict[str, Record]] = {}
        deletes: dict[str, set[str]] = {}
        for entry in entries(tx, doc):
            entity = entry["entity"]
            back = _mapper(entry["mapping"], undone | {id}, follow)
            now = _mapper(entry["mapping"], undone, follow)
            restored = remap(entity, entry["original"], back) if entry.get("original") else None
            if entry.get("before"):
                before = MODELS[entity].model_validate(entry["before"])
                upserts.setdefault(entity, {})[before.id] = before
            elif not entry["pre_existing"]:
                current = remap(entity, entry["original"], now) if entry.get("original") else None
                stale = {entry["written"], current.id if current else None} - {None, restored.id if restored else None}
                deletes.setdefault(entity, set()).update(stale)  # type: ignore[arg-type]
            if restored is not None:
                upserts.setdefault(entity, {})[restored.id] = restored
        _write(tx, upserts, deletes, "connect:undo")
        job_moves.rederive(tx, [survivor, candidate], source="connect:undo")
        doc.update(status="undone", undone_at=_now())
        tx.put_doc(MERGES, id, doc)
        for review in _docs(tx, REVIEWS):
            if review.get("merge_id") == id:
                tx.put_doc(REVIEWS, review["id"], {**review, "status": "open", "merge_id": None})
        return _summary(doc)

    return store.write(run)


def _without_added(person: Person, doc: dict[str, Any], everything: list[dict[str, Any]]) -> Person:
    """The survivor without what this merge added (unless another active merge added it too)."""
    others = [m for m in everything if m["status"] == "active" and m["id"] != doc["id"] and m["survivor"] == person.id]
    kept_emails = {e for m in others for e in m["added"]["emails"]}
    kept_tags = {t for m in others for t in m["added"]["tags"]}
    drop_emails = set(doc["added"]["emails"]) - kept_emails
    drop_tags = set(doc["added"]["tags"]) - kept_tags
    changes: dict[str, Any] = {"emails": [e for e in person.emails if e not in drop_emails],
                               "tags": [t for t in person.tags if t not in drop_tags]}
    if doc["added"].get("renamed_from"):
        changes["name"] = doc["added"]["renamed_from"]
    return person.model_copy(update=changes)


def _merge_in_tx(tx: StoreTx, candidate: str, survivor: str, *, rule: str, evidence: str,
                 sources: list[dict[str, Any]]) -> dict[str, Any]:
    if candidate == survivor:
        raise InvalidInput(Problem("into", "a person cannot be merged into themself"))
    found = tx.get_many("person", [candidate, survivor])
    for pid in (candidate, survivor):
        if pid not in found:
            raise NotFound("person", pid)
    merged, kept = found[candidate], found[survivor]
    assert isinstance(merged, Person) and isinstance(kept, Person)
    attempt = 0
    while tx.get_doc(MERGES, merge_id(candidate, survivor, attempt)) is not None:
        attempt += 1
    id = merge_id(candidate, survivor, attempt)
    mapping = {candidate: [survivor, id]}
    pending: list[tuple[str, Record, Record | None]] = []
    for entity in PERSON_FIELDS:
        after: str | None = None
        while True:
            page = tx.list(entity, after=after, limit=PAGE, filters={"person_id": candidate})
            pending += [(entity, r, remap(entity, r, lambda x: survivor if x == candidate else x)) for r in page]
            if len(page) < PAGE:
                break
            after = page[-1].id
    existing: dict[str, set[str]] = {}
    for entity in PERSON_FIELDS:
        ids = [m.id for e, r, m in pending if e == entity and m is not None and m.id != r.id]
        existing[entity] = tx.existing_ids(entity, ids) if ids else set()
    upserts: dict[str, dict[str, Record]] = {}
    deletes: dict[str, set[str]] = {}
    recorded = []
    for entity, record, mapped in pending:
        same = mapped is not None and mapped.id == record.id
        pre = same or (mapped is not None and mapped.id in existing[entity])
        recorded.append(Entry(entity=entity, written=mapped.id if mapped else None, pre_existing=pre,
                              original=record.model_dump(mode="json"), mapping=mapping))
        if not same:
            deletes.setdefault(entity, set()).add(record.id)
        if mapped is not None and (same or not pre):
            upserts.setdefault(entity, {})[mapped.id] = mapped
    added_emails = [e for e in merged.emails if e not in kept.emails]
    added_tags = [t for t in merged.tags if t not in kept.tags and t != records.PLACEHOLDER_TAG]
    update: dict[str, Any] = {"emails": kept.emails + added_emails, "tags": kept.tags + added_tags}
    added: dict[str, Any] = {"emails": added_emails, "tags": added_tags}
    if records.PLACEHOLDER_TAG in kept.tags and records.PLACEHOLDER_TAG not in merged.tags:
        update["name"] = merged.name
        update["tags"] = [t for t in update["tags"] if t != records.PLACEHOLDER_TAG]
        added["renamed_from"] = kept.name
    records.write_batch(tx, "person", [kept.model_copy(update=update)], source="connect:merge")
    _write(tx, upserts, deletes, "connect:merge")
    job_moves.rederive(tx, [survivor, candidate], source="connect:merge")
    tx.delete("person", [candidate])
    doc = {"id": id, "status": "active", "survivor": survivor, "merged": candidate, "rule": rule, "score": 100.0,
           "evidence": evidence, "person": merged.model_dump(mode="json"), "added": added, "sources": sources,
           "at": _now(), "undone_at": None, "chunks": 0, "records": 0}
    _put_entries(tx, doc, recorded)
    tx.put_doc(MERGES, id, doc)
    return _summary(doc)


def merge_persons(*, store: Store, person_id: str, into: str, evidence: str = "") -> dict[str, Any]:
    """Merge one stored person into another by hand; every record of ``person_id`` moves to ``into``."""
    return store.write(lambda tx: _merge_in_tx(tx, person_id, into, rule="manual", evidence=evidence,
                                                sources=[{"kind": "manual", "at": _now()}]))


def merge_review(*, store: Store, id: str, into: str) -> dict[str, Any]:
    """Decide a review item: its candidate is the person ``into`` (usually one of its options)."""

    def run(tx: StoreTx) -> dict[str, Any]:
        review = tx.get_doc(REVIEWS, id)
        if review is None:
            raise NotFound("review", id)
        if review["status"] != "open":
            raise Conflict(f"review {id!r} is already {review['status']}")
        option = next((o for o in review["options"] if o["person_id"] == into), None)
        evidence = f"{option['rule']} {option['score']}: {option['evidence']}" if option else "chosen by a reviewer"
        doc = _merge_in_tx(tx, review["candidate"]["id"], into, rule="review", evidence=evidence,
                           sources=[{"kind": review["kind"], "file": review["file"], "review": id, "at": _now()}])
        tx.put_doc(REVIEWS, id, {**review, "status": "merged", "merge_id": doc["id"], "decided_at": _now()})
        return doc

    return store.write(run)


def dismiss_review(*, store: Store, id: str) -> dict[str, Any]:
    """Decide a review item: the candidate is none of the options; they are never matched again."""

    def run(tx: StoreTx) -> dict[str, Any]:
        review = tx.get_doc(REVIEWS, id)
        if review is None:
            raise NotFound("review", id)
        if review["status"] != "open":
            raise Conflict(f"review {id!r} is already {review['status']}")
        review = {**review, "status": "dismissed", "decided_at": _now()}
        tx.put_doc(REVIEWS, id, review)
        return review

    return store.write(run)
