"""Backup and restore of the whole graph in a documented, versioned format.

Format ``sgraph-backup`` version 1: JSON Lines. The first line is the header
``{"format": "sgraph-backup", "version": 1, "created_at": ...}``; every other line is
``{"entity": KIND, "record": {...}}`` with a record as the API returns it. Kinds come in
dependency order (persons, companies, employments, ties, interactions, referrals), so a
restore can stream. Job moves are not written: they are derived again from employments
on restore (keeping the same ids). Service metadata (keys, audit, webhooks) is not part
of a graph backup.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import datetime, timezone
from pathlib import Path
from typing import IO

from graph_service.errors import InvalidInput, Problem
from graph_service.importing.bulk import import_records
from graph_service.model import ENTITY_MODELS, Record
from graph_service.store.base import Store, scan_all

FORMAT = "sgraph-backup"
VERSION = 1
ORDER = ("person", "company", "employment", "tie", "interaction", "referral")


def export_graph(*, store: Store, out: IO[str]) -> dict[str, int]:
    """Write every record; returns counts by kind."""
    header = {"format": FORMAT, "version": VERSION, "created_at": datetime.now(timezone.utc).isoformat()}
    out.write(json.dumps(header) + "\n")
    counts = dict.fromkeys(ORDER, 0)
    for entity in ORDER:
        for record in scan_all(store, entity):
            out.write(json.dumps({"entity": entity, "record": record}, ensure_ascii=False, sort_keys=True) + "\n")
            counts[entity] += 1
    return counts


def _records(path: Path, entity: str) -> Iterator[Record]:
    model = ENTITY_MODELS[entity]
    with open(path, encoding="utf-8") as handle:
        next(handle)
        for line in handle:
            item = json.loads(line)
            if item["entity"] == entity:
                yield model.model_validate(item["record"])


def _check_header(path: Path) -> None:
    with open(path, encoding="utf-8") as handle:
        try:
            header = json.loads(handle.readline())
        except json.JSONDecodeError:
            header = {}
    if not isinstance(header, dict) or header.get("format") != FORMAT:
        raise InvalidInput(Problem("file", f"not an {FORMAT} file"))
    if header.get("version") != VERSION:
        raise InvalidInput(Problem("version", f"version {header.get('version')!r} is not supported (expected {VERSION})"))


def restore_graph(*, store: Store, path: Path, batch_size: int = 10_000) -> dict[str, int]:
    """Load a backup into a store (upserts by id: restoring twice changes nothing)."""
    _check_header(path)
    return {
        entity: import_records(store=store, entity=entity, records_in=_records(path, entity), batch_size=batch_size,
                               source="restore").rows
        for entity in ORDER
    }
