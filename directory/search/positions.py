"""Where each word stands in each document: the build's flat copy of Whoosh's positions.

A quoted phrase ("support group") matches a document where its words stand one after
another. Whoosh checks that in Python, span by span, for every document holding all the
words: ~20,000 documents and over a second at 50,000 services. The build therefore writes
every positional term's occurrences once more, as sorted 64-bit keys (document number << 32
| position), beside the index (``write``; ``Part`` and ``join`` when the index is written
in parts, from the values each part stores); a phrase is then a few sorted-array lookups
(``phrase_documents``) over keys read with one ``os.pread`` a term (``TermPositions``).

Whoosh's blocks remain the source: each posting's positions are decoded from the value
Whoosh stored (``Positions.encode``: a count, then a pickled list of deltas), for nearly all
of them by reading the pickle's bytes as arrays (``_decode``), the rest with ``pickle``;
``tests/test_phrases.py`` compares them with Whoosh's own decoding.

Files in the index folder: ``positions.keys`` (little-endian int64, one run per term and
segment, ascending) and ``positions.table.npy`` (hash of field and term as in
``postings.term_hash``, start, count; sorted by hash).
"""

from __future__ import annotations

import os
from array import array
from pathlib import Path

import numpy as np
from whoosh.formats import Positions

from .postings import _INT, Runs, join_parts, leaf_blocks, save_table, term_hash

KEYS, TABLE = "positions.keys", "positions.table.npy"
_ROW = np.dtype([("hash", "<u8"), ("start", "<i8"), ("count", "<i8")])
SHIFT = 32  # a key's document number is above its low 32 bits, the position in them

# The bytes of ``pickle.dumps(deltas, 2)`` for small deltas (each below 256), after the
# 4-byte count: protocol, empty list, memo; then one delta and APPEND, or a MARK, the deltas
# and APPENDS; each delta a BININT1 opcode ('K') and its byte; Whoosh may drop the STOP.
_PROLOGUE = b"\x80\x02]q\x00"
_HEAD = _INT.size + len(_PROLOGUE)
_K, _MARK, _APPEND, _APPENDS, _STOP = ord("K"), ord("("), ord("a"), ord("e"), ord(".")


def positional(field) -> bool:
    """Whether the field's postings hold positions as Whoosh's ``Positions`` format stores
    them (the site's text fields), which this module reads."""
    return type(field.format) is Positions


# --- writing, at build time ---------------------------------------------------------------


def write_beside(index_dir: Path) -> bool:
    """``write`` for the finished index in ``index_dir`` (the build's one call)."""
    from .segments import open_index

    with open_index(str(index_dir)).reader() as reader:
        return write(index_dir, reader)


def write(index_dir: Path, reader) -> bool:
    """Every positional term's occurrences as sorted keys in ``index_dir``; False (nothing
    written: phrases are then matched by Whoosh) when two terms' hashes collide or the index
    is not made of Whoosh's own segments."""
    schema = reader.schema
    leaves = list(reader.leaf_readers())
    if not all(hasattr(leaf, "_terms") and hasattr(leaf._terms, "_postfile")
               for leaf, _ in leaves):
        return False
    rows, seen, start = [], {}, 0
    with (index_dir / KEYS).open("wb") as out:
        for leaf, offset in leaves:
            terms = leaf._terms
            for (field, text), info in terms.items():
                if field not in schema or not positional(schema[field]):
                    continue
                key = term_hash(field, text)
                if seen.setdefault(key, (field, text)) != (field, text):
                    out.close()
                    (index_dir / KEYS).unlink()
                    return False
                matcher = terms._codec.postings_reader(terms._postfile, info,
                                                       schema[field].format)
                keys = _leaf_keys(matcher, offset)
                out.write(keys.astype("<i8", copy=False).tobytes())
                rows.append((key, start, len(keys)))
                start += len(keys)
    save_table(index_dir, rows, TABLE, _ROW)
    return True


class Part:
    """One segment's part of the positions, made while the segment is written
    (``FastSegmentWriter.positions``) from the values it is about to store, instead of read
    back from its blocks: the same keys, in a file of its own until ``join`` puts the parts
    together (``postings.Arrays`` does the same for the postings)."""

    CHUNK = 1 << 17  # postings turned into keys at a time (bounded memory)

    def __init__(self, index_dir: Path, part: int, offset: int):
        self.path = index_dir / f"{KEYS}.{part}"
        self.offset = offset
        self.terms: list[tuple[str, bytes]] = []
        self.counts = array("q")
        self._file = self.path.open("wb")

    def add_field(self, field: str, texts: list[bytes], counts: np.ndarray,
                  docs: np.ndarray, vids: np.ndarray, values: list[bytes]) -> None:
        """A positional field's terms in order, how many postings each has, and their
        postings one term after another: document numbers and value numbers (``values``:
        each value's bytes, Whoosh's encoded positions). A chunk of postings at a time,
        each distinct value of a chunk decoded once (a field's keys whole were a hundred
        MB more in each indexing process at 50,000 services)."""
        if not len(docs):
            return
        occurrences = np.empty(len(docs), dtype=np.int64)  # each posting's positions
        for low in range(0, len(docs), self.CHUNK):
            part = slice(low, low + self.CHUNK)
            distinct, which = np.unique(vids[part], return_inverse=True)
            found, positions = _decode([values[vid] for vid in distinct.tolist()])
            first = np.cumsum(found) - found
            each = occurrences[part] = found[which]
            within = np.arange(int(each.sum())) - np.repeat(np.cumsum(each) - each, each)
            keys = (np.repeat(docs[part].astype(np.int64) + self.offset, each) << SHIFT) \
                | positions[np.repeat(first[which], each) + within]
            self._file.write(keys.astype("<i8", copy=False).tobytes())
        self.terms.extend((field, text) for text in texts)
        self.counts.extend(np.add.reduceat(occurrences, np.cumsum(counts) - counts).tolist())

    def close(self) -> Part:
        self._file.close()
        return self

    def __getstate__(self):  # sent back to the build: no open file
        return {key: value for key, value in self.__dict__.items() if key != "_file"}


def join(index_dir: Path, parts: list[Part]) -> bool:
    """The positions from the segments' parts, in segment order: what ``write`` writes
    from the finished index. False (nothing written) on a collision of two terms' hashes."""
    return join_parts(index_dir, ((term, count) for part in parts
                                  for term, count in zip(part.terms, part.counts, strict=True)),
                      {KEYS: [part.path for part in parts]}, TABLE, _ROW)


def _leaf_keys(matcher, offset: int) -> np.ndarray:
    """A fresh leaf matcher's occurrences as keys, ascending: its blocks read from one piece
    of the posting file (``postings.leaf_blocks``)."""
    blocks = leaf_blocks(matcher)
    if blocks is None:
        return _walked_keys(matcher, offset)
    ids, values = [], []
    for _count, coded, _weights, block_values in blocks:
        ids.append(np.cumsum(np.asarray(coded, dtype=np.int64)))
        values.extend(block_values)
    if not ids:
        return np.zeros(0, dtype=np.int64)
    docnums = np.concatenate(ids) + offset
    counts, positions = _decode(values)
    return (np.repeat(docnums, counts) << SHIFT) | positions


def _walked_keys(matcher, offset: int) -> np.ndarray:
    """Posting by posting, through the matcher's public calls."""
    keys = []
    while matcher.is_active():
        docnum = matcher.id() + offset
        keys.extend((docnum << SHIFT) | position for position in matcher.value_as("positions"))
        matcher.next()
    return np.array(keys, dtype=np.int64)


def _decode(values: list[bytes]) -> tuple[np.ndarray, np.ndarray]:
    """(occurrences a posting, every position) of Whoosh's encoded positions, in order.

    Values whose bytes are the pickle of small deltas (nearly all: positions are counted
    within one field of one listing) are read as arrays; any other is unpickled."""
    total = len(values)
    if not total:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    lengths = np.fromiter(map(len, values), dtype=np.int64, count=total)
    data = np.frombuffer(b"".join(values), dtype=np.uint8)
    starts = np.concatenate(([0], np.cumsum(lengths)[:-1]))
    ends = starts + lengths
    head_ok = lengths >= _HEAD + 3
    safe_starts = np.where(head_ok, starts, 0)
    counts = ((data[safe_starts].astype(np.int64) << 24) | (data[safe_starts + 1].astype(
        np.int64) << 16) | (data[safe_starts + 2].astype(np.int64) << 8)
        | data[safe_starts + 3]) if len(data) >= 4 else np.zeros(total, dtype=np.int64)
    stopped = data[np.maximum(ends - 1, 0)] == _STOP
    body = np.where(counts == 1, 3, 2 * counts + 2)  # opcodes and deltas after the prologue
    simple = head_ok & (counts >= 1) & (counts <= 1000) & \
        (lengths == _HEAD + body + stopped)
    for at, byte in enumerate(_PROLOGUE):
        simple &= data[np.where(simple, starts + _INT.size + at, 0)] == byte
    # Where each delta's opcode is: after the prologue (one delta) or the MARK (several).
    first = starts + _HEAD + (counts > 1)
    simple &= np.where(counts > 1, data[np.where(simple, starts + _HEAD, 0)] == _MARK, True)
    last = np.where(counts == 1, _APPEND, _APPENDS)
    simple &= data[np.where(simple, ends - 1 - stopped, 0)] == last
    occurrences = np.where(simple, counts, 0)
    owner = np.repeat(np.arange(total), occurrences)
    within = np.arange(len(owner)) - np.repeat(np.cumsum(occurrences) - occurrences,
                                               occurrences)
    opcodes = first[owner] + 2 * within
    simple[owner[data[opcodes] != _K]] = False
    deltas = data[opcodes + 1].astype(np.int64)
    if simple.all():
        return counts, _running_sums(deltas, counts)
    # The few other values (a delta of 256 or more, a thousand positions): unpickled, and
    # put in their places among the others.
    kept = simple[owner]
    others = np.flatnonzero(~simple)
    decoded = [_unpickled(values[at]) for at in others]
    counts = counts.copy()
    counts[others] = [len(found) for found in decoded]
    positions = np.empty(int(counts.sum()), dtype=np.int64)
    offsets = np.cumsum(counts) - counts
    inside = np.repeat(simple, counts)
    positions[inside] = _running_sums(deltas[kept], counts[simple])
    for at, found in zip(others, decoded, strict=True):
        positions[offsets[at]:offsets[at] + len(found)] = found
    return counts, positions


def _running_sums(deltas: np.ndarray, counts: np.ndarray) -> np.ndarray:
    """Each posting's deltas summed from 0 (its positions), postings one after another."""
    sums = np.cumsum(deltas)
    before = np.repeat(np.concatenate(([0], sums))[np.cumsum(counts) - counts], counts)
    return sums - before


_FORMAT = Positions()


def _unpickled(value: bytes) -> list[int]:
    return _FORMAT.decode_positions(value)


# --- reading, at search time ------------------------------------------------------------------


class TermPositions:
    """The flat copy of an index's positions, looked up by field and term."""

    def __init__(self, index_dir: Path):
        self._runs = Runs(index_dir / TABLE)
        self._keys = os.open(index_dir / KEYS, os.O_RDONLY)
        if os.fstat(self._keys).st_size != 8 * self._runs.total:
            self.close()
            raise ValueError(f"{index_dir}: the positions do not match their table")

    @classmethod
    def of(cls, index_dir: Path) -> TermPositions | None:
        """The index's positions, or None for an index written without them."""
        if not (index_dir / TABLE).is_file() or not (index_dir / KEYS).is_file():
            return None
        return cls(index_dir)

    def get(self, field: str, text: bytes) -> np.ndarray:
        """A term's keys (document << 32 | position), ascending; empty when absent."""
        runs = [np.frombuffer(os.pread(self._keys, 8 * count, 8 * start), dtype="<i8")
                for start, count in self._runs.of(field, text)]
        if not runs:
            return np.zeros(0, dtype=np.int64)
        return runs[0] if len(runs) == 1 else np.concatenate(runs)

    def close(self) -> None:
        if self._keys >= 0:
            os.close(self._keys)
        self._keys = -1

    def __del__(self):
        self.close()


def phrase_documents(keys: list[np.ndarray], candidates: np.ndarray, size: int,
                     slop: int = 1) -> np.ndarray:
    """The documents (of ``candidates``, ascending) where the words whose keys are given
    stand in order, each 1 to ``slop`` positions after the one before (Whoosh's
    ``SpanNear2(ordered=True, mindist=1)``, which its ``Phrase`` is): ascending.

    Whoosh joins spans word by word; whether a chain reaches the next word depends only on
    where the chain so far ends, so the ends are kept, as keys (the low bits the position;
    positions are far below 2**31, so a key minus the slop never reaches another document's
    keys)."""
    if not keys or not len(candidates):
        return np.zeros(0, dtype=np.int64)
    slop = min(slop, (1 << 31) - 1)
    allowed = np.zeros(size, dtype=bool)
    allowed[candidates] = True
    ends = keys[0][allowed[keys[0] >> SHIFT]]
    for word in keys[1:]:
        if not len(ends):
            break
        word = word[allowed[word >> SHIFT]]
        if slop == 1:  # a phrase as typed: the end just before (one lookup, not two)
            at = np.minimum(np.searchsorted(ends, word - 1), len(ends) - 1)
            reached = ends[at] == word - 1
        else:  # an end e with word - slop <= e <= word - 1 (the same document: see above)
            reached = np.searchsorted(ends, word - slop) < np.searchsorted(ends, word)
        ends = word[reached]
        if len(ends):
            allowed[:] = False
            allowed[ends >> SHIFT] = True
    documents = ends >> SHIFT  # ascending, as the keys are
    return documents[np.concatenate(([True], documents[1:] != documents[:-1]))] \
        if len(documents) else documents
