"""A term's postings as arrays: read from Whoosh's blocks, or from the build's flat copy.

Whoosh keeps postings in pickled, compressed blocks of up to 128, with each posting's
positions (for phrase searches): reading a common word's at 50,000 services means unpickling
hundreds of blocks, ~40 µs each, and that was most of a first search's time. The build
therefore writes every term's document numbers and weights once more, as plain arrays beside
the index (``write``): a search then reads a term with two ``os.pread`` calls and no
unpickling (``TermArrays``). Whoosh's blocks remain the source (the build reads them with
``read_postings``), so the numbers are the same; ``tests/test_ranking.py`` compares them.

Files in the index folder: ``terms.ids`` (int32) and ``terms.weights`` (float64, the values
Whoosh's matchers hand out), little-endian, one run per term and segment; ``terms.table.npy``,
one row per run, sorted by a 64-bit hash of the term's field and text: hash, start, count.
"""

from __future__ import annotations

import hashlib
import io
import os
import pickle
import shutil
import struct
import zlib
from array import array
from pathlib import Path

import numpy as np
from whoosh.codec.whoosh3 import W3LeafMatcher
from whoosh.matching.wrappers import MultiMatcher

IDS, WEIGHTS, TABLE = "terms.ids", "terms.weights", "terms.table.npy"
_ROW = np.dtype([("hash", "<u8"), ("start", "<i8"), ("count", "<i4")])
_INT = struct.Struct("!i")  # Whoosh's block length (``StructFile.read_int``)


def term_hash(field: str, text: bytes) -> int:
    return int.from_bytes(hashlib.blake2b(field.encode() + b"\0" + text, digest_size=8)
                          .digest(), "little")


# --- the build's flat copy ------------------------------------------------------------------


def write(index_dir: Path, reader) -> bool:
    """Every term of the index's reader as arrays in ``index_dir``; False (nothing written,
    searches read Whoosh's blocks) if two terms' hashes collide, which 64 bits make a
    one-in-10^10 chance at a state's catalogue."""
    with (index_dir / IDS).open("wb") as ids_out, (index_dir / WEIGHTS).open("wb") as out:
        def terms():
            for field, text, docnums, weights in _all_postings(reader):
                ids_out.write(docnums.astype("<i4").tobytes())
                out.write(weights.astype("<f8").tobytes())
                yield field, text, len(docnums)

        rows = _rows(terms())
    if rows is None:
        for name in (IDS, WEIGHTS):
            (index_dir / name).unlink()
        return False
    save_table(index_dir, rows)
    return True


def _rows(terms) -> list[tuple[int, int, int]] | None:
    """(hash, first posting, count) of each (field, term, count), their runs one after
    another in the files; None at the first two terms whose hashes collide."""
    rows, start, seen = [], 0, {}
    for field, text, count in terms:
        key = term_hash(field, text)
        if seen.setdefault(key, (field, text)) != (field, text):
            return None
        rows.append((key, start, count))
        start += count
    return rows


def save_table(index_dir: Path, rows: list[tuple[int, int, int]], name: str = TABLE,
               row: np.dtype = _ROW) -> None:
    """A table of runs (hash, start, count) as the file ``name`` (``Runs`` reads it)."""
    table = np.array(rows, dtype=row)
    # By hash; a term's runs (one a segment) stay in segment order, as documents are.
    np.save(index_dir / name, table[np.argsort(table["hash"], kind="stable")],
            allow_pickle=False)


class Arrays:
    """One segment's part of the flat copy, gathered while the segment is written
    (``FastSegmentWriter.arrays``) instead of read back from its blocks: the same numbers
    (document numbers shifted by the segment's first, weights rounded to 32 bits as Whoosh
    stores them), in files of their own until ``join`` puts the parts together."""

    def __init__(self, index_dir: Path, part: int, offset: int):
        self.ids_path = index_dir / f"{IDS}.{part}"
        self.weights_path = index_dir / f"{WEIGHTS}.{part}"
        self.offset = offset
        self.keys: list[tuple[str, bytes]] = []
        self.counts = array("q")
        self._files = (self.ids_path.open("wb"), self.weights_path.open("wb"))

    def add_field(self, field: str, texts: list[bytes], counts: np.ndarray,
                  ids: np.ndarray, weights: np.ndarray) -> None:
        """A field's terms in order, how many postings each has, and all their postings one
        term after another: document numbers and weights (32-bit, as Whoosh's blocks)."""
        self.keys.extend((field, text) for text in texts)
        self.counts.extend(counts.tolist())
        ids_out, weights_out = self._files
        ids_out.write((ids.astype(np.int64) + self.offset).astype("<i4").tobytes())
        weights_out.write(weights.astype(np.float32).astype("<f8").tobytes())

    def close(self) -> Arrays:
        """Close the files; what the build needs (keys, counts, paths) goes back to it."""
        for file in self._files:
            file.close()
        self._files = ()
        return self

    def __getstate__(self):  # sent back to the build: no open files
        return {key: value for key, value in self.__dict__.items() if key != "_files"}


def join(index_dir: Path, parts: list[Arrays]) -> bool:
    """The flat copy from the segments' parts, in segment order: the files ``write`` writes
    from the finished index. False (nothing written) on a collision of two terms' hashes."""
    return join_parts(index_dir, ((key, count) for part in parts
                                  for key, count in zip(part.keys, part.counts, strict=True)),
                      {IDS: [p.ids_path for p in parts], WEIGHTS: [p.weights_path for p in parts]})


def join_parts(index_dir: Path, terms, files: dict[str, list[Path]], table: str = TABLE,
               row: np.dtype = _ROW) -> bool:
    """Segments' parts of a flat copy joined in segment order: ``terms``, each part's
    ((field, text), count) in turn; ``files``, each joined file's name and its parts' files,
    which are removed. False (nothing written) on a collision of two terms' hashes."""
    rows = _rows((field, text, count) for (field, text), count in terms)
    if rows is not None:
        for name, paths in files.items():
            with (index_dir / name).open("wb") as out:
                for path in paths:
                    with path.open("rb") as piece:
                        shutil.copyfileobj(piece, out)
        save_table(index_dir, rows, table, row)
    for paths in files.values():
        for path in paths:
            path.unlink()
    return rows is not None


def _all_postings(reader):
    """(field, term, document numbers, weights) of every term, a segment at a time: each
    segment's term table is read in order, not looked up term by term in every segment
    (which was half of the time). Readers of another kind: term by term, all segments."""
    schema = reader.schema
    leaves = list(reader.leaf_readers())
    if all(hasattr(leaf, "_terms") and hasattr(leaf._terms, "_postfile") for leaf, _ in leaves):
        for leaf, offset in leaves:
            terms = leaf._terms
            for (field, text), info in terms.items():
                if field in schema:
                    matcher = terms._codec.postings_reader(terms._postfile, info,
                                                           schema[field].format)
                    yield (field, text, *_leaf_postings(matcher, offset))
        return
    for field, text in reader.all_terms():
        yield (field, text, *read_postings(reader.postings(field, text)))


class Runs:
    """A saved table of (hash of field and term, start, count) rows sorted by hash: where
    each term's runs are in a flat file, one run a segment, in document order. Shared by the
    postings (``TermArrays``) and the positions (``positions.TermPositions``)."""

    def __init__(self, path: Path):
        table = np.load(path, allow_pickle=False)
        # Contiguous copies, searched with a numpy key: a structured array's column (strided)
        # or a Python int makes every search convert all the hashes first, ~45 µs against
        # ~1.5 µs, and a search page looks up a dozen terms (issue #19).
        self._hashes = np.ascontiguousarray(table["hash"])
        self._starts = np.ascontiguousarray(table["start"])
        self._counts = np.ascontiguousarray(table["count"])
        self.total = int(self._counts.sum())

    def of(self, field: str, text: bytes) -> list[tuple[int, int]]:
        """(start, count) of each of a term's runs; empty when the term is absent."""
        key = np.uint64(term_hash(field, text))
        row = int(np.searchsorted(self._hashes, key))
        if row == len(self._hashes) or self._hashes[row] != key:
            return []
        last = int(np.searchsorted(self._hashes, key, side="right"))
        return [(int(self._starts[at]), int(self._counts[at])) for at in range(row, last)]


class TermArrays:
    """The flat copy of an index's postings, looked up by field and term."""

    def __init__(self, index_dir: Path):
        self._runs = Runs(index_dir / TABLE)
        self._ids = self._weights = -1
        self._ids = os.open(index_dir / IDS, os.O_RDONLY)
        self._weights = os.open(index_dir / WEIGHTS, os.O_RDONLY)
        total = self._runs.total
        if os.fstat(self._ids).st_size != 4 * total or \
                os.fstat(self._weights).st_size != 8 * total:
            self.close()
            raise ValueError(f"{index_dir}: the term arrays do not match their table")

    @classmethod
    def of(cls, index_dir: Path) -> TermArrays | None:
        """The index's flat copy, or None for an index written without one."""
        if not (index_dir / TABLE).is_file():
            return None
        return cls(index_dir)

    def get(self, field: str, text: bytes) -> tuple[np.ndarray, np.ndarray] | None:
        """(document numbers as int32, weights as float64) of a term, None when absent."""
        runs = [self._run(start, count) for start, count in self._runs.of(field, text)]
        if not runs:
            return None
        if len(runs) == 1:
            return runs[0]
        return np.concatenate([ids for ids, _ in runs]), np.concatenate([w for _, w in runs])

    def _run(self, start: int, count: int) -> tuple[np.ndarray, np.ndarray]:
        docnums = np.frombuffer(os.pread(self._ids, count * 4, start * 4), dtype="<i4")
        weights = np.frombuffer(os.pread(self._weights, count * 8, start * 8), dtype="<f8")
        return docnums.astype(np.int32), weights

    def close(self) -> None:
        for descriptor in (self._ids, self._weights):
            if descriptor >= 0:
                os.close(descriptor)
        self._ids = self._weights = -1  # never close a number the system has given again

    def __del__(self):
        self.close()


# --- Whoosh's blocks --------------------------------------------------------------------------


def read_postings(matcher) -> tuple[np.ndarray, np.ndarray]:
    """(document numbers as int32, weights as float64) of a term's postings, in order.

    Whoosh's matcher hands them over one call at a time (several Python calls a posting);
    its posting files hold them in blocks of up to 128, so whole blocks are decoded here
    (``_leaf_postings``). Matchers of another kind are walked posting by posting."""
    if isinstance(matcher, MultiMatcher):  # one leaf per segment, with its first docnum
        parts = [_leaf_postings(leaf, offset) for leaf, offset in
                 zip(matcher.matchers[matcher.current:], matcher.offsets[matcher.current:],
                     strict=True)]
    else:
        parts = [_leaf_postings(matcher, 0)]
    if len(parts) == 1:
        return parts[0]
    return (np.concatenate([ids for ids, _ in parts]),
            np.concatenate([weights for _, weights in parts]))


def leaf_blocks(matcher):
    """A fresh leaf matcher's blocks, each as (count, document numbers as deltas from 0,
    weights as Whoosh pickled them, encoded values): the term's bytes read in one piece,
    then each block decoded from memory (Whoosh's ``_goto``/``_read_data`` per block made a
    seek, an int read, an unpickle from the file and another read, through several Python
    calls). None when the matcher is not such a leaf: walk it instead."""
    if type(matcher) is not W3LeafMatcher or matcher._byteids or matcher._i:
        return None
    return _blocks(matcher)


def _blocks(matcher):
    start = matcher._baseoffset - matcher._startoffset  # after the header tag
    length = matcher._length  # a term's extent; some of Whoosh's readers give it as (n,)
    data = matcher._postfile.get(matcher._startoffset,
                                 length[0] if isinstance(length, tuple) else length)
    while start < len(data):
        # A block: its length (negative for the last), its pickled info, its data.
        length = _INT.unpack_from(data, start)[0]
        begins, ends = start + _INT.size, start + _INT.size + abs(length)
        header = io.BytesIO(data[begins:ends])
        count, _maxid, _maxweight, compression, _mn, _mx = pickle.load(header)
        body = data[begins + header.tell():ends]
        coded, weights, values = pickle.loads(zlib.decompress(body) if compression
                                              else body)[:3]
        yield count, coded, weights, values
        if length < 0:
            break
        start = ends


def _leaf_postings(matcher, offset: int) -> tuple[np.ndarray, np.ndarray]:
    """A fresh leaf matcher's postings, read by block (``leaf_blocks``)."""
    blocks = leaf_blocks(matcher)
    if blocks is None:
        return _walk(matcher, offset)
    ids, weights = [], []
    for count, coded, block_weights, _values in blocks:
        ids.append(np.cumsum(np.asarray(coded, dtype=np.int64)))  # deltas from 0
        if block_weights is None:  # Whoosh writes None when every weight is 1
            weights.append(np.ones(count))
        elif isinstance(block_weights, float):  # ... and one number when all are equal,
            # which its reader hands out as a 32-bit float: the same rounding here.
            weights.append(np.full(count, np.float32(block_weights), dtype=np.float64))
        else:
            weights.append(np.asarray(block_weights, dtype=np.float64))
    if not ids:
        return np.zeros(0, dtype=np.int32), np.zeros(0)
    return (np.concatenate(ids).astype(np.int32) + np.int32(offset),
            np.concatenate(weights))


def _walk(matcher, offset: int) -> tuple[np.ndarray, np.ndarray]:
    """Posting by posting, through the matcher's public calls."""
    docnums, weights = array("i"), array("d")
    while matcher.is_active():
        docnums.append(matcher.id() + offset)
        weights.append(matcher.weight())
        matcher.next()
    return (np.frombuffer(docnums, dtype=np.int32).copy(),
            np.frombuffer(weights, dtype=np.float64).copy())
