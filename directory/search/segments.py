"""Whoosh's segment files read in place, with ``os.pread``, instead of copied into memory.

A Whoosh index is a few compound segment files (``*.seg``, each holding the postings, terms
and stored fields of many documents). Whoosh opens one by mapping it and then copying each
part it needs into a ``BytesIO``: at 50,000 services about 80 MB of private memory in every
worker, copied again each time a searcher is opened. Here each part is read where it lies,
a block at a time, with ``os.pread`` on one descriptor per segment: nothing is copied, the
operating system's page cache (shared by every worker, and not counted as theirs) holds
what is read often, and reads never share a file position, so threads cannot disturb each
other's.

``open_index`` is ``whoosh.index.open_dir(path, readonly=True)`` with this storage; the index
read is the same index (``tests/test_ranking.py`` compares the two).
"""

from __future__ import annotations

import os
from array import array

from whoosh.filedb.filestore import FileStorage
from whoosh.filedb.structfile import StructFile
from whoosh.system import IS_LITTLE

# Bytes read at once for small reads (a posting block's header is well under this).
READ_AHEAD = 4096


def open_index(path: str):
    """The index in ``path``, read-only, its segment files read in place."""
    return InPlaceStorage(path, readonly=True).open_index()


class InPlaceStorage(FileStorage):
    """A folder of index files whose compound segments are read with ``os.pread``."""

    # Whoosh then asks the segment file for its parts (``subset``) instead of mapping it.
    supports_mmap = False

    def open_file(self, name, **kwargs):
        if not name.endswith(".seg") or kwargs:
            return super().open_file(name, **kwargs)
        descriptor = os.open(self._fpath(name), os.O_RDONLY)
        return PartFile(_Descriptor(descriptor), 0, os.fstat(descriptor).st_size, name=name)


class _Descriptor:
    """An open file descriptor, closed when the last part reading from it is gone."""

    def __init__(self, number: int):
        self.number = number

    def __del__(self):
        try:
            os.close(self.number)
        except OSError:  # already closed at interpreter exit
            pass


class PartFile(StructFile):
    """``length`` bytes from ``offset`` of a file, read with ``os.pread``: Whoosh's
    ``StructFile`` calls, each part with its own position."""

    def __init__(self, descriptor: _Descriptor, offset: int, length: int, name=None):
        self._descriptor = descriptor
        self._offset, self._length = offset, length
        self._name = name
        self.onclose = None
        self.is_closed = False
        self.is_real = False  # no fileno: Whoosh must not map or read it around us
        self.file = _Reader(descriptor, offset, length)

    def subset(self, position, length, name=None):
        return PartFile(self._descriptor, self._offset + position, length,
                        name=name or self._name)

    def get(self, position, length):
        length = max(0, min(length, self._length - position))
        return os.pread(self._descriptor.number, length, self._offset + position)

    def get_array(self, position, typecode, length):
        found = array(typecode)
        found.frombytes(self.get(position, length * found.itemsize))
        if IS_LITTLE:  # Whoosh writes arrays big-endian
            found.byteswap()
        return found

    def close(self):
        # The descriptor stays open for the other parts; it closes with the last of them.
        self.is_closed = True


class _Reader:
    """A file-like view (read, readline, seek, tell) of a part, for ``StructFile`` and
    ``pickle.load``.

    Small reads are served from one read-ahead chunk: unpickling a posting block's header
    asks for a few bytes at a time (about twenty reads a block), and a system call each
    cost more than the unpickling."""

    def __init__(self, descriptor: _Descriptor, offset: int, length: int):
        self._descriptor, self._offset, self._length = descriptor, offset, length
        self._position = 0
        self._chunk, self._chunk_at = b"", 0  # the last read-ahead, from part position

    def read(self, size: int | None = -1) -> bytes:
        left = self._length - self._position
        size = left if size is None or size < 0 else min(size, left)
        if size <= 0:
            return b""
        start = self._position - self._chunk_at
        if 0 <= start and start + size <= len(self._chunk):
            data = self._chunk[start:start + size]
        elif size >= READ_AHEAD:
            data = os.pread(self._descriptor.number, size, self._offset + self._position)
        else:
            self._chunk = os.pread(self._descriptor.number, min(READ_AHEAD, left),
                                   self._offset + self._position)
            self._chunk_at = self._position
            data = self._chunk[:size]
        self._position += len(data)
        return data

    def readinto(self, buffer) -> int:
        data = self.read(len(buffer))
        buffer[:len(data)] = data
        return len(data)

    def readline(self, size: int | None = -1) -> bytes:
        line = b""
        while not line.endswith(b"\n") and (size is None or size < 0 or len(line) < size):
            chunk = self.read(1)
            if not chunk:
                break
            line += chunk
        return line

    def seek(self, position: int, whence: int = os.SEEK_SET) -> int:
        base = {os.SEEK_SET: 0, os.SEEK_CUR: self._position, os.SEEK_END: self._length}[whence]
        self._position = base + position
        return self._position

    def tell(self) -> int:
        return self._position

    def close(self) -> None:
        pass
