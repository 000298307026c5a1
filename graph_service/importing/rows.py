"""Reading import files into validated records, row by row, in constant memory.

CSV: a header of field names; list fields (emails, tags, participants, cc) joined
with ";"; an empty cell means "not given". JSON Lines: one JSON object per line.
Both must be UTF-8.
"""

from __future__ import annotations

import csv
import functools
import json
import sys
import typing
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from graph_service.errors import InvalidInput, Problem, problems_from_errors

csv.field_size_limit(sys.maxsize)

FORMATS = ("csv", "jsonl")


def detect_format(path: Path, given: str | None) -> str:
    fmt = given or {".csv": "csv", ".jsonl": "jsonl", ".ndjson": "jsonl", ".json": "jsonl"}.get(path.suffix.lower())
    if fmt not in FORMATS:
        raise InvalidInput(Problem("format", f"cannot tell the format of {path.name}; use one of {', '.join(FORMATS)}"))
    return fmt


@functools.cache
def _list_fields(model: type[BaseModel]) -> frozenset[str]:
    return frozenset(
        name for name, field in model.model_fields.items() if typing.get_origin(field.annotation) is list
    )


def header_problems(model: type[BaseModel], columns: list[str] | None) -> list[Problem]:
    """A CSV header must name only known fields and every required one."""
    if not columns:
        return [Problem("file", "empty: a CSV file needs a header line", 1)]
    unknown = [c for c in columns if c not in model.model_fields]
    required = [n for n, f in model.model_fields.items() if f.is_required() and n not in columns]
    return [Problem(c, "unknown column", 1) for c in unknown] + [Problem(n, "required column missing", 1) for n in required]


def raw_rows(path: Path, fmt: str, model: type[BaseModel]) -> Iterator[tuple[int, dict[str, Any] | str | Problem]]:
    """(line number, raw row or the problem that made it unreadable); a JSON line is left as text."""
    with open(path, encoding="utf-8", newline="") as handle:
        try:
            if fmt == "csv":
                reader = csv.DictReader(handle)
                problems = header_problems(model, list(reader.fieldnames or []))
                if problems:
                    yield from ((1, problem) for problem in problems)
                    return
                for row in reader:
                    if None in row:
                        yield reader.line_num, Problem("row", "more cells than the header has columns")
                    else:
                        yield reader.line_num, row
            else:
                for number, line in enumerate(handle, start=1):
                    if line.strip():
                        yield number, line
        except UnicodeDecodeError as err:
            yield -1, Problem("file", f"not UTF-8 text (byte {err.start})")
        except csv.Error as err:
            yield -1, Problem("file", f"malformed CSV: {err}")


def from_csv_cells(model: type[BaseModel], row: dict[str, Any]) -> dict[str, Any]:
    """Turn CSV cells into model input: empty cells dropped, list fields split on ';'."""
    lists = _list_fields(model)
    data: dict[str, Any] = {}
    for key, value in row.items():
        if value is None or value == "":
            continue
        data[key] = [item.strip() for item in value.split(";") if item.strip()] if key in lists else value
    return data


def json_object_problem(text: str) -> Problem | None:
    """Why a line is not a JSON object, if it is not."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as err:
        return Problem("row", f"not valid JSON: {err.msg}")
    return None if isinstance(data, dict) else Problem("row", "must be a JSON object")


def parse(model: type[BaseModel], path: Path, fmt: str) -> Iterator[tuple[int, BaseModel | list[Problem]]]:
    """Validated records or their problems, with line numbers.

    A JSON line is validated straight from its text (pydantic-core parses it); only a
    line that fails is parsed again, to tell malformed JSON from invalid fields.
    """
    for line, raw in raw_rows(path, fmt, model):
        if isinstance(raw, Problem):
            yield line, [Problem(raw.field, raw.reason, None if line < 0 else line)]
        else:
            yield line, _validate(model, raw, line)


def _validate(model: type[BaseModel], raw: dict[str, Any] | str, line: int) -> BaseModel | list[Problem]:
    try:
        if isinstance(raw, str):
            return model.model_validate_json(raw)
        return model.model_validate(from_csv_cells(model, raw))
    except ValidationError as err:
        unreadable = json_object_problem(raw) if isinstance(raw, str) else None
        if unreadable:
            return [Problem(unreadable.field, unreadable.reason, line)]
        return problems_from_errors(err.errors(), line)
