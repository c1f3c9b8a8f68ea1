"""When the index must look at the story files again: after this process's own writes, when the file
system reports a change to a story file (watchfiles, in a daemon thread), and otherwise every second.

A warm process (`serve`, a library user that keeps a bank open) then answers searches without a stat of
every file (0.1 s at 10,000 stories, 2 s at 50,000): the thread counts the changes it is told of, and a
search only checks the files when the count moved. Where events cannot be had (watchfiles missing, a
file system that gives none), the timed check stays. The watch may miss what it is never told (another
machine writing to a network share), so the thread also compares the files with the index every
`SAFETY_SECONDS`, off the query path. None of this replaces the consent re-check of every served hit.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from pathlib import Path

from storybank.store import is_story_file_name

log = logging.getLogger("storybank")

TIMED_SECONDS = 1.0  # without a watch: a warm process checks the files this often
SAFETY_SECONDS = 10.0  # with a watch: the thread compares the files with the index this often
WAKE_MS = 250  # the thread's longest sleep (so it starts, and stops, within this)
STEP_MS = 20  # after an event, how long the thread waits for more before counting them as one change
DEBOUNCE_MS = 200  # the longest a burst of events is gathered before it counts
MAX_NAMED = 1000  # changed stories named one by one; past this a check lists the whole folder anyway


class FolderWatch:
    """Counts changes to the story files directly in a folder, from file-system events, and names the
    stories changed.

    `changes` only grows; `trusted` says the watch is running and has been since before the last
    change it may have missed. `stale` is asked every SAFETY_SECONDS from the thread: a True answer
    counts as a change to stories it cannot name.
    """

    def __init__(self, folder: Path, stale: Callable[[], bool]) -> None:
        self.folder = folder
        self.changes = 0
        self._named: set[str] | None = set()  # story ids changed since the last `take`; None: unknown
        self._lock = threading.Lock()
        self._stale = stale
        self._ready = threading.Event()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name=f"storybank-watch {folder}", daemon=True)
        self._thread.start()

    @property
    def trusted(self) -> bool:
        return self._ready.is_set() and self._thread.is_alive()

    def wait_ready(self, timeout: float = 5.0) -> bool:
        """Block until the watch is running (tests, and `serve` at start); False if it never was."""
        return self._ready.wait(timeout) and self._thread.is_alive()

    def stop(self) -> None:
        self._stop.set()

    def take(self) -> tuple[int, set[str] | None]:
        """The count, and the stories changed since the last `take` (None when they cannot be named)."""
        with self._lock:
            named, self._named = self._named, set()
            return self.changes, named

    def _changed(self, story_ids: set[str] | None) -> None:
        with self._lock:
            self.changes += 1
            if story_ids is None or self._named is None or len(self._named) + len(story_ids) > MAX_NAMED:
                self._named = None
            else:
                self._named |= story_ids

    def _run(self) -> None:
        try:
            from watchfiles import watch  # 60 ms to import: only a warm process pays it
        except ImportError:
            log.debug("watchfiles is not installed: the story files are checked every %ss", TIMED_SECONDS)
            return
        compared_at = time.monotonic()
        try:
            for events in watch(
                self.folder,
                watch_filter=lambda _change, path: is_story_file_name(Path(path).name),
                debounce=DEBOUNCE_MS,
                step=STEP_MS,
                rust_timeout=WAKE_MS,
                yield_on_timeout=True,
                stop_event=self._stop,
                recursive=False,  # the index lives in .storybank/ below: its writes are not changes
                raise_interrupt=False,
            ):
                # The watch was set up before the first yield, so from here on nothing is missed.
                if events:
                    self._changed({Path(path).name[:-3] for _change, path in events})
                self._ready.set()
                if time.monotonic() - compared_at >= SAFETY_SECONDS:
                    compared_at = time.monotonic()
                    if self._stale():
                        self._changed(None)
        except Exception as error:  # a watch that fails leaves the timed check
            log.debug(
                "watching %s stopped (%s): the story files are checked every %ss",
                self.folder,
                error,
                TIMED_SECONDS,
            )
        finally:
            self._ready.clear()


class Freshness:
    """Whether a check of the files is due, for one index in one process.

    A check is due when none ran yet, after `expire()` (this process wrote), when the watch counted a
    change since the last check, and — without a trusted watch — when the last check is older than
    `max_age`. The watch starts at the second check: a one-shot command never pays for it.
    """

    def __init__(self, folder: Path, stale: Callable[[], bool], *, watch: bool = True) -> None:
        self._folder = folder
        self._stale = stale
        self._watching = watch
        self.watch: FolderWatch | None = None
        self._checked_at: float | None = None
        self._seen: int | None = None  # the watch's count when the last check began, if it was trusted
        self._checks = 0

    def expire(self) -> None:
        self._checked_at = None

    def due(self, max_age: float) -> bool:
        if self._checked_at is None:
            return True
        if self.watch is not None and self._seen is not None and self.watch.trusted and max_age > 0:
            return self.watch.changes != self._seen
        return time.monotonic() - self._checked_at >= max_age

    def begin(self) -> tuple[Callable[[], None], set[str] | None]:
        """Note that a check begins (take the count first: a change during the check is seen next time);
        call the function this returns when the files have been compared. With it come the stories
        that changed since the last check, when the watch can name them all (then only their files need
        a look), else None: list the whole folder."""
        self._checks += 1
        if self._checks == 2:
            self.start_watching()
        watch = self.watch
        seen, named = watch.take() if watch is not None and watch.trusted else (None, None)
        if self._seen is None or self._checked_at is None:
            named = None  # the last check was not trusted, failed, or this process wrote: look at all
        self._seen = None  # until this check is done: one that fails leaves the next to look at all
        started = time.monotonic()

        def done() -> None:
            self._checked_at = started
            self._seen = seen

        return done, named

    def start_watching(self) -> FolderWatch | None:
        """Start the watch now (a server, as it starts) rather than at the second check."""
        if self._watching and self.watch is None:
            self.watch = FolderWatch(self._folder, self._stale)
        return self.watch

    def stop(self) -> None:
        if self.watch is not None:
            self.watch.stop()
            self.watch = None
        self._checks = 0  # a bank closed and used again starts its watch again at its second check
