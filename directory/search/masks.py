"""Sets of document numbers as bit masks: one Python ``int`` whose bit ``n`` is set when
document ``n`` is in the set.

AND, OR and counts of masks are single integer operations (``facets``, ``finder``); numpy's
boolean arrays are the same sets in the form vector code wants (``ranking``, ``nearby``).
"""

from __future__ import annotations

import numpy as np


def mask_of(docnums, size: int) -> int:
    """The mask with the given document numbers set."""
    if not isinstance(docnums, np.ndarray):
        docnums = np.fromiter(docnums, dtype=np.int64)
    present = np.zeros(size, dtype=bool)
    present[docnums] = True
    return to_mask(present)


def to_array(mask: int, size: int) -> np.ndarray:
    """A mask as a boolean array of ``size`` documents."""
    packed = np.frombuffer(mask.to_bytes((size + 7) // 8 or 1, "little"), dtype=np.uint8)
    return np.unpackbits(packed, count=size, bitorder="little").astype(bool)


def to_mask(present: np.ndarray) -> int:
    """A boolean array as a mask."""
    return int.from_bytes(np.packbits(present, bitorder="little").tobytes(), "little")


def positions(mask: int, size: int) -> list[int]:
    """The document numbers in a mask, lowest first."""
    return np.flatnonzero(to_array(mask, size)).tolist()


def first_in(order, mask: int, size: int, start: int, count: int) -> list[int]:
    """The documents of ``order`` (document numbers) that are in the mask, keeping their
    order, from position ``start``, at most ``count`` of them."""
    order = np.asarray(order, dtype=np.int64)
    kept = order[to_array(mask, size)[order]] if len(order) else order
    return kept[start:start + count].tolist()
