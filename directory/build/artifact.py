"""A build as one file, for replicas: packed where the data changes, installed where it is served.

The artifact is a gzipped tar of the build folder (``manifest.json``, ``directory.db``,
``index/``) with an ``artifact.json`` first: the build's id and the SHA-256 and size of every
file. Installing checks all of it before anything is switched: members only inside the build
(no absolute paths, no ``..``, no links or devices), every file's checksum, and that the
database and index open; only then is the folder renamed into ``builds/`` and ``current``
switched in one rename, so a replica serves the old build or the new one, never half of one.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import tarfile
import tempfile
import urllib.parse
import urllib.request
from pathlib import Path, PurePosixPath

from .layout import KEEP_BUILDS, MANIFEST, Build, prune, switch_current

INDEX_FILE = "artifact.json"
SUFFIX = ".build.tar.gz"
MAX_BYTES = 4 * 1024**3  # a state's build is well under this; anything larger is not ours
FETCH_TIMEOUT = 60  # seconds without a byte before a download is given up
LOOPBACK = {"127.0.0.1", "::1", "localhost"}


class ArtifactError(Exception):
    """The artifact cannot be installed; nothing was changed."""


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def pack(build: Path, target: Path) -> tuple[Path, str]:
    """Write ``build`` as ``<target>/<build id>.build.tar.gz``; return it and its SHA-256."""
    build = build.resolve()
    manifest = json.loads((build / MANIFEST).read_text())
    files = sorted(p for p in build.rglob("*") if p.is_file())
    listing = {"id": manifest["id"], "files": {
        p.relative_to(build).as_posix(): {"sha256": _sha256(p), "size": p.stat().st_size}
        for p in files}}
    target.mkdir(parents=True, exist_ok=True)
    final = target / f"{manifest['id']}{SUFFIX}"
    with tempfile.NamedTemporaryFile(dir=target, prefix=".", suffix=SUFFIX,
                                     delete=False) as handle:
        with tarfile.open(fileobj=handle, mode="w:gz", compresslevel=6) as archive:
            data = json.dumps(listing, indent=2, sort_keys=True).encode()
            info = tarfile.TarInfo(INDEX_FILE)
            info.size, info.mode = len(data), 0o644
            archive.addfile(info, io.BytesIO(data))
            for path in files:
                archive.add(path, arcname=path.relative_to(build).as_posix(), recursive=False)
    os.replace(handle.name, final)
    return final, _sha256(final)


def fetch(source: str, folder: Path) -> Path:
    """A local path as it is; an ``https://`` URL (``http://`` only to this machine) downloaded
    into ``folder``."""
    parsed = urllib.parse.urlparse(source)
    if parsed.scheme in ("", "file"):
        path = Path(parsed.path if parsed.scheme else source)
        if not path.is_file():
            raise ArtifactError(f"{source}: no such file")
        return path
    if parsed.scheme != "https" and not (parsed.scheme == "http"
                                         and parsed.hostname in LOOPBACK):
        raise ArtifactError(f"{source}: fetch builds over https:// (plain http only from this "
                            "machine), so nobody on the way can swap the build")
    target = folder / "download"
    try:
        with urllib.request.urlopen(source, timeout=FETCH_TIMEOUT) as response, \
                target.open("wb") as handle:
            copied = 0
            for block in iter(lambda: response.read(1 << 20), b""):
                copied += len(block)
                if copied > MAX_BYTES:
                    raise ArtifactError(f"{source}: larger than {MAX_BYTES // 1024**3} GiB")
                handle.write(block)
    except OSError as error:  # URLError, HTTPError, timeouts and resets are all OSErrors
        raise ArtifactError(f"{source}: could not be downloaded ({error})") from None
    return target


def _safe_members(archive: tarfile.TarFile, source: str):
    for member in archive.getmembers():
        path = PurePosixPath(member.name)
        if path.is_absolute() or ".." in path.parts or not (member.isfile() or member.isdir()):
            raise ArtifactError(f"{source}: {member.name!r} is not a file inside the build; "
                                "this is not an artifact written by `directory build --artifact`")
        yield member


def install(source: str, instance: Path, sha256: str | None = None) -> Path:
    """Verify the artifact at ``source`` and switch ``instance/current`` to it; return the build.

    Raises ArtifactError (and changes nothing) when anything does not check out.
    """
    builds = instance / "builds"
    builds.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix=".install-", dir=builds) as tmp:
        work = Path(tmp)
        path = fetch(source, work)
        if sha256 and _sha256(path) != sha256.strip().lower():
            raise ArtifactError(f"{source}: its SHA-256 is not {sha256}; the file was changed "
                                "or cut short")
        unpacked = work / "build"
        try:
            with tarfile.open(path, mode="r:gz") as archive:
                archive.extractall(unpacked, members=list(_safe_members(archive, source)),
                                   filter="data")
        except (tarfile.TarError, EOFError, OSError, ValueError) as error:
            raise ArtifactError(f"{source}: not a readable build artifact ({error})") from None
        listing = _listing(unpacked, source)
        _check_files(unpacked, listing, source)
        final = builds / listing["id"]
        if final.exists() and not _same(final, listing):
            raise ArtifactError(f"{final} exists and differs from the artifact; remove it first")
        if not final.exists():  # the same build again only switches back to it
            (unpacked / INDEX_FILE).unlink()
            _check_opens(unpacked, source)
            unpacked.rename(final)
    switch_current(instance, final)
    prune(builds, keep=KEEP_BUILDS, current=final)
    return final


def _listing(unpacked: Path, source: str) -> dict:
    try:
        listing = json.loads((unpacked / INDEX_FILE).read_text())
        ok = isinstance(listing, dict) and isinstance(listing.get("files"), dict) and \
            isinstance(listing.get("id"), str) and PurePosixPath(listing["id"]).name == \
            listing["id"] and not listing["id"].startswith(".")
    except (OSError, ValueError):
        ok = False
    if not ok:
        raise ArtifactError(f"{source}: {INDEX_FILE} is missing or damaged; this is not an "
                            "artifact written by `directory build --artifact`")
    return listing


def _check_files(unpacked: Path, listing: dict, source: str) -> None:
    found = {p.relative_to(unpacked).as_posix() for p in unpacked.rglob("*") if p.is_file()}
    found.discard(INDEX_FILE)
    missing, extra = set(listing["files"]) - found, found - set(listing["files"])
    if missing or extra:
        raise ArtifactError(f"{source}: files missing ({', '.join(sorted(missing)) or 'none'}) "
                            f"or not listed ({', '.join(sorted(extra)) or 'none'})")
    for name, expected in sorted(listing["files"].items()):
        if _sha256(unpacked / name) != expected.get("sha256"):
            raise ArtifactError(f"{source}: {name} does not match its checksum; the artifact "
                                "was damaged or changed")


def _same(folder: Path, listing: dict) -> bool:
    return all((folder / name).is_file() and _sha256(folder / name) == item["sha256"]
               for name, item in listing["files"].items())


def _check_opens(folder: Path, source: str) -> None:
    try:
        db = Build(folder).connect()
        try:
            db.execute("select count(*) from services").fetchone()
        finally:
            db.close()
    except Exception as error:  # any damage at all means it must not be served
        raise ArtifactError(f"{source}: the build does not open ({error})") from None
