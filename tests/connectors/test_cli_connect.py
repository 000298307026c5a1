"""``sgraph connect``: imports with a summary, dry runs, merges and the review list from the command line."""

from __future__ import annotations

from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from graph_service import records
from graph_service.connectors import merges
from graph_service.cli_connect import connect_app
from graph_service.model import Company, Employment, Person
from graph_service.settings import Settings, get_settings
from graph_service.store import open_store
from graph_service.store.base import Store
from tests.connectors.test_crm import CONTACTS, SALESFORCE
from tests.connectors.test_linkedin import HEADER, NOTES, ROWS
from tests.connectors.test_merges import CARD

runner = CliRunner()


@pytest.fixture
def cli(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> typer.Typer:
    """The connect commands under a root app, on a SQLite store in ``tmp_path``, with team member Ana."""
    monkeypatch.setenv("SGRAPH_STORE", f"sqlite:///{tmp_path / 'cli.db'}")
    get_settings.cache_clear()
    app = typer.Typer()
    app.add_typer(connect_app, name="connect")
    store = the_store()
    records.save(store=store, entity="person", records=[Person(id="ana", name="Ana", emails=["ana@ourco.com"],
                                                               internal=True)])
    yield app
    get_settings.cache_clear()


def the_store() -> Store:
    return open_store(Settings())


def test_linkedin_dry_run_then_import(cli: typer.Typer, tmp_path: Path) -> None:
    export = tmp_path / "Connections.csv"
    export.write_text(NOTES + HEADER + "\n".join(ROWS) + "\n", encoding="utf-8")
    dry = runner.invoke(cli, ["connect", "linkedin", str(export), "--as", "ana", "--as-of", "2024-01-15", "--dry-run"])
    assert dry.exit_code == 0, dry.output
    assert "would change" in dry.output and "skipped 1: malformed row (lines 10)" in dry.output
    assert the_store().read(lambda tx: tx.count("person")) == 1
    done = runner.invoke(cli, ["connect", "linkedin", str(export), "--as", "ana", "--as-of", "2024-01-15"])
    assert done.exit_code == 0, done.output
    assert "0 merged, 1 for review, 0 job moves, 3 skipped" in done.output
    assert "li:ana-x 'Ana': same name, no company in common (ana)" in done.output
    assert the_store().read(lambda tx: tx.count("person")) == 8


def test_errors_exit_with_one_line(cli: typer.Typer, tmp_path: Path) -> None:
    export = tmp_path / "Connections.csv"
    export.write_text(NOTES + HEADER + ROWS[0] + "\n", encoding="utf-8")
    unknown = runner.invoke(cli, ["connect", "linkedin", str(export), "--as", "nobody"])
    assert unknown.exit_code == 3 and "exporting team member must exist" in unknown.output
    missing = runner.invoke(cli, ["connect", "merges", "undo", "m-nothing"])
    assert missing.exit_code == 4


def test_crm_and_review_commands(cli: typer.Typer, tmp_path: Path) -> None:
    mapping = tmp_path / "salesforce.toml"
    mapping.write_text(SALESFORCE, encoding="utf-8")
    contacts = tmp_path / "contacts.csv"
    contacts.write_text(CONTACTS, encoding="utf-8")
    done = runner.invoke(cli, ["connect", "crm", str(contacts), "--mapping", str(mapping)])
    assert done.exit_code == 0, done.output
    assert "person" in done.output and "skipped 4: unknown account (lines 2, 3, 6, 7)" in done.output

    store = the_store()
    records.save(store=store, entity="company", records=[Company(id="acme", name="Acme")])
    records.save(store=store, entity="person", records=[Person(id="p-jon", name="Jon Smith"),
                                                        Person(id="p-john", name="John Smith")])
    records.save(store=store, entity="employment", records=[Employment(person_id=p, company_id="acme")
                                                            for p in ("p-jon", "p-john")])
    card = tmp_path / "a.vcf"
    card.write_text(CARD, encoding="utf-8")
    imported = runner.invoke(cli, ["connect", "vcard", str(card), "--as", "ana"])
    assert "1 for review" in imported.output and "several persons with a similar name" in imported.output
    (item,) = merges.list_reviews(store=the_store())
    listed = runner.invoke(cli, ["connect", "review", "list"])
    assert listed.exit_code == 0 and "p-john" in listed.output and "Jon Smith" in listed.output
    review_id = item["id"]
    merged = runner.invoke(cli, ["connect", "review", "merge", review_id, "--into", "p-jon"])
    assert merged.exit_code == 0 and "into p-jon" in merged.output
    merge_id = merged.output.split(" as ")[1].split()[0]
    assert merge_id in runner.invoke(cli, ["connect", "merges", "list"]).output
    assert '"survivor": "p-jon"' in runner.invoke(cli, ["connect", "merges", "show", merge_id]).output
    undone = runner.invoke(cli, ["connect", "merges", "undo", merge_id])
    assert undone.exit_code == 0 and "again apart" in undone.output
