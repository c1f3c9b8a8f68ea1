"""Whole columns of a Whoosh index read at once.

A fresh process reads every story's id and fingerprint (is the index current?) and each text field's
lengths (BM25) before its first search; Whoosh's readers give them one document at a time through three
layers of Python calls (0.2 s at 10,000 stories). Whoosh's own file formats are read here a column at a
time; any other reader the slow way, through the public API, with the same result.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray
from whoosh import columns, fields
from whoosh.codec import whoosh3
from whoosh.reading import IndexReader
from whoosh.util.numeric import byte_to_length

# Whoosh stores a field's length in a document as one byte; this is what each byte stands for.
_LENGTH_OF_BYTE = np.array([0] + [byte_to_length(b) for b in range(1, 256)], dtype=np.float64)


def strings(reader: IndexReader, fieldname: str) -> list[str]:
    """A text column's value for every document number of the reader (deleted documents included)."""
    values: list[str] = []
    for segment, _offset in reader.leaf_readers():
        size = segment.doc_count_all()
        raw = segment.column_reader(fieldname, translate=False) if size else None
        if isinstance(raw, columns.VarBytesColumn.Reader):
            data = raw._dbfile.get(raw._basepos, raw._length) if raw._length else b""
            offsets, lengths = raw._offsets, raw._lengths
            values += [data[offsets[d] : offsets[d] + lengths[d]].decode("utf-8") for d in range(size)]
        elif size:
            column = segment.column_reader(fieldname, translate=True)
            values += [column[docnum] for docnum in range(size)]
    return values


def numbers(segment: IndexReader, fieldname: str) -> tuple[NDArray[np.int64], NDArray[np.bool_]] | None:
    """An int NUMERIC column of one segment: every document's value in Whoosh's sortable form (the
    field's `to_column_value`, ordered as the numbers are), and which documents have one (Whoosh keeps
    the field's default for a document with none). None when the field has no column of Whoosh's own
    fixed-width format: ask Whoosh's matchers instead."""
    if fieldname not in segment.schema or not segment.has_column(fieldname):
        return None
    field = segment.schema[fieldname]
    if not isinstance(field, fields.NUMERIC) or field.numtype is not int:
        return None
    raw = segment.column_reader(fieldname, translate=False)
    if type(raw) is not columns.NumericColumn.Reader:
        return None
    dtype = np.dtype(">" + raw._typecode)
    if dtype.itemsize != raw._fixedlen:
        return None
    size = segment.doc_count_all()
    values = np.full(size, raw._default, dtype=np.int64)  # documents past the column's end have none
    count = min(raw._count, size)
    if count:
        stored = raw._dbfile.get(raw._basepos, count * raw._fixedlen)
        values[:count] = np.frombuffer(stored, dtype=dtype)
    return values, values != raw._default


def live(reader: IndexReader) -> list[int]:
    """The document numbers not deleted, segment by segment (the multi-segment reader's own
    `all_doc_ids` asks which segment each document is in, one at a time)."""
    numbers: list[int] = []
    for segment, offset in reader.leaf_readers():
        size = segment.doc_count_all()
        if segment.has_deletions():
            named = segment.segment()
            if named is not None:  # the segment's own set: not a call a document
                kept = np.ones(size, dtype=bool)
                kept[[d for d in named.deleted_docs() if d < size]] = False
            else:
                kept = np.fromiter((not segment.is_deleted(d) for d in range(size)), dtype=bool, count=size)
            numbers += (np.flatnonzero(kept) + offset).tolist()
        else:
            numbers += range(offset, offset + size)
    return numbers


def field_lengths(segment: IndexReader, fieldname: str) -> NDArray[np.float64]:
    """Each document's length in a field of one segment, as Whoosh's BM25 reads it (approximate)."""
    size = segment.doc_count_all()
    perdoc = getattr(segment, "_perdoc", None)
    if isinstance(perdoc, whoosh3.W3PerDocReader):
        column = perdoc._cached_reader(whoosh3._lenfield(fieldname), whoosh3.LENGTHS_COLUMN)
        if column is None:
            return np.zeros(size)
        if type(column) is columns.NumericColumn.Reader and column._fixedlen == 1:
            stored = np.frombuffer(column._dbfile.get(column._basepos, column._count), dtype=np.uint8)
            codes = np.zeros(size, dtype=np.uint8)  # documents past the column's end have no length
            codes[: len(stored)] = stored[:size]
            return _LENGTH_OF_BYTE[codes]
    return np.fromiter(
        (segment.doc_field_length(docnum, fieldname, 0) or 0 for docnum in range(size)),
        dtype=np.float64,
        count=size,
    )
