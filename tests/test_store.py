"""The store checks every entry it serves, and forgets what no recent build used."""
import pytest

from lecturekit.engine.store import KEEP_BUILDS, Store


@pytest.fixture
def store(tmp_path):
    return Store(tmp_path / "store", tmp_path / "figures")


@pytest.mark.parametrize("damage", [lambda b: b[: len(b) // 2], lambda b: b[:-1] + bytes([b[-1] ^ 1]), lambda b: b""])
def test_a_damaged_entry_is_reported_dropped_and_absent(store, capsys, damage):
    store.put("results", "k", b"payload bytes")
    assert store.get("results", "k") == b"payload bytes"
    path = store.root / "results" / "k"
    path.write_bytes(damage(path.read_bytes()))
    assert store.get("results", "k") is None
    assert "damaged" in capsys.readouterr().err and not path.exists()


def test_a_blob_is_named_by_its_hash_and_checked_against_it(store, capsys):
    name = store.put_blob(b"\x89PNG...", ".png")
    assert name.endswith(".png") and store.get_blob(name) == b"\x89PNG..."
    (store.blob_root / name).write_bytes(b"\x89PNG..!")
    assert store.get_blob(name) is None and "damaged" in capsys.readouterr().err


def test_entries_no_recent_build_used_are_pruned(store):
    (store.blob_root).mkdir(parents=True)
    (store.blob_root / "README.md").write_text("not an entry")
    store.put("results", "old", b"1")
    old_blob = store.put_blob(b"old figure", ".png")
    assert store.finish_build() == 0
    for build in range(KEEP_BUILDS):
        fresh = Store(store.root, store.blob_root)
        fresh.put("results", "new", b"2")
        deleted = fresh.finish_build()
    assert deleted == 2  # the entry and the blob the first build alone used
    assert fresh.get("results", "new") == b"2" and fresh.get("results", "old") is None
    assert fresh.get_blob(old_blob) is None and (store.blob_root / "README.md").exists()


def test_entries_a_reused_lecture_relies_on_are_kept(store):
    store.put("results", "kept", b"1")
    store.finish_build()
    for build in range(KEEP_BUILDS + 1):
        fresh = Store(store.root, store.blob_root)
        fresh.mark_used(["results/kept"])
        fresh.finish_build()
    assert fresh.get("results", "kept") == b"1"


def test_tracking_collects_what_one_stage_used(store):
    store.put("results", "before", b"0")
    with store.tracking() as used:
        store.put("results", "inside", b"1")
        store.mark_used(["figure/from-a-helper"])
    assert used == {"results/inside", "figure/from-a-helper"}
