"""A build as one file for replicas: `directory build --artifact` and `directory install-build`."""

from __future__ import annotations

import functools
import http.server
import io
import json
import socket
import tarfile
import threading
from pathlib import Path

import pytest

from directory.build import artifact
from directory.web.app import create_app
from tests.conftest import FIXTURE_DATA, FROZEN_NOW
from tests.test_cli import run

# Taken before the no_network fixture replaces them: this file's server is on loopback only.
REAL_CONNECT, REAL_CREATE_CONNECTION = socket.socket.connect, socket.create_connection


@pytest.fixture
def packed(tmp_path, instance, data_dir):
    result = run(instance, "build", "--artifact", str(tmp_path / "dist"), str(data_dir))
    assert result.exit_code == 0, result.output
    line = result.stdout.strip().splitlines()[-1]
    _, path, _, digest = line.split()
    return Path(path), digest


def replica(tmp_path, name: str = "replica") -> Path:
    path = tmp_path / name
    path.mkdir()
    return path


def page(instance: Path, url: str):
    app = create_app({"TESTING": True, "INSTANCE_PATH": str(instance),
                      "DATA_DIR": str(FIXTURE_DATA), "NOW": FROZEN_NOW})
    return app.test_client().get(url)


def test_a_replica_serves_the_same_build_from_the_artifact(tmp_path, instance, packed):
    path, digest = packed
    origin_build = (instance / "current").resolve().name
    assert path.name == f"{origin_build}.build.tar.gz"
    target = replica(tmp_path)
    result = run(target, "install-build", str(path), "--sha256", digest)
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == f"installed {origin_build}; the site now serves it"
    assert (target / "current").resolve().name == origin_build
    assert page(target, "/healthz").get_json()["build"] == origin_build
    assert "Youth drop-in counselling" in page(target, "/search?q=counselling").get_data(
        as_text=True)


def test_installing_the_same_artifact_twice_is_harmless(tmp_path, packed):
    target = replica(tmp_path)
    for _ in range(2):
        assert run(target, "install-build", str(packed[0])).exit_code == 0
    assert len(list((target / "builds").iterdir())) == 1


def test_a_wrong_checksum_changes_nothing(tmp_path, instance, packed):
    target = replica(tmp_path)
    result = run(target, "install-build", str(packed[0]), "--sha256", "0" * 64)
    assert result.exit_code == 1
    assert f"its SHA-256 is not {'0' * 64}" in result.stderr
    assert "the site keeps serving the previous build" in result.stderr
    assert not (target / "current").exists()
    assert [p.name for p in (target / "builds").iterdir()] == []


def _rewrite(source: Path, target: Path, change) -> Path:
    """A copy of the artifact with each member passed through ``change(info, data)``."""
    with tarfile.open(source, "r:gz") as old, tarfile.open(target, "w:gz") as new:
        for member in old.getmembers():
            data = old.extractfile(member).read() if member.isfile() else None
            for info, body in change(member, data):
                new.addfile(info, io.BytesIO(body) if body is not None else None)
    return target


def test_a_changed_file_is_refused_and_the_old_build_keeps_serving(tmp_path, packed):
    target = replica(tmp_path)
    assert run(target, "install-build", str(packed[0])).exit_code == 0
    serving = (target / "current").resolve()

    def tamper(info, data):
        if info.name == "manifest.json":
            data = data.replace(b'"organizations": 4', b'"organizations": 5')
            info.size = len(data)
        yield info, data

    bad = _rewrite(packed[0], tmp_path / "bad.build.tar.gz", tamper)
    result = run(target, "install-build", str(bad))
    assert result.exit_code == 1
    assert "manifest.json does not match its checksum" in result.stderr
    assert (target / "current").resolve() == serving


@pytest.mark.parametrize("name", ["../escape.txt", "/etc/cron.d/x", "index/../../up"])
def test_members_outside_the_build_are_refused(tmp_path, packed, name):
    def smuggle(info, data):
        yield info, data
        if info.name == artifact.INDEX_FILE:
            extra = tarfile.TarInfo(name)
            extra.size = 3
            yield extra, b"bad"

    bad = _rewrite(packed[0], tmp_path / "bad.build.tar.gz", smuggle)
    target = replica(tmp_path)
    result = run(target, "install-build", str(bad))
    assert result.exit_code == 1
    assert f"{name!r} is not a file inside the build" in result.stderr
    assert not (tmp_path / "escape.txt").exists()


def test_a_link_member_is_refused(tmp_path, packed):
    def link(info, data):
        yield info, data
        if info.name == artifact.INDEX_FILE:
            extra = tarfile.TarInfo("directory-link.db")
            extra.type, extra.linkname = tarfile.SYMTYPE, "/etc/passwd"
            yield extra, None

    bad = _rewrite(packed[0], tmp_path / "bad.build.tar.gz", link)
    result = run(replica(tmp_path), "install-build", str(bad))
    assert result.exit_code == 1 and "'directory-link.db' is not a file inside" in result.stderr


def test_something_that_is_not_an_artifact_is_named_as_such(tmp_path):
    junk = tmp_path / "junk.tar.gz"
    junk.write_bytes(b"not a tar file at all")
    result = run(replica(tmp_path), "install-build", str(junk))
    assert result.exit_code == 1 and "not a readable build artifact" in result.stderr
    missing = run(replica(tmp_path, "other"), "install-build", str(tmp_path / "nowhere.tar.gz"))
    assert missing.exit_code == 1 and "no such file" in missing.stderr


def test_plain_http_is_refused_except_from_this_machine(tmp_path):
    result = run(replica(tmp_path), "install-build", "http://builds.example.org/x.tar.gz")
    assert result.exit_code == 1 and "fetch builds over https://" in result.stderr


@pytest.fixture
def loopback_only(monkeypatch):
    """Connections to 127.0.0.1 allowed again (for this file's server), nothing else."""

    def connect(sock, address):
        if address[0] != "127.0.0.1":
            raise AssertionError("a test tried to open a network connection")
        return REAL_CONNECT(sock, address)

    def create_connection(address, *args, **kwargs):
        if address[0] not in ("127.0.0.1", "localhost"):
            raise AssertionError("a test tried to open a network connection")
        return REAL_CREATE_CONNECTION(address, *args, **kwargs)

    monkeypatch.setattr(socket.socket, "connect", connect)
    monkeypatch.setattr(socket, "create_connection", create_connection)


def test_a_replica_fetches_the_artifact_from_a_url(tmp_path, packed, loopback_only):
    handler = functools.partial(http.server.SimpleHTTPRequestHandler,
                                directory=str(packed[0].parent))
    handler.log_message = lambda *args: None
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        url = f"http://127.0.0.1:{server.server_port}/{packed[0].name}"
        target = replica(tmp_path)
        result = run(target, "install-build", url, "--sha256", packed[1])
        assert result.exit_code == 0, result.output
        missing = run(target, "install-build", url.replace(".build", ".gone"))
        assert missing.exit_code == 1 and "could not be downloaded (HTTP Error 404" in \
            missing.stderr
    finally:
        server.shutdown()
    listing = json.loads(tarfile.open(packed[0]).extractfile(artifact.INDEX_FILE).read())
    assert (target / "current").resolve().name == listing["id"]
