"""Read the files under ``data/`` into plain records that remember their file and line.

Nothing here judges the content: that is ``validate``'s job. A file that cannot even be
parsed becomes a problem with its line, never an exception.
"""

from __future__ import annotations

import csv
import os
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from .problems import Problem


class Located(dict):
    """A mapping read from a file: ``line`` is where it starts, ``lines[key]`` where each key is."""

    file: str = ""
    line: int = 0

    def __init__(self, *args, file: str = "", line: int = 0, **kwargs):
        super().__init__(*args, **kwargs)
        self.file = file
        self.line = line
        self.lines: dict = {}
        self.duplicate_keys: list[tuple[str, int]] = []

    def line_of(self, key) -> int:
        return self.lines.get(key, self.line)


class LocatedList(list):
    """A sequence read from a file: ``lines[i]`` is the line of item ``i``."""

    def __init__(self, *args, line: int = 0):
        super().__init__(*args)
        self.line = line
        self.lines: list[int] = []

    def line_of(self, index: int) -> int:
        return self.lines[index] if index < len(self.lines) else self.line


# libyaml's parser (shipped in PyYAML's wheels) reads large data sets several times faster.
_SafeLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_STR = "tag:yaml.org,2002:str"


class _Loader(_SafeLoader):
    """PyYAML's safe loader, building Located/LocatedList so every value keeps its line."""

    file = ""


def _construct_mapping(loader: _Loader, node: yaml.MappingNode) -> Located:
    loader.flatten_mapping(node)
    mapping = Located(file=loader.file, line=node.start_mark.line + 1)
    for key_node, value_node in node.value:
        key = _construct(loader, key_node)
        line = key_node.start_mark.line + 1
        if key in mapping:
            # PyYAML would silently keep the last one; a maintainer should hear about it.
            mapping.duplicate_keys.append((key, line))
        mapping[key] = _construct(loader, value_node)
        mapping.lines[key] = line
    return mapping


def _construct_sequence(loader: _Loader, node: yaml.SequenceNode) -> LocatedList:
    items = LocatedList(line=node.start_mark.line + 1)
    for child in node.value:
        items.append(_construct(loader, child))
        items.lines.append(child.start_mark.line + 1)
    return items


def _construct(loader: _Loader, node: yaml.Node):
    # Most values are plain strings: skip the generic constructor's bookkeeping for them.
    if node.tag == _STR and isinstance(node, yaml.ScalarNode):
        return node.value
    return loader.construct_object(node, deep=True)


_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)
_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_SEQUENCE_TAG, _construct_sequence)


def display_path(path: Path) -> str:
    """The path as a maintainer typed it: relative to the working directory when inside it."""
    relative = os.path.relpath(path)
    return path.as_posix() if relative.startswith("..") else Path(relative).as_posix()


def read_yaml(path: Path, problems: list[Problem]):
    """Parse one YAML file; a syntax error becomes a problem at its line and None is returned."""
    name = display_path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as error:
        problems.append(Problem(name, 1, "",
                                f"is not UTF-8 text ({error.reason}); save it as UTF-8"))
        return None
    loader = _Loader(text)
    loader.file = name
    try:
        return loader.get_single_data()
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line = mark.line + 1 if mark else 1
        what = error.problem or "could not be read"
        problems.append(
            Problem(name, line, "",
                    f"is not valid YAML: {what}; check indentation and quoting here")
        )
        return None
    finally:
        loader.dispose()


def read_csv(path: Path, problems: list[Problem]) -> list[Located]:
    """Read a CSV file into one Located row per record, keyed by the header's column names."""
    name = display_path(path)
    rows: list[Located] = []
    try:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            reader = csv.reader(handle)
            header = next(reader, None)
            if header is None:
                return rows
            header = [column.strip() for column in header]
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
                row = Located(file=name, line=start)
                for column, value in zip(header, values, strict=False):
                    row[column] = value.strip()
                    row.lines[column] = start
                rows.append(row)
    except UnicodeDecodeError as error:
        problems.append(Problem(name, 1, "",
                                f"is not UTF-8 text ({error.reason}); save it as UTF-8"))
    except csv.Error as error:
        problems.append(Problem(name, reader.line_num, "", f"is not valid CSV: {error}"))
    return rows


@dataclass
class Sources:
    """Everything under one data folder, parsed but not yet judged."""

    root: Path
    site: Located | None = None
    taxonomy: Located | None = None
    organizations: list[tuple[str, object]] = field(default_factory=list)  # (file, parsed)
    service_rows: list[Located] = field(default_factory=list)
    retired: Located | None = None  # retired.yaml: ids that must never be used again
    crisis_terms: Located | None = None  # crisis_terms.yaml: words of suicide and danger
    place_rows: list[Located] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    def files(self) -> list[Path]:
        """The files a build depends on, for change detection."""
        return sorted(p for p in self.root.rglob("*") if p.is_file() and not p.name.startswith("."))


def load_sources(root: Path) -> Sources:
    """Read site.yaml, taxonomy.yaml, organizations/*.yaml, services.csv, places.csv,
    retired.yaml and crisis_terms.yaml."""
    sources = Sources(root=root)
    problems = sources.problems
    if not root.is_dir():
        problems.append(Problem(display_path(root), 0, "", "is not a folder of data files"))
        return sources
    for attr, name in (("site", "site.yaml"), ("taxonomy", "taxonomy.yaml")):
        path = root / name
        if path.is_file():
            setattr(sources, attr, read_yaml(path, problems))
        else:
            problems.append(Problem(display_path(path), 0, "",
                                    "is missing; every data folder needs it"))
    for path in sorted((root / "organizations").glob("*.y*ml")):
        before = len(problems)
        record = read_yaml(path, problems)
        if record is None and len(problems) == before:
            problems.append(Problem(display_path(path), 1, "",
                                    "is empty; remove it or add an organization"))
        elif record is not None:
            sources.organizations.append((display_path(path), record))
    if (root / "services.csv").is_file():
        sources.service_rows = read_csv(root / "services.csv", problems)
    if (root / "retired.yaml").is_file():
        sources.retired = read_yaml(root / "retired.yaml", problems)
    if (root / "crisis_terms.yaml").is_file():
        sources.crisis_terms = read_yaml(root / "crisis_terms.yaml", problems)
    if (root / "places.csv").is_file():
        sources.place_rows = read_csv(root / "places.csv", problems)
    return sources

