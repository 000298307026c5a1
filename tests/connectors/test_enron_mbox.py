"""The Enron emails re-expressed as mbox headers: per-pair interaction counts equal those of emails.csv.

See :mod:`tests.connectors.enron` for the re-expression and the definition of a
pair count (emails in which two persons appear as sender and recipient).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from graph_service import records
from graph_service.connectors import mbox, sync
from graph_service.model import Person
from graph_service.store.base import Store
from tests.connectors import enron
from tests.connectors.conftest import rows



@pytest.fixture(scope="module")
def enron_mbox(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("enron") / "enron.mbox"
    enron.write_mbox(path)
    return path


def test_mbox_holds_headers_only(enron_mbox: Path) -> None:
    text = enron_mbox.read_text(encoding="utf-8")
    assert text.count("\nMessage-ID: ") + text.startswith("Message-ID") == len(enron.emails())
    assert "Subject:" not in text


def test_known_people_recognised_by_email(store: Store, enron_mbox: Path) -> None:
    """The employees are known first (every mailbox on their person): each address is recognised, none merged."""
    people = [Person.model_validate(p) for p in enron.preloaded_people()]
    records.save(store=store, entity="person", records=people)
    summary = sync.run(store=store, plan=mbox.read(enron_mbox))

    assert summary.created["person"] == 0 and summary.merged == 0 and summary.review == 0
    expected = enron.expected_pair_counts()
    got = enron.graph_pair_counts(rows(store, "interaction"), rows(store, "person"))
    assert got == expected
    assert (sum(expected.values()), len(expected)) == (34_403, 1_788)


def test_empty_store_merges_one_persons_mailboxes_by_name(store: Store, enron_mbox: Path) -> None:
    """Nobody is known: the mailboxes of one person (same display name, same domain) are merged by name."""
    summary = sync.run(store=store, plan=mbox.read(enron_mbox))

    persons = rows(store, "person")
    assert len(persons) == len({enron.person_of_mailbox()[e.split("@")[0]] for p in persons for e in p["emails"]})
    assert summary.merged == sum(len(p["emails"]) - 1 for p in persons) > 30
    assert sorted(r["name"] for r in summary.reviews) == ["Juan Hernandez", "M. Smith", "Mark Mcconnell"], \
        "near names spelled by addresses (judy.hernandez, matt.smith, mike.mcconnell) are listed for review, never merged"
    assert enron.graph_pair_counts(rows(store, "interaction"), persons) == enron.expected_pair_counts()
