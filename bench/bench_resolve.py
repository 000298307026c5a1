"""Entity resolution benchmark: precision and recall of merging on a generated set with known duplicates.

A generator makes ``people`` distinct persons (names from several languages,
accents, CJK names; companies with domains) and describes each in one to four
sources, the way salespeople's exports do: a LinkedIn Connections.csv, a vCard
address book, a CRM contacts export and a mailbox. Each description is noisy:
accents dropped, ``Last, First``, a middle initial, an honorific or a
credential, a typo, a company written with another legal form, a personal
address instead of the work one, an old employer, no display name. Hard
negatives are planted on purpose: namesakes at other companies and
near-namesakes at the same company (``Jon``/``John``) with their own addresses.

The files go through the real connectors and :func:`graph_service.connectors.sync.run`
on a fresh SQLite store, in the order LinkedIn, vCard, CRM, mbox. Every person
description (a row, a card, an address) is an item whose true person is known;
the store's person it ended up as is its predicted cluster. Precision and recall
are pairwise: over all pairs of items, the pairs put in one person that are one
person, and the pairs that are one person that were put in one person. Items
left for review count as not merged.

Besides precision and recall, the result splits the true pairs by the evidence
the two descriptions share (an email or profile; a company key; nothing but a
name) and reports recall on the pairs that share any evidence, and the missed
pairs that are on the review list. Pairs that share only a name are found
transitively, through a work domain the resolver learned stands for a company
(the CJK companies' domains spell no name), by the ``personal_address`` rule (a
description with no company whose private address spells the name of the only
person so named, counted in ``merges_by_rule``), or by a reviewer.
``recall_ceiling`` is the share of true pairs joined by identity evidence, even
through other descriptions of the person: a common address or profile, or a
common company key with names similar enough to be reviewed. The rest (a mail
from a personal address, a card without company, an old employer nothing else
mentions, a CJK name beside an address that spells no name) carry nothing but
a name; ``recall_on_pairs_with_identity_evidence`` is recall on the joined ones.

Noise model (per description): accents dropped 12%, a typo in the last name 8%,
``Last, First`` 10%, a middle initial 7%, ``Dr.`` 5%, ``, MBA`` 4%, upper case
3%; a former employer for 6% of people in half of their descriptions;
LinkedIn rows carry an address 30% of the time (work or personal), vCards the
work address 70%, a personal one 40%, none 10%, and no company 7%, CRM
contacts the work address 80%, mails come from a personal
address 15% and without a display name 30%; 75% of people have a LinkedIn
profile, of which vCards carry 10%; 8% of names are Chinese. Namesakes: 3% of people share a name with
someone at another company, and a few share a near-name (Jon/John,
Katherine/Catherine) with a colleague at the same company.

Run::

    .venv/bin/python -m bench.bench_resolve --people 3000 --seeds 1,2,3,4,5,6

and read ``bench/results/resolve.json``: each seed is its own generated set,
``runs`` holds each set's figures and ``pooled`` counts the pairs of all of
them together.
"""

from __future__ import annotations

import argparse
import json
import random
import tempfile
import time
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from email.utils import format_datetime
from pathlib import Path
from typing import Any

from graph_service import records
from graph_service.connectors import crm, linkedin, mbox, sync, vcard
from graph_service.connectors.base import Plan
from graph_service.connectors.resolve import REVIEW_THRESHOLD, THRESHOLD, company_keys, name_similarity
from graph_service.model import Person
from graph_service.settings import Settings
from graph_service.store import open_store

RESULTS = Path(__file__).resolve().parent / "results" / "resolve.json"
OWNER = "bench-owner"
OWNER_EMAIL = "owner@ourco.example"
AS_OF = date(2024, 6, 1)

FIRST = ["Anna", "Jörg", "Sarah", "François", "Priya", "Lena", "Mateo", "Sofia", "Lukas", "Chloé", "Mehmet", "Aisha",
         "Olga", "Björn", "Ines", "Rahul", "Emma", "Noah", "Zoë", "Liam", "Marta", "Paweł", "Søren", "Elif", "Hiroshi",
         "Yuki", "Carlos", "Lucía", "Kofi", "Amara", "Ingrid", "Tomás", "Giulia", "Marco", "Fatima", "Omar", "Nina",
         "Jonas", "Clara", "David", "Miriam", "Ethan", "Grace", "Raj", "Ananya", "Hugo", "Léa", "Oskar", "Freya",
         "Kateřina", "Dmitri", "Svetlana", "Ahmed", "Leila", "Jon", "John", "Katherine", "Catherine", "Michael"]
LAST = ["Müller", "Schmidt", "O'Connor", "Lefèvre", "Sharma", "Nowak", "García", "Rossi", "Fischer", "Dubois", "Yılmaz",
        "Okafor", "Ivanova", "Andersson", "Fernández", "Patel", "Johnson", "Williams", "Kowalski", "Jensen", "Demir",
        "Tanaka", "Suzuki", "López", "Mensah", "Nwosu", "Larsen", "Silva", "Bianchi", "Romano", "Haddad", "Khan",
        "Weber", "Wagner", "Becker", "Hoffmann", "Novák", "Svoboda", "Popescu", "Nagy", "Kovács", "Smith", "Brown",
        "Taylor", "Martin", "Thompson", "White", "Harris", "Clark", "Lewis", "Walker", "Hall", "Young", "King",
        "Wright", "Scott", "Green", "Baker", "Adams", "Nelson", "Hill", "Campbell", "Mitchell", "Roberts", "Carter"]
CJK_FAMILY = ["王", "李", "张", "刘", "陈", "杨", "赵", "黄", "周", "吴"]
CJK_GIVEN = ["伟", "芳", "娜", "敏", "静", "磊", "洋", "勇", "艳", "杰", "娟", "涛", "明", "超", "秀英"]
COMPANY_WORDS = ["Acme", "Globex", "Initech", "Umbrella", "Stark", "Wayne", "Tyrell", "Cyberdyne", "Soylent", "Hooli",
                 "Vandelay", "Wonka", "Aperture", "Monarch", "Oscorp", "Gringotts", "Nakatomi", "Dunder", "Pied",
                 "Massive", "Northwind", "Contoso", "Fabrikam", "Tailspin", "Litware", "Adatum", "Proseware",
                 "Woodgrove", "Fourth", "Blue", "Yonder", "Alpine", "Coho", "Margie", "Trey", "Wingtip"]
COMPANY_KINDS = ["Energy", "Systems", "Logistics", "Chemicals", "Steel", "Foods", "Robotics", "Pharma", "Motors",
                 "Networks", "Grid", "Materials", "Water", "Aerospace"]
LEGAL = ["", " Inc.", " GmbH", " AG", " Ltd", " Corporation", " S.A.", ", Inc.", " LLC", " Group"]
CJK_COMPANIES = ["华为技术有限公司", "中国石化集团", "海尔集团有限公司", "比亚迪股份有限公司", "国家电网有限公司"]
TITLES = ["Head of Procurement", "CTO", "Plant Manager", "Purchasing Manager", "VP Operations", "CEO",
          "Maintenance Lead", "Project Engineer", "CFO", "Category Manager", "采购经理", "总经理"]
FREE = ["gmail.com", "outlook.com", "gmx.de", "yahoo.com", "qq.com"]


@dataclass
class TruePerson:
    index: int
    first: str
    last: str
    cjk: bool
    company: int
    email: str
    personal: str
    slug: str | None
    old_company: int | None = None

    @property
    def name(self) -> str:
        return f"{self.last}{self.first}" if self.cjk else f"{self.first} {self.last}"


@dataclass
class Company:
    base: str
    domain: str
    cjk: bool = False

    def written(self, rng: random.Random) -> str:
        return self.base if self.cjk else self.base + rng.choice(LEGAL)


@dataclass
class Dataset:
    """Files to import in order, and the true person of every item each file describes."""

    people: int
    seed: int
    files: list[tuple[str, Callable[[Path], Plan], str]] = field(default_factory=list)
    truth_by_line: dict[tuple[str, int], int] = field(default_factory=dict)
    truth_by_email: dict[str, int] = field(default_factory=dict)
    noise: Counter[str] = field(default_factory=Counter)


def _ascii(text: str) -> str:
    folded = unicodedata.normalize("NFKD", text.replace("ø", "o").replace("ß", "ss").replace("ł", "l").replace("ı", "i"))
    return "".join(c for c in folded if not unicodedata.combining(c) and c.isascii())


def _local(first: str, last: str) -> str:
    return "".join(c for c in f"{_ascii(first)}.{_ascii(last)}".lower() if c.isalnum() or c == ".")


def _typo(rng: random.Random, word: str) -> str:
    if len(word) < 5:
        return word
    i = rng.randrange(1, len(word) - 2)
    if rng.random() < 0.5:
        return word[:i] + word[i + 1] + word[i] + word[i + 2:]
    return word[:i] + rng.choice("aeiournst") + word[i + 1:]


def _companies(rng: random.Random, count: int) -> list[Company]:
    names: set[str] = set()
    found = [Company(name, f"cjk{i}.cn", cjk=True) for i, name in enumerate(CJK_COMPANIES)]
    while len(found) < count:
        name = f"{rng.choice(COMPANY_WORDS)} {rng.choice(COMPANY_KINDS)}"
        if name not in names:
            names.add(name)
            found.append(Company(name, name.lower().replace(" ", "-") + rng.choice([".com", ".de", ".io"])))
    return found


def _people(rng: random.Random, count: int, companies: list[Company]) -> list[TruePerson]:
    taken: set[tuple[str, str, int]] = set()
    emails: set[str] = set()
    people: list[TruePerson] = []
    while len(people) < count:
        index = len(people)
        cjk = rng.random() < 0.08
        company = rng.randrange(len(companies))
        if cjk:
            first, last = rng.choice(CJK_GIVEN), rng.choice(CJK_FAMILY)
        else:
            first, last = rng.choice(FIRST), rng.choice(LAST)
        if rng.random() < 0.03 and people:  # a namesake at another company
            other = rng.choice(people)
            first, last, cjk = other.first, other.last, other.cjk
            company = (other.company + 1 + rng.randrange(len(companies) - 1)) % len(companies)
        if (first, last, company) in taken:
            continue
        taken.add((first, last, company))
        domain = companies[company].domain
        local = _local(first, last) if not cjk else f"{_ascii(first) or 'x'}{index}"
        email = f"{local}@{domain}"
        if email in emails:
            email = f"{local}{index}@{domain}"
        emails.add(email)
        personal = f"{local}{rng.randrange(10, 99)}.{index}@{rng.choice(FREE)}"
        slug = f"{_local(first, last).replace('.', '-') or 'p'}-{index:x}{rng.randrange(16):x}" if rng.random() < 0.75 else None
        old = rng.randrange(len(companies)) if rng.random() < 0.06 else None
        people.append(TruePerson(index, first, last, cjk, company, email, personal, slug, old))
    return people


def _written_name(rng: random.Random, person: TruePerson, noise: Counter[str]) -> str:
    if person.cjk:
        return person.name
    first, last = person.first, person.last
    roll = rng.random()
    if roll < 0.12:
        noise["accents dropped"] += 1
        first, last = _ascii(first), _ascii(last)
    elif roll < 0.2:
        noise["typo"] += 1
        last = _typo(rng, last)
    roll = rng.random()
    if roll < 0.1:
        noise["last, first"] += 1
        return f"{last}, {first}"
    if roll < 0.17:
        noise["middle initial"] += 1
        return f"{first} {rng.choice('ABCDEJKMPR')}. {last}"
    if roll < 0.22:
        noise["honorific"] += 1
        return f"Dr. {first} {last}"
    if roll < 0.26:
        noise["credential"] += 1
        return f"{first} {last}, MBA"
    if roll < 0.29:
        noise["upper case"] += 1
        return f"{first} {last}".upper()
    return f"{first} {last}"


def _company_of(rng: random.Random, person: TruePerson, companies: list[Company], noise: Counter[str]) -> str:
    if person.old_company is not None and rng.random() < 0.5:
        noise["old employer"] += 1
        return companies[person.old_company].written(rng)
    return companies[person.company].written(rng)


def _csv(cells: list[str]) -> str:
    return ",".join('"' + c.replace('"', '""') + '"' if any(ch in c for ch in ',"\n') else c for c in cells)


def generate(*, people: int = 3000, seed: int = 1) -> Dataset:
    """Persons, their descriptions in four sources, and the truth; the files are written by :func:`evaluate`."""
    rng = random.Random(seed)
    companies = _companies(rng, max(12, people // 15))
    crowd = _people(rng, people, companies)
    for a, b in (("Jon", "John"), ("Katherine", "Catherine")):  # near-namesakes at one company
        for person in [p for p in crowd if p.first == a and not p.cjk][: max(1, people // 300)]:
            email = f"{_local(b, person.last)}.{len(crowd)}@{companies[person.company].domain}"
            crowd.append(TruePerson(len(crowd), b, person.last, False, person.company, email,
                                    f"x{len(crowd)}@gmail.com", None))
    data = Dataset(people=len(crowd), seed=seed)
    sources: dict[str, list[TruePerson]] = defaultdict(list)
    for person in crowd:
        chosen = [s for s, share in (("linkedin", 0.6), ("vcard", 0.45), ("crm", 0.45), ("mbox", 0.3))
                  if rng.random() < share]
        for source in chosen or [rng.choice(["linkedin", "vcard", "crm", "mbox"])]:
            sources[source].append(person)
    data.files = [("linkedin", _linkedin(rng, sources["linkedin"], companies, data), "Connections.csv"),
                  ("vcard", _vcard(rng, sources["vcard"], companies, data), "contacts.vcf"),
                  ("crm", _crm(rng, sources["crm"], companies, data), "contacts.csv"),
                  ("mbox", _mbox(rng, sources["mbox"], data), "inbox.mbox")]
    return data


def _linkedin(rng: random.Random, people: list[TruePerson], companies: list[Company], data: Dataset) -> Callable[[Path], Plan]:
    lines = ["Notes:", '"Some email addresses are missing."', "",
             "First Name,Last Name,URL,Email Address,Company,Position,Connected On"]
    for person in people:
        data.truth_by_line[("linkedin", len(lines) + 1)] = person.index
        name = _written_name(rng, person, data.noise)
        first, _, last = name.rpartition(" ") if " " in name else ("", "", name)
        email = rng.choice([person.email, person.personal]) if rng.random() < 0.3 else ""
        url = f"https://www.linkedin.com/in/{person.slug}" if person.slug else f"https://www.linkedin.com/in/x-{person.index}"
        lines.append(_csv([first, last, url, email, _company_of(rng, person, companies, data.noise),
                           rng.choice(TITLES), "05 Mar 2021"]))
    text = "\n".join(lines) + "\n"

    def read(folder: Path) -> Plan:
        path = folder / "Connections.csv"
        path.write_text(text, encoding="utf-8")
        return linkedin.read(path, owner=OWNER, as_of=AS_OF)

    return read


def _vcard(rng: random.Random, people: list[TruePerson], companies: list[Company], data: Dataset) -> Callable[[Path], Plan]:
    lines: list[str] = []
    for person in people:
        data.truth_by_line[("vcard", len(lines) + 1)] = person.index
        lines += ["BEGIN:VCARD", "VERSION:3.0", f"FN:{_written_name(rng, person, data.noise)}"]
        roll = rng.random()
        emails = [person.email] if roll < 0.5 else [person.personal] if roll < 0.7 else \
            [person.email, person.personal] if roll < 0.9 else []
        lines += [f"EMAIL:{e}" for e in emails]
        if rng.random() < 0.93:
            lines.append("ORG:" + _company_of(rng, person, companies, data.noise).replace(",", "\\,"))
        if person.slug and rng.random() < 0.1:
            lines.append(f"URL:https://www.linkedin.com/in/{person.slug}")
        lines.append("END:VCARD")
    text = "\r\n".join(lines) + "\r\n"

    def read(folder: Path) -> Plan:
        path = folder / "contacts.vcf"
        path.write_text(text, encoding="utf-8")
        return vcard.read(path, as_of=AS_OF)

    return read


def _crm(rng: random.Random, people: list[TruePerson], companies: list[Company], data: Dataset) -> Callable[[Path], Plan]:
    lines = ["Contact ID,Full Name,Email,Company,Title"]
    for person in people:
        data.truth_by_line[("crm", len(lines) + 1)] = person.index
        email = person.email if rng.random() < 0.8 else ""
        lines.append(_csv([f"C{person.index:06d}", _written_name(rng, person, data.noise), email,
                           _company_of(rng, person, companies, data.noise), rng.choice(TITLES)]))
    text = "\n".join(lines) + "\n"
    mapping = crm.Mapping.model_validate({"system": "bench", "contacts": {
        "key": "Contact ID", "name": "Full Name", "email": "Email", "company": "Company", "title": "Title"}})

    def read(folder: Path) -> Plan:
        path = folder / "contacts.csv"
        path.write_text(text, encoding="utf-8")
        return crm.read(path, mapping=mapping, as_of=AS_OF)

    return read


def _mbox(rng: random.Random, people: list[TruePerson], data: Dataset) -> Callable[[Path], Plan]:
    chunks = []
    for number, person in enumerate(people):
        address = person.email if rng.random() < 0.85 else person.personal
        data.truth_by_email[address] = person.index
        at = datetime(2024, 1, 1, tzinfo=timezone.utc).replace(minute=number % 60, hour=number // 60 % 24)
        name = _written_name(rng, person, data.noise) if rng.random() < 0.7 else ""
        sender = f'"{name}" <{address}>' if name else address
        chunks.append(f"From {address} Mon Jan  1 00:00:00 2024\nFrom: {sender}\nTo: {OWNER_EMAIL}\n"
                      f"Date: {format_datetime(at)}\nMessage-ID: <m{number}@bench>\n\n")
    text = "".join(chunks)

    def read(folder: Path) -> Plan:
        path = folder / "inbox.mbox"
        path.write_text(text, encoding="utf-8")
        return mbox.read(path, as_of=AS_OF)

    return read


def _similar(a: str, b: str) -> bool:
    """Names a person would take for the same at one company (similar enough at least to be reviewed)."""
    return name_similarity(a, b) >= REVIEW_THRESHOLD


def _pairs(sizes: Counter[Any]) -> int:
    return sum(n * (n - 1) // 2 for n in sizes.values())


def evaluate(data: Dataset, *, threshold: float = THRESHOLD, review_threshold: float = REVIEW_THRESHOLD) -> dict[str, Any]:
    """Import the generated files through the connectors and score the resulting persons."""
    items: list[tuple[int, str]] = []
    evidence: list[tuple[set[str], set[str]]] = []
    names: list[str] = []
    listed: set[frozenset[str]] = set()
    merges: Counter[str] = Counter()
    reviews = 0
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="bench-resolve-") as folder:
        store = open_store(Settings(store=f"sqlite:///{folder}/bench.db", env="test"))
        records.save(store=store, entity="person",
                     records=[Person(id=OWNER, name="Bench Owner", emails=[OWNER_EMAIL], internal=True)])
        for source, read, _ in data.files:
            plan = read(Path(folder))
            changes = sync.prepare(store=store, plan=plan, threshold=threshold, review_threshold=review_threshold)
            sync.apply(store=store, changes=changes)
            merges.update(m.rule for m in changes.merges if not m.existing)
            reviews += len(changes.reviews)
            listed |= {frozenset((r.candidate["id"], o["person_id"])) for r in changes.reviews for o in r.options}
            for draft in plan.persons.values():
                if source == "mbox":
                    truth = data.truth_by_email.get(draft.emails[0])
                    if truth is None:  # the owner, recognised as themself
                        continue
                else:
                    truth = data.truth_by_line[(source, draft.line)]  # type: ignore[index]
                items.append((truth, changes.mapping[draft.id][0]))
                evidence.append(({*draft.emails, *draft.profiles},
                                 company_keys([draft.company] if draft.company else [], [], draft.emails)))
                names.append(draft.name)
        store.close()
    seconds = time.perf_counter() - started
    together = _pairs(Counter(items))
    predicted = _pairs(Counter(pred for _, pred in items))
    true = _pairs(Counter(truth for truth, _ in items))
    precision = together / predicted if predicted else 1.0
    recall = together / true if true else 1.0
    wrong = defaultdict(set)
    for truth, pred in items:
        wrong[pred].add(truth)
    pairs: Counter[tuple[str, bool]] = Counter()
    for_review = 0
    by_truth: dict[int, list[int]] = defaultdict(list)
    for number, (truth, _) in enumerate(items):
        by_truth[truth].append(number)
    linked_pairs = linked_found = 0
    for members in by_truth.values():
        group = {a: a for a in members}  # descriptions joined by identity evidence, transitively

        def root(a: int) -> int:
            while group[a] != a:
                a = group[a]
            return a

        for i, a in enumerate(members):
            for b in members[i + 1:]:
                if evidence[a][0] & evidence[b][0]:
                    kind = "shared email or profile"
                elif evidence[a][1] & evidence[b][1]:
                    kind = "shared company"
                else:
                    kind = "name only (no company, email or profile in common)"
                merged = items[a][1] == items[b][1]
                pairs[(kind, merged)] += 1
                for_review += not merged and frozenset((items[a][1], items[b][1])) in listed
                if kind == "shared email or profile" or (kind == "shared company" and _similar(names[a], names[b])):
                    group[root(a)] = root(b)
        for i, a in enumerate(members):
            for b in members[i + 1:]:
                if root(a) == root(b):
                    linked_pairs += 1
                    linked_found += items[a][1] == items[b][1]
    kinds = sorted({kind for kind, _ in pairs})
    with_evidence = [k for k in kinds if not k.startswith("name only")]
    found = sum(pairs[(k, True)] for k in with_evidence)
    total = sum(pairs[(k, True)] + pairs[(k, False)] for k in with_evidence)
    return {
        "people": data.people, "items": len(items), "seed": data.seed, "threshold": threshold,
        "review_threshold": review_threshold, "true_pairs": true, "predicted_pairs": predicted,
        "correct_pairs": together, "precision": round(precision, 4), "recall": round(recall, 4),
        "f1": round(2 * precision * recall / (precision + recall), 4) if precision + recall else 0.0,
        "recall_with_evidence": round(found / total, 4) if total else 1.0,
        "pairs_without_identity_evidence": true - linked_pairs,
        "recall_ceiling": round(linked_pairs / true, 4) if true else 1.0,
        "recall_on_pairs_with_identity_evidence": round(linked_found / linked_pairs, 4) if linked_pairs else 1.0,
        "true_pairs_by_evidence": {k: pairs[(k, True)] + pairs[(k, False)] for k in kinds},
        "missed_pairs": {k: pairs[(k, False)] for k in kinds if pairs[(k, False)]},
        "missed_pairs_listed_for_review": for_review,
        "recall_after_review": round((together + for_review) / true, 4) if true else 1.0,
        "persons_joining_several_true_people": sum(len(t) > 1 for t in wrong.values()),
        "merges_by_rule": dict(merges), "review_items": reviews, "noise": dict(data.noise),
        "seconds": round(seconds, 2),
    }


def pooled(runs: list[dict[str, Any]]) -> dict[str, Any]:
    """Precision and recall over the pairs of every run together, and each run's range."""
    true = sum(run["true_pairs"] for run in runs)
    predicted = sum(run["predicted_pairs"] for run in runs)
    correct = sum(run["correct_pairs"] for run in runs)
    return {
        "seeds": [run["seed"] for run in runs],
        "precision": round(correct / predicted, 4) if predicted else 1.0,
        "recall": round(correct / true, 4) if true else 1.0,
        "precision_range": [min(run["precision"] for run in runs), max(run["precision"] for run in runs)],
        "recall_range": [min(run["recall"] for run in runs), max(run["recall"] for run in runs)],
        "goals": {"precision": 0.99, "recall": 0.95},
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--people", type=int, default=3000)
    parser.add_argument("--seeds", default="1,2,3,4,5,6", help="one generated set per seed, comma-separated")
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args()
    runs = [evaluate(generate(people=args.people, seed=int(seed))) for seed in args.seeds.split(",")]
    result = {"benchmark": "entity resolution", "when": datetime.now(timezone.utc).isoformat(timespec="seconds"),
              "pooled": pooled(runs), "runs": runs}
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(json.dumps(result["pooled"], indent=2))


if __name__ == "__main__":
    main()
