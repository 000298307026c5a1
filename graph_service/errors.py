"""The one exception tree of the service.

    GraphServiceError
     ├── NotFound            an id that does not exist
     ├── Conflict            a write that contradicts what is stored
     ├── InvalidInput        a request or file that breaks the rules (lists every problem)
     ├── Unauthorized        no or unknown credentials
     ├── Forbidden           known credentials without the right
     ├── RateLimited         too many requests for one key; retry later
     └── StoreUnavailable    the store cannot be reached now; retry later

Only ``api/`` maps these to HTTP statuses and only the CLI maps them to exit codes.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    """One reason an input was refused: where (line, field) and why."""

    field: str
    reason: str
    line: int | None = None

    def __str__(self) -> str:
        where = f"line {self.line}, " if self.line is not None else ""
        return f"{where}{self.field}: {self.reason}"


def problems_from_errors(errors: list[dict], line: int | None = None, skip: tuple[str, ...] = ()) -> list[Problem]:
    """Problems from pydantic's error dicts; a model-level error names its field as "field: reason"."""
    problems = []
    for error in errors:
        field = ".".join(str(part) for part in error["loc"] if part not in skip)
        reason = str(error["msg"]).removeprefix("Value error, ")
        if not field and ": " in reason:
            field, reason = reason.split(": ", 1)
        problems.append(Problem(field or "body", reason, line))
    return problems


class GraphServiceError(Exception):
    """Base of every error the service raises on purpose."""


class NotFound(GraphServiceError):
    def __init__(self, kind: str, id: str) -> None:
        super().__init__(f"{kind} {id!r} not found")
        self.kind = kind
        self.id = id


class Conflict(GraphServiceError):
    pass


class InvalidInput(GraphServiceError):
    def __init__(self, problems: list[Problem] | Problem, message: str | None = None) -> None:
        self.problems = [problems] if isinstance(problems, Problem) else list(problems)
        shown = "; ".join(str(p) for p in self.problems[:5])
        more = f" (+{len(self.problems) - 5} more)" if len(self.problems) > 5 else ""
        super().__init__(f"{message or 'invalid input'}: {shown}{more}" if shown else message or "invalid input")


class Unauthorized(GraphServiceError):
    pass


class Forbidden(GraphServiceError):
    pass


class RateLimited(GraphServiceError):
    def __init__(self, message: str, retry_after: int) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class StoreUnavailable(GraphServiceError):
    def __init__(self, message: str, retry_after: int = 5) -> None:
        super().__init__(message)
        self.retry_after = retry_after


def one_person_named(name: str, found: list[tuple[str, str]]) -> str:
    """The id of the one ``(id, name)`` found for a person's name; NotFound when none, InvalidInput when several."""
    if not found:
        raise NotFound("person", name)
    if len(found) > 1:
        raise InvalidInput([Problem("name", f"{person_name} is {person}") for person, person_name in sorted(found)],
                           f"{len(found)} persons are named {name!r}; give an id")
    return found[0][0]
