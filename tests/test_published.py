"""The previous site's files are reused only while they hold exactly what they held when published."""
import hashlib
import os

from lecturekit.engine.published import PreviousSite
from lecturekit.engine.site import publish
from lecturekit.engine.store import Store


def sha(data):
    return hashlib.sha256(data).hexdigest()


def published_site(tmp_path, files):
    store = Store(tmp_path / "store")
    publish(tmp_path / "site", files, PreviousSite(tmp_path / "site", store))
    return PreviousSite(tmp_path / "site", store)


def test_an_untouched_file_is_known_without_reading_it(tmp_path, monkeypatch):
    previous = published_site(tmp_path, {"a/fig.png": b"figure bytes"})
    monkeypatch.setattr("builtins.open", lambda *a, **k: (_ for _ in ()).throw(AssertionError("read")))
    assert previous.copy("a/fig.png", sha(b"figure bytes")) is not None


def test_an_edit_is_seen_even_with_its_size_and_modification_time_put_back(tmp_path):
    previous = published_site(tmp_path, {"a/fig.png": b"figure bytes"})
    path = tmp_path / "site" / "a" / "fig.png"
    info = os.stat(path)
    path.write_bytes(b"FIGURE BYTES")
    os.utime(path, ns=(info.st_atime_ns, info.st_mtime_ns))
    assert previous.copy("a/fig.png", sha(b"figure bytes")) is None
    assert previous.copy("a/fig.png", sha(b"FIGURE BYTES")) is not None  # checked by its content


def test_a_file_with_another_link_or_mode_is_not_reused(tmp_path):
    previous = published_site(tmp_path, {"x.html": b"<p>x</p>", "y.html": b"<p>y</p>"})
    os.link(tmp_path / "site" / "x.html", tmp_path / "elsewhere.html")
    os.chmod(tmp_path / "site" / "y.html", 0o600)
    assert previous.copy("x.html", sha(b"<p>x</p>")) is None and previous.copy("y.html", sha(b"<p>y</p>")) is None


def test_republishing_links_unchanged_files_and_leaves_each_with_one_link(tmp_path):
    files = {"a/fig.png": b"figure bytes", "index.html": b"<p>home</p>"}
    previous = published_site(tmp_path, files)
    inode = os.stat(tmp_path / "site" / "a" / "fig.png").st_ino
    publish(tmp_path / "site", {**files, "index.html": b"<p>new home</p>"}, previous)
    info = os.stat(tmp_path / "site" / "a" / "fig.png")
    assert info.st_ino == inode and info.st_nlink == 1
    assert (tmp_path / "site" / "index.html").read_bytes() == b"<p>new home</p>"


def test_a_site_that_is_already_right_is_left_alone_and_a_stray_file_is_not(tmp_path):
    files = {"a/fig.png": b"figure bytes", "index.html": b"<p>home</p>"}
    previous = published_site(tmp_path, files)
    before = os.stat(tmp_path / "site" / "index.html")
    assert publish(tmp_path / "site", files, previous) is False
    assert os.stat(tmp_path / "site" / "index.html").st_ctime_ns == before.st_ctime_ns
    (tmp_path / "site" / "stray.html").write_text("not the course's")
    assert publish(tmp_path / "site", files, PreviousSite(tmp_path / "site", previous.store)) is True
    assert not (tmp_path / "site" / "stray.html").exists()
