"""Pausing Python's cyclic garbage collector around work that makes many containers and no garbage cycles."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def paused() -> Iterator[None]:
    """No cyclic collection inside: each would walk every container made so far (a graph's millions, a
    batch of records) and find nothing. Reference counting still frees what is dropped; the collector
    resumes on leaving if it was running on entering."""
    collecting = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if collecting:
            gc.enable()
