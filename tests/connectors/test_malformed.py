"""Mangled files never crash a connector: they are read with skips, or refused with InvalidInput."""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import date, datetime, timezone
from pathlib import Path

import pytest

from graph_service import records
from graph_service.connectors import crm, ics, linkedin, mbox, sync, vcard
from graph_service.connectors.base import Plan
from graph_service.errors import InvalidInput
from graph_service.model import Person
from graph_service.settings import Settings
from graph_service.store import open_store
from tests.connectors.test_crm import ACCOUNTS, CONTACTS, SALESFORCE
from tests.connectors.test_ics import GOOGLE, OUTLOOK
from tests.connectors.test_linkedin import HEADER, NOTES, ROWS
from tests.connectors.test_mbox import MAILBOX
from tests.connectors.test_vcard import BOOK

NOW = datetime(2024, 6, 1, tzinfo=timezone.utc)
NOISE = "äöüß王伟,;:\"'\\\x00\u200b😀\r\n=<>@" + "abcdefghijklmnopqrstuvwxyz0123456789 "


def mangle(rng: random.Random, text: str) -> str:
    """Delete, insert, duplicate and stretch characters at random places."""
    chars = list(text)
    for _ in range(rng.randrange(1, 30)):
        where = rng.randrange(len(chars) or 1)
        roll = rng.random()
        if roll < 0.3 and chars:
            del chars[where]
        elif roll < 0.6:
            chars.insert(where, rng.choice(NOISE))
        elif roll < 0.8 and chars:
            chars[where:where] = chars[rng.randrange(len(chars)):][: rng.randrange(200)]
        else:
            chars.insert(where, "x" * rng.randrange(400))
    return "".join(chars)


def readers(folder: Path) -> dict[str, tuple[str, Callable[[Path], Plan]]]:
    (folder / "mapping.toml").write_text(SALESFORCE, encoding="utf-8")
    mapping = crm.load_mapping(folder / "mapping.toml")
    return {
        "linkedin": (NOTES + HEADER + "\n".join(ROWS), lambda p: linkedin.read(p, owner="ana", as_of=date(2024, 1, 1))),
        "vcard": (BOOK, lambda p: vcard.read(p, owner="ana", as_of=date(2024, 1, 1))),
        "ics-outlook": (OUTLOOK, lambda p: ics.read(p, now=NOW)),
        "ics-google": (GOOGLE, lambda p: ics.read(p, now=NOW)),
        "mbox": (MAILBOX, lambda p: mbox.read(p)),
        "crm-contacts": (CONTACTS, lambda p: crm.read(p, mapping=mapping, table="contacts", as_of=date(2024, 1, 1))),
        "crm-accounts": (ACCOUNTS, lambda p: crm.read(p, mapping=mapping, table="accounts", as_of=date(2024, 1, 1))),
    }


@pytest.mark.parametrize("kind", ["linkedin", "vcard", "ics-outlook", "ics-google", "mbox", "crm-contacts",
                                  "crm-accounts"])
def test_mangled_files_are_skipped_or_refused(kind: str, tmp_path: Path) -> None:
    store = open_store(Settings(store=f"sqlite:///{tmp_path / 'm.db'}", env="test"))
    records.save(store=store, entity="person", records=[Person(id="ana", name="Ana", emails=["ana.lopez@ourco.com"])])
    text, read = readers(tmp_path)[kind]
    rng = random.Random(kind)
    outcomes = {"read": 0, "refused": 0}
    for number in range(80):
        path = tmp_path / f"{number}-{kind}"
        path.write_bytes(mangle(rng, text).encode("utf-8", "surrogatepass"))
        try:
            sync.run(store=store, plan=read(path), dry_run=True)
            outcomes["read"] += 1
        except InvalidInput:
            outcomes["refused"] += 1
    assert outcomes["read"] > 0
    store.close()
