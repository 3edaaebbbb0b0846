"""Opening a data file safely: only regular files inside the data folder, and only so big.

A pull request can add anything to ``data/``: a FIFO (reading it waits forever), a symlink to
``/dev/zero`` (reading it never ends), a symlink to ``/etc/passwd`` (its content would be
printed in the CI log of every error), a folder named ``x.yaml``, a dangling link or a link
loop. Each becomes one line naming the file and what to do; nothing outside the data folder
is ever read, and no file is read past ``MAX_FILE_BYTES``.
"""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path

from .problems import Problem

# The largest data file read: far above a state's 100k services in one services.csv
# (about 30 MB), far below what would exhaust a CI runner's memory.
MAX_FILE_BYTES = 64 * 1024 * 1024


class Unreadable(Exception):
    """The file cannot be read as data; the message says why, for ``<file>: <message>``."""


def inside(path: Path, root: Path, folders: dict[Path, Path] | None = None) -> bool:
    """Whether ``path``, with every symlink followed, lies inside ``root`` (``folders`` as
    for ``real_path``)."""
    try:
        real, base = real_path(path, folders), real_path(root, folders)
    except (OSError, ValueError):
        return False
    return real == base or base in real.parents


def real_path(path: Path, folders: dict[Path, Path] | None = None) -> Path:
    """``os.path.realpath(path)``. ``folders``: the real paths of folders found so far, for
    many files in few folders: a file that is not a link is its folder's real path / its
    name (12,500 files resolved whole took a second)."""
    if folders is None or path.name in ("", ".", "..") or os.path.islink(path):
        return Path(os.path.realpath(path))
    folder = path.parent
    if folder not in folders:
        folders[folder] = Path(os.path.realpath(folder))
    return folders[folder] / path.name


def read_bytes(path: Path, root: Path) -> bytes:
    """The content of ``path``, a regular file inside ``root`` of at most MAX_FILE_BYTES."""
    try:
        before = os.lstat(path)
    except OSError as error:
        raise Unreadable(f"cannot be read ({os.strerror(error.errno)})") from None
    if stat.S_ISLNK(before.st_mode):
        try:
            os.stat(path)
        except OSError as error:
            if error.errno == errno.ELOOP:
                raise Unreadable("is a symbolic link that loops; replace it with the file "
                                 "itself") from None
            raise Unreadable("is a symbolic link to a file that does not exist; remove it "
                             "or replace it with the file itself") from None
        if not inside(path, root):
            # Never say where it points: the target's name may itself be private.
            raise Unreadable("is a symbolic link to a file outside the data folder; only "
                             "files inside it are read, so replace the link with the file")
    # O_NONBLOCK: opening a FIFO must not wait for a writer; fstat below then refuses it.
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    except OSError as error:
        if error.errno == errno.EISDIR:
            raise Unreadable(_not_regular(os.stat(path).st_mode)) from None
        raise Unreadable(f"cannot be read ({os.strerror(error.errno)})") from None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise Unreadable(_not_regular(info.st_mode))
        if info.st_size > MAX_FILE_BYTES:
            raise Unreadable(_too_big(info.st_size))
        with os.fdopen(fd, "rb", closefd=False) as handle:
            # Read what the file holds, not a buffer of the limit (12,500 files of 4 KB each
            # reserved 64 MB); one more byte tells whether it grew since fstat.
            content = handle.read(info.st_size + 1)
            if len(content) > info.st_size:
                content += handle.read(MAX_FILE_BYTES + 1 - len(content))
        if len(content) > MAX_FILE_BYTES:  # it grew while being read
            raise Unreadable(_too_big(len(content)))
        return content
    finally:
        os.close(fd)


def _not_regular(mode: int) -> str:
    if stat.S_ISDIR(mode):
        return "is a folder, not a file; rename it or move its files up"
    kind = ("a named pipe (FIFO)" if stat.S_ISFIFO(mode) else
            "a device" if stat.S_ISCHR(mode) or stat.S_ISBLK(mode) else
            "a socket" if stat.S_ISSOCK(mode) else "not a regular file")
    return f"is {kind}, not a regular file; only regular files are read, so remove it"


def _too_big(size: int) -> str:
    return (f"is {size / 1024 / 1024:.0f} MB, over the {MAX_FILE_BYTES // 1024 // 1024} MB "
            "limit for one data file; split it (one organization per file)")


def read_text(path: Path, root: Path) -> str:
    """``read_bytes`` decoded as UTF-8 (a leading byte-order mark is dropped)."""
    content = read_bytes(path, root)
    try:
        return content.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = content[:error.start].count(b"\n") + 1
        raise NotUTF8(line, error.reason) from None


class NotUTF8(Unreadable):
    """The file is not UTF-8 text; ``line`` is where the first bad byte is."""

    def __init__(self, line: int, reason: str):
        super().__init__(f"is not UTF-8 text ({reason}); save it as UTF-8")
        self.line = line


def is_data_file(path: Path, root: Path, folders: dict[Path, Path] | None = None) -> bool:
    """Whether ``path`` is a regular file inside ``root``, for fingerprints and file lists
    (which must never follow a link out of the folder or open a FIFO); ``folders`` as for
    ``real_path``, shared by the files of one listing."""
    try:
        info = os.stat(path)
    except (OSError, ValueError):
        return False
    return stat.S_ISREG(info.st_mode) and inside(path, root, folders)


def display_path(path: Path) -> str:
    """The path as a maintainer typed it: relative to the working directory when inside it."""
    relative = os.path.relpath(path)
    return path.as_posix() if relative.startswith("..") else Path(relative).as_posix()


def text_or_problem(path: Path, root: Path | None, problems: list[Problem]) -> str | None:
    """The file's text, or None with a problem (not UTF-8, not a regular file, too big...)."""
    try:
        text = read_text(path, root if root is not None else path.parent)
    except NotUTF8 as error:
        problems.append(Problem(display_path(path), error.line, "", str(error)))
        return None
    except Unreadable as error:
        problems.append(Problem(display_path(path), 0, "", str(error)))
        return None
    return text
