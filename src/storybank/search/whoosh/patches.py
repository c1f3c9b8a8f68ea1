"""A fix to whoosh-reloaded 2.7.5, applied when the backend is imported.

Whoosh opens each part of a segment file (postings, stored fields, columns…) as a `BufferFile` over the
memory-mapped segment, and `BufferFile.__init__` copies its whole part into a `BytesIO` at once —
though most readers only ever `get` a few bytes at a position, straight from the buffer. Every searcher
opened (a fresh process, and a warm one after any commit) copied the whole index: 108 MB and 0.15 s at
10,000 stories. Here the copy is made only when a reader asks for file-like access (`read`, `seek`…).
"""

from __future__ import annotations

from io import BytesIO
from typing import Any

from whoosh.filedb import compound, structfile


class LazyBufferFile(structfile.BufferFile):  # type: ignore[misc]
    """Whoosh's `BufferFile`, with its `BytesIO` made on first file-like use, not at once."""

    def __init__(self, buf: Any, name: str | None = None, onclose: Any = None) -> None:
        self._buf = buf
        self._name = name
        self._bytes: BytesIO | None = None
        self.onclose = onclose
        self.is_real = False
        self.is_closed = False

    @property
    def file(self) -> BytesIO:
        if self._bytes is None:
            self._bytes = BytesIO(self._buf)
        return self._bytes

    @file.setter
    def file(self, value: BytesIO) -> None:
        self._bytes = value

    def subset(self, position: int, length: int, name: str | None = None) -> LazyBufferFile:
        return LazyBufferFile(self.get(position, length), name=name or self._name)

    def close(self) -> None:
        if self.is_closed:
            raise Exception("This file is already closed")
        if self.onclose:
            self.onclose(self)
        if self._bytes is not None:
            self._bytes.close()
        self.is_closed = True


def apply() -> None:
    compound.BufferFile = LazyBufferFile
