"""Python's cycle collector during a build: paused while data is read, frozen before forking.

Loading and validating a large data set allocates millions of objects that live until the
build ends (the records, then the catalogue) and makes almost no reference cycles. The
collector still walks every live object again and again as the heap grows: at 50,000
services that was half of the loading's time. Paused, the same objects are made (nothing
is collected either way: the loader lets its nodes go by reference counting).

Frozen (``gc.freeze``) before the writing processes are forked, the catalogue is left out of
every later collection, in the build and in its children: a collection in a forked child
writes to the header of every object it walks, which copied the catalogue's pages into each
child (copy-on-write) instead of sharing them.
"""

from __future__ import annotations

import contextlib
import gc


@contextlib.contextmanager
def paused():
    """No cyclic collection inside the block (reference counting still frees objects)."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


@contextlib.contextmanager
def frozen():
    """Every object alive now left out of collections until the block ends (``gc.freeze``),
    in this process and in the processes it forks meanwhile."""
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()
