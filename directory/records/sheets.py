"""Read a CSV sheet (services.csv, places.csv, geocodes.csv) into rows that remember their line.

A header that names a column twice or leaves one unnamed stops the sheet (every cell would
land in the wrong column). A row with fewer cells than the header is read as if the last ones
were empty; when its cells then do not fit their columns, ``realigned`` and ``missing_cell``
help the checks say where a cell went missing, once, instead of one message per column.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from pathlib import Path

from .files import display_path, text_or_problem
from .located import Located
from .problems import Problem


class Row(Located):
    """A CSV row; also keeps its cells as read (``values``) and the ``header``."""



def _control_character(value: str) -> str | None:
    for char in value:
        if char < " " and char not in "\t\n\r" or "\x7f" <= char <= "\x9f":
            return char
    return None


def read_csv(path: Path, problems: list[Problem], root: Path | None = None) -> list[Located]:
    """Read a CSV file into one Located row per record, keyed by the header's column names.

    A header that names a column twice, or leaves one unnamed, is reported and nothing is
    read (every cell would land in the wrong column); so is a row with more cells than the
    header (a missing quote around a comma). A row with fewer cells is read as if the last
    ones were empty; ``realigned`` helps say when that is wrong.
    """
    name = display_path(path)
    rows: list[Located] = []
    text = text_or_problem(path, root, problems)
    if text is None:
        return rows
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader, None)
        if header is None:
            return rows
        header = [column.strip() for column in header]
        if not _check_header(header, name, problems):
            return rows
        line = reader.line_num
        for values in reader:
            start, line = line + 1, reader.line_num
            if not any(value.strip() for value in values):
                continue
            if len(values) > len(header):
                problems.append(Problem(
                    name, start, "",
                    f"has {len(values)} cells but the header has {len(header)} columns; "
                    "quote cells that contain commas",
                ))
                continue
            row = Row(file=name, line=start)
            # Spreadsheets may leave out empty cells at the end of a row; a row this short
            # may also have lost a cell in the middle (see ``short_row``).
            row.values, row.header = values, header
            for column, value in zip(header, values, strict=False):
                bad = _control_character(value)
                if bad is not None:
                    problems.append(Problem(
                        name, start, column, f"holds the control character U+{ord(bad):04X}; "
                                             "delete it (it is often invisible)"))
                    value = "".join(char for char in value if _control_character(char) is None)
                row[column] = value.strip()
                row.lines[column] = start
            rows.append(row)
    except csv.Error as error:
        problems.append(Problem(name, reader.line_num or 1, "", f"is not valid CSV: {error}"))
    return rows


def realigned(row: Located) -> Iterator[tuple[str, Located]]:
    """For a CSV row with fewer cells than the header: the row with one empty cell put back at
    each place in turn, with the column it would be (a cell lost in the middle shifts every
    later cell into the wrong column; the checks find which place makes the row right)."""
    values, header = getattr(row, "values", None), getattr(row, "header", None)
    if values is None or len(values) >= len(header):
        return
    for index in range(len(values)):
        if not any(value.strip() for value in values[index:]):
            break  # nothing after this place would move
        candidate = Located(file=row.file, line=row.line)
        for column, value in zip(header, [*values[:index], "", *values[index:]], strict=False):
            candidate[column] = value.strip()
            candidate.lines[column] = row.line
        yield header[index], candidate


def missing_cell(row: Located) -> str:
    """The message for a short row that fits its header once a cell is added at a column."""
    return (f"is missing its cell, or a cell before it is: the row has {len(row.values)} cells "
            f"for {len(row.header)} columns, and only with one more cell here do the later "
            "cells fit their columns; add it (an empty cell still needs its comma)")


def _check_header(header: list[str], name: str, problems: list[Problem]) -> bool:
    seen: set[str] = set()
    good = True
    for number, column in enumerate(header, start=1):
        if not column:
            problems.append(Problem(name, 1, "", f"column {number} of the header has no name; "
                                                 "name it or delete the column"))
            good = False
        elif column in seen:
            problems.append(Problem(name, 1, column, f"is a column name twice in the header "
                                                     f"(again in column {number}); rename or "
                                                     "delete one"))
            good = False
        seen.add(column)
    return good
