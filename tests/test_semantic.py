"""The semantic layer (`storybank[semantic]`): meaning joins the word ranking, across languages, with the
same consent re-check, filters, totals and facets; its vectors are a cache that survives touches, damage
and kill -9. Real model, real index, real files; no network."""

from __future__ import annotations

import datetime as dt
import multiprocessing
import os
import signal
import subprocess
import sys
import tempfile
import textwrap
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from helpers import REPO, needs
from storybank import StoryBank, store
from storybank.consent import hold_reason, may_use
from storybank.models import Purpose
from storybank.search import semantic
from storybank.search.backend import EngineQuery
from storybank.search.whoosh import WhooshBackend
from test_search_contract import DAYS, _load, consent_stories, write_stories

pytestmark = pytest.mark.semantic

TODAY = dt.date(2025, 6, 1)
WriteStory = Callable[..., Path]

JOB_LOST_ES = (
    "Cuando cerró la fábrica perdí el trabajo y después la casa. Dormí en el carro un invierno.\n\n"
    "Un amigo me llevó a un grupo, y un año después firmé un contrato de renta con mi propio nombre.\n"
)
JOB_LOST_EN = (
    "When the mill shut down I lost my job, then the apartment. I slept in my car for a winter.\n\n"
    "A friend drove me to a group, and a year later I signed a lease in my own name.\n"
)
GARDEN = "The garden taught me patience. Tomatoes grew taller than the fence, and I learned to wait.\n"
COOKING_ES = "Mi abuela me enseñó a cocinar frijoles. Los domingos cocinábamos juntas en su cocina.\n"
# No word of either query is in the other language's story, nor names a theme: only meaning reaches it.
QUERY_EN = "the plant closed and I ended up sleeping in my truck"
QUERY_ES = "la fábrica cerró y dormí en el carro"


@pytest.fixture(autouse=True)
def extra_installed() -> None:
    needs("The semantic extra", semantic.available(), "pip install -e '.[semantic]'")


@pytest.fixture
def write(write_story: WriteStory) -> WriteStory:
    """A story whose title and summary are its own (the helper's are shared), and no what-helped list."""

    def story(story_id: str, body: str, **changes: Any) -> Path:
        title = body.split(".")[0][:60]
        return write_story(story_id, body=body, title=title, summary=title + ".", what_helped=[], **changes)

    return story


@pytest.fixture
def bank(write: WriteStory, bank_dir: Path) -> StoryBank:
    write("la-fabrica", JOB_LOST_ES, language="es", themes=["housing", "employment"])
    write("the-mill", JOB_LOST_EN, themes=["housing", "employment"], content_warnings=[])
    write("the-garden", GARDEN, themes=["hope"], content_warnings=[])
    write("la-abuela", COOKING_ES, language="es", themes=["family"], content_warnings=[])
    return StoryBank.open(bank_dir, as_of=TODAY)


def found(bank: StoryBank, text: str, **options: Any) -> list[str]:
    return [hit.story.id for hit in bank.search(text, **options).hits]


def test_an_english_query_reaches_a_spanish_story_with_language_any(bank: StoryBank) -> None:
    assert "la-fabrica" in found(bank, QUERY_EN, language="any")


def test_a_spanish_query_reaches_an_english_story_with_language_any(bank: StoryBank) -> None:
    assert "the-mill" in found(bank, QUERY_ES, language="any")


def test_the_default_stays_the_querys_language(bank: StoryBank) -> None:
    assert found(bank, QUERY_EN) == ["the-mill"]


def test_a_story_close_only_in_meaning_is_counted_in_the_total_and_facets(bank: StoryBank) -> None:
    result = bank.search(QUERY_ES, language="any")
    assert [hit.story.id for hit in result.hits][:2] == ["la-fabrica", "the-mill"]
    assert result.total == len(result.hits) == 2
    assert result.facets == {"housing": 2, "employment": 2}


def test_an_unrelated_story_does_not_join_for_being_above_the_median(bank: StoryBank) -> None:
    assert "the-garden" not in found(bank, QUERY_EN, language="any")


def test_explain_gives_each_hits_lexical_and_semantic_rank(bank: StoryBank) -> None:
    explanation = bank.search(QUERY_ES, language="any", explain=True).explanation
    assert explanation is not None
    assert explanation["semantic"] is True
    ranks = {rank["id"]: rank for rank in explanation["ranks"]}
    assert ranks["the-mill"]["lexical"] is None  # no Spanish word is in the English story
    assert ranks["the-mill"]["semantic"] == 2
    assert ranks["la-fabrica"] == {
        "id": "la-fabrica",
        "lexical": 1,
        "semantic": 1,
    }


def test_a_withdrawn_story_is_never_found_by_meaning(
    bank: StoryBank, write_story: WriteStory, bank_dir: Path
) -> None:
    write_story("the-mill", themes=["housing"], body=JOB_LOST_EN, **{"consent.withdrawn_on": "2025-05-01"})
    result = StoryBank.open(bank_dir, as_of=TODAY).search(QUERY_ES, language="any")
    assert "the-mill" not in [hit.story.id for hit in result.hits]
    assert result.total == 1


def test_a_story_withdrawn_after_indexing_is_never_served(bank: StoryBank, write_story: WriteStory) -> None:
    bank.index()
    write_story("the-mill", themes=["housing"], body=JOB_LOST_EN, **{"consent.withdrawn_on": "2025-05-01"})
    assert "the-mill" not in found(bank, QUERY_ES, language="any")


def test_theme_filters_apply_to_stories_found_by_meaning(bank: StoryBank) -> None:
    assert found(bank, QUERY_ES, language="any", themes=["family"]) == []


def test_warning_filters_apply_to_stories_found_by_meaning(bank: StoryBank) -> None:
    assert found(bank, QUERY_EN, language="any", exclude_warnings=["overdose"]) == ["the-mill"]


def test_only_changed_stories_are_embedded_again(bank: StoryBank, write: WriteStory) -> None:
    assert sorted(bank.index().embedded) == ["la-abuela", "la-fabrica", "the-garden", "the-mill"]
    write("the-garden", GARDEN + "\nAnd I still do.\n", themes=["hope"], content_warnings=[])
    assert bank.index().embedded == ["the-garden"]


def test_a_touched_file_is_not_embedded_again(bank: StoryBank, bank_dir: Path) -> None:
    bank.index()
    path = bank_dir / "the-garden.md"
    path.write_bytes(path.read_bytes())  # a checkout or a copy: a new fingerprint, the same text
    report = bank.index()
    assert (report.indexed, report.embedded) == (["the-garden"], [])


def test_a_broken_story_file_is_not_read_again_on_every_search(bank: StoryBank, bank_dir: Path) -> None:
    (bank_dir / "broken-story.md").write_text("---\nid: [unclosed\n---\nText.\n", encoding="utf-8")
    bank.index()
    vectors = bank_dir / ".storybank" / semantic.FILE_NAME
    written = vectors.stat().st_mtime_ns
    assert "broken-story" in semantic.Vectors(bank_dir / ".storybank").known
    assert found(bank, QUERY_ES, language="any")
    assert vectors.stat().st_mtime_ns == written


def test_a_damaged_vectors_file_is_rebuilt(bank: StoryBank, bank_dir: Path) -> None:
    bank.index()
    vectors = bank_dir / ".storybank" / semantic.FILE_NAME
    vectors.write_bytes(vectors.read_bytes()[:300])
    fresh = StoryBank.open(bank_dir, as_of=TODAY)
    assert "the-mill" in found(fresh, QUERY_ES, language="any")
    assert sorted(semantic.Vectors(bank_dir / ".storybank").known) == [
        "la-abuela",
        "la-fabrica",
        "the-garden",
        "the-mill",
    ]


@pytest.mark.skipif(os.name != "posix", reason="vectors are mapped only where a mapped file can be replaced")
def test_the_vectors_are_mapped_from_their_file(bank: StoryBank, bank_dir: Path) -> None:
    import numpy as np

    bank.index()
    path = bank_dir / ".storybank" / semantic.FILE_NAME
    _blocks, matrix = semantic._read(path)
    with np.load(path, allow_pickle=False) as data:
        written = data["matrix"]
    assert isinstance(matrix, np.memmap)
    assert matrix.offset % semantic.ALIGN == 0  # else numpy copies it for every product
    assert matrix.flags.aligned
    assert np.array_equal(matrix, written)


def test_a_vectors_file_written_before_the_alignment_is_read_as_it_was(
    bank: StoryBank, bank_dir: Path
) -> None:
    import numpy as np

    bank.index()
    path = bank_dir / ".storybank" / semantic.FILE_NAME
    with np.load(path, allow_pickle=False) as data:
        arrays = {name: data[name] for name in data.files}
    for extra in range(semantic.ALIGN):  # how the file was written before: the matrix wherever it fell
        np.savez(path, unused=np.zeros(extra, dtype=np.uint8), **arrays)
        with path.open("rb") as handle, np.load(handle) as data:
            if semantic._mapped_matrix(handle, data.zip) is None:
                break
    _blocks, matrix = semantic._read(path)
    assert not isinstance(matrix, np.memmap)
    assert np.array_equal(matrix, arrays["matrix"])


@pytest.mark.skipif(os.name != "posix", reason="vectors are mapped only where a mapped file can be replaced")
def test_the_vectors_are_mapped_from_the_file_read(bank: StoryBank, bank_dir: Path) -> None:
    """Another process's write replaces the file while it is being read: the matrix is the one read."""
    import numpy as np

    bank.index()
    path = bank_dir / ".storybank" / semantic.FILE_NAME
    with path.open("rb") as handle, np.load(handle, allow_pickle=False) as data:
        arrays = {name: data[name] for name in data.files}
        newer = path.with_name("newer.npz")
        with newer.open("wb") as out:  # the same layout, other values
            others = {name: value for name, value in arrays.items() if name != "matrix"}
            semantic._save(out, others, arrays["matrix"] * 2)
        os.replace(newer, path)
        matrix = semantic._mapped_matrix(handle, data.zip)
    assert matrix is not None
    assert np.array_equal(matrix, arrays["matrix"])


def test_a_vectors_file_whose_matrix_is_cut_short_is_refused(bank: StoryBank, bank_dir: Path) -> None:
    """A matrix whose header promises more rows than the file holds is not mapped past its end."""
    import numpy as np

    bank.index()
    path = bank_dir / ".storybank" / semantic.FILE_NAME
    with np.load(path, allow_pickle=False) as data:
        arrays = {name: data[name] for name in data.files}
    rows = len(arrays["matrix"])
    with tempfile.TemporaryFile() as npy:
        np.lib.format.write_array_header_1_0(
            npy, {"descr": "<f4", "fortran_order": False, "shape": (rows + 50, semantic.DIMENSIONS)}
        )
        npy.write(arrays.pop("matrix").astype("<f4").tobytes())
        npy.seek(0)
        matrix_member = npy.read()
    with zipfile.ZipFile(path, "w", zipfile.ZIP_STORED) as archive:
        for name, value in arrays.items():
            with archive.open(f"{name}.npy", "w") as member:
                np.lib.format.write_array(member, value, allow_pickle=False)
        archive.writestr("matrix.npy", matrix_member)
    with pytest.raises(ValueError, match="cut short"):
        semantic._read(path)
    fresh = StoryBank.open(bank_dir, as_of=TODAY)
    assert "the-mill" in found(fresh, QUERY_ES, language="any")  # embedded again


def test_the_setting_turns_the_layer_off(bank: StoryBank, bank_dir: Path) -> None:
    (bank_dir / "storybank.toml").write_text("[search]\nsemantic = false\n", encoding="utf-8")
    words_only = StoryBank.open(bank_dir, as_of=TODAY)
    result = words_only.search(QUERY_ES, language="any", explain=True)
    assert [hit.story.id for hit in result.hits] == ["la-fabrica"]
    assert result.explanation is not None
    assert result.explanation["semantic"] is False


def test_the_cli_index_says_how_many_stories_it_embedded(bank: StoryBank, bank_dir: Path, run: Any) -> None:
    result = run("--bank", bank_dir, "index")
    assert result.code == 0
    assert "4 embedded" in result.out


def test_indexing_and_searching_touch_no_network(bank: StoryBank, bank_dir: Path) -> None:
    """In a fresh process (the model not loaded yet) with every socket refused."""
    script = textwrap.dedent(
        f"""
        import datetime as dt, socket

        def refuse(*args, **kwargs):
            raise OSError("network use is not allowed")

        socket.socket.connect = refuse
        socket.create_connection = refuse
        socket.getaddrinfo = refuse
        from storybank import StoryBank
        bank = StoryBank.open({str(bank_dir)!r}, as_of=dt.date(2025, 6, 1))
        assert bank.index().embedded
        hits = [hit.story.id for hit in bank.search({QUERY_ES!r}, language="any").hits]
        assert "the-mill" in hits, hits
        print("ok")
        """
    )
    env = {**os.environ, "STORYBANK_SEMANTIC": "on"}
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, env=env, check=False
    )
    assert (done.returncode, done.stdout.strip()) == (0, "ok"), done.stderr[-2000:]


def _killed_while_writing(bank_dir: str, after: str) -> None:
    """Index, killing this process (SIGKILL) when the vectors file is half written or just replaced."""
    real_replace, real_fsync = os.replace, os.fsync

    def fsync(fd: int) -> None:
        real_fsync(fd)
        if after == "fsync":
            os.kill(os.getpid(), signal.SIGKILL)

    def replace(source: Any, target: Any) -> None:
        real_replace(source, target)
        if after == "replace" and str(target).endswith(semantic.FILE_NAME):
            os.kill(os.getpid(), signal.SIGKILL)

    os.fsync, os.replace = fsync, replace  # type: ignore[assignment]
    StoryBank.open(bank_dir, as_of=TODAY).index()


@pytest.mark.parametrize("after", ["fsync", "replace"])
def test_a_kill_while_writing_vectors_leaves_a_bank_that_searches_right(
    bank: StoryBank, bank_dir: Path, write_story: WriteStory, after: str
) -> None:
    bank.index()
    write_story("the-mill", themes=["housing"], body=JOB_LOST_EN, **{"consent.withdrawn_on": "2025-05-01"})
    write_story(
        "the-orchard", themes=["housing"], content_warnings=[], body=JOB_LOST_EN.replace("mill", "orchard")
    )
    child = multiprocessing.get_context("fork").Process(
        target=_killed_while_writing, args=(str(bank_dir), after)
    )
    child.start()
    child.join(60)
    assert child.exitcode == -signal.SIGKILL
    fresh = StoryBank.open(bank_dir, as_of=TODAY)
    hits = found(fresh, QUERY_ES, language="any")
    assert "the-mill" not in hits
    assert "the-orchard" in hits
    assert not list((bank_dir / ".storybank").glob("vectors-*.tmp"))  # a killed writer's file is gone


def test_two_processes_indexing_at_once_leave_one_consistent_vectors_file(
    bank: StoryBank, bank_dir: Path
) -> None:
    env = {**os.environ, "STORYBANK_SEMANTIC": "on"}
    command = [sys.executable, "-m", "storybank", "--bank", str(bank_dir), "index"]
    runs = [
        subprocess.Popen(
            command, env=env, cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True
        )
        for _ in range(2)
    ]
    errors = [process.communicate(timeout=120)[1] for process in runs]
    assert [process.returncode for process in runs] == [0, 0], errors
    known = semantic.Vectors(bank_dir / ".storybank").known
    assert sorted(known) == ["la-abuela", "la-fabrica", "the-garden", "the-mill"]


# -- consent, at the backend (before the service re-checks each hit) ---------------------------------

BODIES = [JOB_LOST_EN, JOB_LOST_ES, GARDEN, COOKING_ES]


@st.composite
def meaning_stories(draw: st.DrawFn) -> dict[str, object]:
    return {**draw(consent_stories()), "body": draw(st.sampled_from(BODIES))}


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    stories=st.lists(meaning_stories(), min_size=2, max_size=6),
    day=DAYS,
    text=st.sampled_from([QUERY_EN, QUERY_ES, "tomatoes and patience", "mi abuela"]),
)
def test_the_engine_finds_by_meaning_only_what_the_policy_allows(
    stories: list[dict[str, object]], day: dt.date, text: str
) -> None:
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        write_stories(root, stories)
        backend = WhooshBackend(root, held=lambda story: hold_reason(story) is not None, semantic=True)
        backend.update(store.story_entries(root), lambda path: _load(path))
        loaded = {path.stem: _load(path) for path in store.story_files(root)}
        for purpose in (Purpose.SHARE, Purpose.HANDOUT):
            allowed = {sid for sid, story in loaded.items() if story and may_use(story, purpose, day)}
            request = EngineQuery(text=text, theme_boosts={}, warning_boosts={}, purpose=purpose, on=day)
            found = backend.search(request, limit=50, offset=0)
            assert {hit.id for hit in found.hits} <= allowed
            assert found.total == len(found.hits) <= len(allowed)
        backend.close()
