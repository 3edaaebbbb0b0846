"""The organization files of a large data folder read and checked by two processes at once.

Reading, parsing (YAML, every value with its line) and checking them is most of loading and
validating a data folder, and ran on one core while the other idled. A forked child reads
and checks the last part of the files and hands back the organizations and problems,
pickled; the build reads and checks the first part meanwhile, and ``validate`` takes both
parts as checked (``validate.Checked``). The catalogue and the problems are those one
process finds, in the same order.
"""

from __future__ import annotations

import os
from pathlib import Path

from ..data.validate import Checked, organization_check
from ..records.load import Sources, each_organization, read_organization_files
from ..records.problems import Problem, Report
from ..search.processes import Forked

# Below this many files one process reads them: forking and pickling cost more than they
# save (a file takes ~1 ms to read and check; 1,000 take about a second).
SPLIT_FROM = 2000
# The build's own share of the files: the child also pickles what it found (~a fifth of
# the time it took) and the build unpickles it, so the child takes fewer files.
OWN_SHARE = 0.55


def read_organizations(paths: list[Path], sources: Sources) -> tuple[list, list[Problem]]:
    """``read_organization_files(paths, root)``, each file checked (``validate.Checked``),
    in two processes from ``SPLIT_FROM`` files where there are two cores to run them."""
    if len(paths) < SPLIT_FROM or (os.cpu_count() or 1) < 2 or not hasattr(os, "fork"):
        return read_organization_files(paths, sources.root)
    cut = round(len(paths) * OWN_SHARE)
    child = Forked(lambda: _read_and_check(paths[cut:], sources))
    try:
        organizations, problems = _read_and_check(paths[:cut], sources)
        theirs, their_problems = child.wait()
    finally:
        child.stop()
    return organizations + theirs, problems + their_problems


def _read_and_check(paths: list[Path], sources: Sources) -> tuple[list, list[Problem]]:
    """The files read, each checked as ``validate`` checks it and its parsed form let go."""
    check = organization_check(sources)
    checked, problems = [], []
    for file, raw in each_organization(paths, sources.root, problems):
        report = Report()
        checked.append((file, Checked(check(file, raw, report), report.problems)))
    return checked, problems
