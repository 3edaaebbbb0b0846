"""The organization files of a large data folder read by two processes at once.

Reading and parsing them is most of loading a data folder (YAML, every value with its line)
and ran on one core while the other idled. A forked child reads the last part of the files
and hands its records back pickled; the build reads the first part meanwhile. The records
and problems are those one process reads, in the same order.
"""

from __future__ import annotations

from pathlib import Path

from ..records.load import read_organization_files
from ..records.problems import Problem
from ..search.processes import Forked

# Below this many files one process reads them: forking and pickling cost more than they
# save (a file takes ~0.6 ms; 1,000 are read in well under a second).
SPLIT_FROM = 2000
# The build's own share: the child also pickles what it read (~a quarter of the time it
# took to read it) and the build unpickles it, so the child takes fewer files and both
# halves end together.
OWN_SHARE = 0.55


def read_organizations(paths: list[Path], root: Path) -> tuple[list, list[Problem]]:
    """``read_organization_files(paths, root)``, in two processes from ``SPLIT_FROM`` files."""
    if len(paths) < SPLIT_FROM:
        return read_organization_files(paths, root)
    cut = round(len(paths) * OWN_SHARE)
    child = Forked(lambda: read_organization_files(paths[cut:], root))
    try:
        organizations, problems = read_organization_files(paths[:cut], root)
        theirs, their_problems = child.wait()
    finally:
        child.stop()
    return organizations + theirs, problems + their_problems
