"""Mailboxes: emails as interactions from headers only; lists, bulk and no-reply senders left out."""

from __future__ import annotations

from pathlib import Path

import pytest

from graph_service.connectors import mbox, sync
from graph_service.errors import InvalidInput
from graph_service.store.base import Store
from tests.connectors.conftest import TEAM_EMAIL, by_id, person_named, rows

SECRET = "QUARTERLY-PRICE-7731"
"""Appears only in bodies; must never reach the store."""


def message(headers: list[str], body: str = f"Our offer: {SECRET}\nFrom the desk of Ana\n") -> str:
    escaped = "\n".join(">" + line if line.startswith("From ") else line for line in body.splitlines())
    return "From sender@example.org Mon Mar 11 09:00:00 2024\n" + "\n".join(headers) + "\n\n" + escaped + "\n\n"


MAILBOX = "".join([
    message([f"From: =?utf-8?q?Ana_L=C3=B3pez?= <{TEAM_EMAIL}>",
             'To: "Müller, Jörg" <Joerg.Mueller@siemens-energy.com>',
             "Cc: =?utf-8?b?546L5Lyf?= <wang.wei@huawei.com>, sarah.oconnor@acme.com",
             "Date: Mon, 11 Mar 2024 10:00:00 +0100",
             "Message-ID: <offer-1@ourco.com>",
             "Subject: Offer"]),
    message(['From: "Müller, Jörg" <joerg.mueller@siemens-energy.com>',
             f"To: {TEAM_EMAIL}",
             "Date: Tue, 12 Mar 2024 08:30:00 -0000",
             "Message-ID: <re-offer-1@siemens-energy.com>",
             "In-Reply-To: <offer-1@ourco.com>"]),
    message([f"From: Ana López <{TEAM_EMAIL}>",
             "Bcc: sarah.oconnor@acme.com",
             "Date: Wed, 13 Mar 2024 17:45:00 -0500",
             "Message-ID: <bcc-only@ourco.com>"]),
    message(["From: Hannover Messe <news@hannover-messe.de>",
             f"To: {TEAM_EMAIL}",
             "List-Id: <visitors.hannover-messe.de>",
             "List-Unsubscribe: <mailto:leave@hannover-messe.de>",
             "Date: Wed, 13 Mar 2024 10:00:00 +0100"]),
    message(["From: Siemens Energy <no-reply@siemens-energy.com>",
             f"To: {TEAM_EMAIL}",
             "Date: Wed, 13 Mar 2024 10:00:00 +0100"]),
    message(["From: Acme Newsletter <marketing@acme.com>",
             f"To: {TEAM_EMAIL}",
             "Precedence: bulk",
             "Date: Wed, 13 Mar 2024 10:00:00 +0100"]),
    message(["From: Jörg Müller <joerg.mueller@siemens-energy.com>",
             f"To: {TEAM_EMAIL}",
             "Auto-Submitted: auto-replied",
             "Subject: Out of office",
             "Date: Wed, 13 Mar 2024 10:00:00 +0100"]),
    message([f"From: {TEAM_EMAIL}",
             "To: sarah.oconnor@acme.com",
             "Date: sometime last week"]),
    message(["From: <<<broken",
             f"To: {TEAM_EMAIL}",
             "Date: Wed, 13 Mar 2024 10:00:00 +0100"]),
    message([f"From: {TEAM_EMAIL}",
             f"To: Ana <{TEAM_EMAIL}>",
             "Date: Wed, 13 Mar 2024 10:00:00 +0100",
             "Subject: note to self"]),
])

OTHER_COPY = message(['From: "Müller, Jörg" <joerg.mueller@siemens-energy.com>',
                      f"To: Ana López <{TEAM_EMAIL}>",
                      "Date: Tue, 12 Mar 2024 08:30:00 +0000",
                      "Message-ID: <re-offer-1@siemens-energy.com>"])


def mailbox_file(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_headers_become_email_interactions(store: Store, team: str, tmp_path: Path) -> None:
    plan = mbox.read(mailbox_file(tmp_path, "ana.mbox", MAILBOX), owner=team)
    summary = sync.run(store=store, plan=plan)

    assert summary.skipped == {"mailing list": 2, "no-reply sender": 1, "automatic message": 1,
                               "no readable date": 1, "no readable sender": 1, "no recipient other than the sender": 1}
    joerg = person_named(store, "Müller, Jörg")["id"]
    wang = person_named(store, "王伟")["id"]
    sarah = [p for p in rows(store, "person") if p["emails"] == ["sarah.oconnor@acme.com"]][0]
    assert sarah["name"] == "Sarah Oconnor", "no display name: a name made up from the address"
    emails = sorted((i["at"], i["initiator"], i["participants"], i["cc"], i["subject"]) for i in rows(store, "interaction"))
    assert emails == [
        ("2024-03-11T09:00:00Z", team, [joerg], sorted([wang, sarah["id"]]), ""),
        ("2024-03-12T08:30:00Z", joerg, [team], [], ""),
        ("2024-03-13T22:45:00Z", team, [sarah["id"]], [], ""),  # Bcc only: the copied become the participants
    ]
    assert all(i["type"] == "email" and i["source"] == "sales_accounts" for i in rows(store, "interaction"))
    assert summary.created["person"] == 3 and summary.merged == 0


def test_bodies_never_reach_the_store(store: Store, team: str, tmp_path: Path) -> None:
    sync.run(store=store, plan=mbox.read(mailbox_file(tmp_path, "ana.mbox", MAILBOX), owner=team))
    if store.url.startswith("sqlite"):
        database = Path(store.url.removeprefix("sqlite:///"))
        stored = b"".join(p.read_bytes() for p in database.parent.glob(database.name + "*"))
        assert SECRET.encode() not in stored and b"Offer" not in stored
    assert not any(SECRET in str(row) for entity in ("interaction", "person") for row in rows(store, entity))


def test_the_same_email_in_two_mailboxes_is_one_interaction(store: Store, team: str, tmp_path: Path) -> None:
    sync.run(store=store, plan=mbox.read(mailbox_file(tmp_path, "ana.mbox", MAILBOX), owner=team))
    before = by_id(store, "interaction")
    summary = sync.run(store=store, plan=mbox.read(mailbox_file(tmp_path, "joerg.mbox", OTHER_COPY)))
    assert summary.created["interaction"] == 0 and summary.unchanged["interaction"] == 1
    assert by_id(store, "interaction") == before
    again = sync.run(store=store, plan=mbox.read(mailbox_file(tmp_path, "ana.mbox", MAILBOX), owner=team))
    assert again.total_created == again.total_updated == 0


def test_not_a_mailbox(tmp_path: Path) -> None:
    with pytest.raises(InvalidInput, match="not an mbox"):
        mbox.read(mailbox_file(tmp_path, "x.mbox", "Subject: hi\n\nbody\n"))
