"""A large index written by forked processes, one segment each, from parts of the catalogue.

Whoosh's ``MpWriter`` (``processes.SafeMpWriter``) has the build pickle every document into
files that its processes read back, hands the batches to whichever process asks first (so
a document's number depends on timing), and leaves the flat copies of the postings and
positions (``postings``, ``positions``) to be read back from the finished index's blocks by
the build. Here each process is forked with the catalogue already in memory, makes the
documents of its own part itself (nothing pickled), writes one segment and the parts of the
flat copies it holds in memory anyway; the build only joins them. Parts are consecutive,
so document numbers follow the catalogue's order, as in an index written by one process.

A process dies with the build and its failure is one line (``processes.Forked``).
"""

from __future__ import annotations

import gc
from collections.abc import Callable, Iterable
from pathlib import Path

from whoosh import index as whoosh_index
from whoosh.writing import SegmentWriter

from . import positions, postings, segments
from .index import schema_for
from .processes import Forked, IndexingFailed, reason
from .writing import FastSegmentWriter

Documents = Callable[[], Iterable[dict]]


def write_index_in_parts(path: Path, parts: list[tuple[int, Documents]],
                         languages=("en",)) -> None:
    """Write a new index folder from ``parts``: (how many documents, a function making
    them), each by a forked process into a segment of its own, in the order given."""
    path.mkdir(parents=True)
    ix = whoosh_index.create_in(str(path), schema_for(languages))
    parts = [(size, documents) for size, documents in parts if size]
    offsets = [sum(size for size, _ in parts[:at]) for at in range(len(parts))]
    children: list[Forked] = []
    try:
        for number, ((size, documents), offset) in enumerate(zip(parts, offsets,
                                                                    strict=True)):
            children.append(Forked(lambda number=number, offset=offset, size=size,
                                   documents=documents:
                                   _write_part(ix, path, number, offset, size, documents)))
        written = [child.wait() for child in children]
    finally:
        for child in children:
            child.stop()
    writer = SegmentWriter(ix)  # the index's lock, and the table of its segments
    try:
        writer._close_segment()  # its own segment holds nothing and is not listed
        writer._commit_toc([segment for segment, _, _ in written])
    finally:
        writer._finish()
    expected = sum(size for size, _ in parts)
    with segments.open_index(str(path)).reader() as reader:
        if reader.doc_count_all() != expected:  # never serve an index that lost a segment
            raise RuntimeError(f"the index holds {reader.doc_count_all()} of {expected} "
                               "documents")
    postings.join(path, [arrays for _, arrays, _ in written])
    positions.join(path, [part for _, _, part in written])


def _write_part(ix, path: Path, number: int, offset: int, size: int, documents: Documents):
    """In the forked process: one segment of the part's documents, its arrays and its
    positions."""
    # What is allocated here (postings) makes no reference cycles; the collector would only
    # walk it again and again.
    gc.disable()
    try:
        writer = FastSegmentWriter(ix, _lk=False)
        writer.arrays = postings.Arrays(path, number, offset)
        writer.positions = positions.Part(path, number, offset)
        count = 0
        for document in documents():
            writer.add_document(**document)
            count += 1
        if count != size:
            raise RuntimeError(f"part {number} made {count} of {size} documents")
        segment = writer._finalize_segment()
        return segment, writer.arrays.close(), writer.positions.close()
    except Exception as error:  # e.g. a full disk: one line, as the build says it
        raise IndexingFailed(f"an indexing process failed: {reason(error)}") from None
