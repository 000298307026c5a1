"""What every ``sgraph`` command shares: the consoles, error handling and progress bars."""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable
from typing import Any, TypeVar

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from graph_service.errors import (
    Conflict,
    Forbidden,
    GraphServiceError,
    InvalidInput,
    NotFound,
    RateLimited,
    StoreUnavailable,
    Unauthorized,
)
from graph_service.settings import get_settings
from graph_service.store import open_store
from graph_service.store.base import Store

out = Console()
err = Console(stderr=True, soft_wrap=True)

EXIT_CODES: list[tuple[type[GraphServiceError], int]] = [
    (InvalidInput, 3), (NotFound, 4), (Conflict, 5), (Unauthorized, 6), (Forbidden, 6),
    (RateLimited, 7), (StoreUnavailable, 7),
]
F = TypeVar("F", bound=Callable[..., Any])


def exits_cleanly(fn: F) -> F:
    """Turn service errors into one line on stderr and an exit code."""

    @functools.wraps(fn)
    def run(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except GraphServiceError as error:
            code = next((code for kind, code in EXIT_CODES if isinstance(error, kind)), 1)
            err.print(f"error: {error}", highlight=False, markup=False)
            if isinstance(error, InvalidInput) and len(error.problems) > 1:
                for problem in error.problems[:50]:
                    err.print(f"  {problem}", highlight=False, markup=False)
            raise typer.Exit(code) from None

    return run  # type: ignore[return-value]


def store() -> Store:
    return open_store(get_settings())


def progress_bar(label: str) -> Progress:
    return Progress(TextColumn(label), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(), console=err,
                    disable=not sys.stderr.isatty())
