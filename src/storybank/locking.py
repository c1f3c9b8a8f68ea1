"""File locks that work on every platform (filelock), imported when a lock is first taken: importing
filelock costs a fresh process about 30 ms, and a search takes no lock."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from pathlib import Path


@contextlib.contextmanager
def locked(path: Path, timeout: float, busy: Callable[[], Exception] | None = None) -> Iterator[None]:
    """Hold the lock file at `path`, waiting up to `timeout` seconds for it; when the wait runs out,
    raise `busy()` (or filelock's Timeout when there is no `busy`)."""
    import filelock

    lock = filelock.FileLock(path, timeout=timeout)
    try:
        lock.acquire()
    except filelock.Timeout:
        if busy is None:
            raise
        raise busy() from None
    try:
        yield
    finally:
        lock.release()
