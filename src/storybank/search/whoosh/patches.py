"""Two fixes to whoosh-reloaded 2.7.5, applied when the backend is imported.

Whoosh opens each part of a segment file (postings, stored fields, columns…) as a `BufferFile` over the
memory-mapped segment, and `BufferFile.__init__` copies its whole part into a `BytesIO` at once —
though most readers only ever `get` a few bytes at a position, straight from the buffer. Every searcher
opened (a fresh process, a warm one after any commit, every writer) copied the whole index: 108 MB and
0.15 s at 10,000 stories. Here `read`, `seek` and `tell` work on the buffer itself, and the copy is made
only for what needs a real file object (unpickling, iteration).

Writing a segment, Whoosh asks the segment's length column for a document's field length once for every
posting (a seek and a read each: 740,000 of them, a sixth of indexing 1,000 stories); `add_postings`
here asks once per document and field.
"""

from __future__ import annotations

import pickle
from io import BytesIO
from typing import Any

from whoosh.codec import base
from whoosh.filedb import compound, structfile

PICKLE_WINDOW = 512  # bytes: a block header is about 30


class LazyBufferFile(structfile.BufferFile):  # type: ignore[misc]
    """Whoosh's `BufferFile`, read in place: its `BytesIO` made only when a real file object is asked."""

    def __init__(self, buf: Any, name: str | None = None, onclose: Any = None) -> None:
        self._buf = buf
        self._name = name
        self._bytes: BytesIO | None = None
        self._position = 0
        self.onclose = onclose
        self.is_real = False
        self.is_closed = False

    @property
    def file(self) -> BytesIO:
        if self._bytes is None:
            self._bytes = BytesIO(self._buf)
            self._bytes.seek(self._position)
        return self._bytes

    def read(self, size: int | None = -1) -> bytes:
        if self._bytes is not None:
            return self._bytes.read(size)
        start = self._position
        end = len(self._buf) if size is None or size < 0 else min(len(self._buf), start + size)
        if end <= start:
            return b""
        self._position = end
        return bytes(self._buf[start:end])

    def seek(self, offset: int, whence: int = 0) -> int:
        if self._bytes is not None:
            return self._bytes.seek(offset, whence)
        base = {0: 0, 1: self._position, 2: len(self._buf)}[whence]
        if base + offset < 0:
            raise ValueError(f"negative seek position {base + offset}")
        self._position = base + offset
        return self._position

    def tell(self) -> int:
        return self._bytes.tell() if self._bytes is not None else self._position

    def readline(self, size: int | None = -1) -> bytes:
        if self._bytes is not None:
            return self._bytes.readline(size)
        line = b""
        while size is None or size < 0 or len(line) < size:
            want = 256 if size is None or size < 0 else min(256, size - len(line))
            chunk = self.read(want)
            cut = chunk.find(b"\n")
            if cut >= 0:
                self._position -= len(chunk) - cut - 1
                return line + chunk[: cut + 1]
            line += chunk
            if len(chunk) < want:
                break
        return line

    def read_pickle(self) -> Any:
        """Unpickled from a small copy of what follows: Whoosh pickles each postings block's header
        (protocol 2, unframed), and `pickle.load` on this object calls `read` about 20 times for one
        (a third of reading a term's postings in a fresh process)."""
        if self._bytes is None:
            window = BytesIO(self._buf[self._position : self._position + PICKLE_WINDOW])
            try:
                value = pickle.load(window)
            except Exception:  # longer than the window (or damaged): read it as Whoosh would
                pass
            else:
                self._position += window.tell()
                return value
        return pickle.load(self)  # through `read` and `readline` above: no copy of the buffer

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


class RememberedLengths:
    """A segment's per-document reader, its field lengths remembered as they are read."""

    def __init__(self, lengths: Any) -> None:
        self._lengths = lengths
        self._known: dict[tuple[int, str], int] = {}

    def doc_field_length(self, docnum: int, fieldname: str, default: int = 0) -> int:
        key = (docnum, fieldname)
        length = self._known.get(key)
        if length is None:
            length = self._known[key] = self._lengths.doc_field_length(docnum, fieldname, default)
        return length


_add_postings = base.FieldWriter.add_postings


def add_postings(self: Any, schema: Any, lengths: Any, items: Any) -> Any:
    return _add_postings(self, schema, RememberedLengths(lengths) if lengths else lengths, items)


def apply() -> None:
    compound.BufferFile = LazyBufferFile
    base.FieldWriter.add_postings = add_postings
