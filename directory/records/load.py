"""Read the files under ``data/`` into plain records that remember their file and line.

Nothing here judges the content: that is ``validate``'s job. A file that cannot even be
parsed becomes a problem with its line, never an exception.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from . import files
from .files import display_path
from .located import Located, LocatedList
from .problems import Problem
from .sheets import read_csv

__all__ = ["Located", "LocatedList", "Sources", "display_path", "load_sources", "read_csv",
           "read_yaml"]


# libyaml's parser (shipped in PyYAML's wheels) reads large data sets several times faster.
_SafeLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_STR = "tag:yaml.org,2002:str"
# Aliases let a small file stand for a huge tree ("billion laughs"); validation walks every
# value, so a file may stand for at most this many (a state's data is far below it).
MAX_VALUES = 2_000_000
_SCALAR_KEYS = (str, int, float, bool, dt.date, type(None))


# A file without an alias ("*name") stands for no more values than it has nodes, and a
# node takes at least a character or two: a file shorter than this cannot pass MAX_VALUES,
# so its nodes need not be counted (most of the loader's own time on a large data set).
_COUNT_FROM = MAX_VALUES // 4


class _Loader(_SafeLoader):
    """PyYAML's safe loader, building Located/LocatedList so every value keeps its line."""

    file = ""

    def __init__(self, text):
        super().__init__(text)
        self.sizes: dict[int, int] = {}  # id(node) -> values it stands for, aliases expanded
        self.counting = "*" in text or len(text) >= _COUNT_FROM
        # Looked for only in a file with a "#" (``_cut_by_comment``).
        self.text = text if "#" in text else None

    def resolve(self, kind, value, implicit, _scalar=yaml.ScalarNode):
        # PyYAML's resolve, for a loader with no path resolvers, in fewer steps: libyaml
        # asks it once for every value of every file. Same tags (its own regular expressions).
        if kind is _scalar and implicit[0]:
            # Keys and short codes repeat on every record: each distinct one resolved once.
            tag = _TAGS.get(value)
            if tag is None:
                tag = _implicit_tag(value)
                if len(value) <= _INTERN_UP_TO:
                    if len(_TAGS) >= _TAGS_KEPT:
                        _TAGS.clear()
                    _TAGS[value] = tag
            return tag
        return super().resolve(kind, value, implicit)

    # PyYAML's path resolvers, which libyaml calls at every node: this loader has none.
    def descend_resolver(self, current_node, current_index):
        pass

    def ascend_resolver(self):
        pass


def _implicit_tag(value: str) -> str:
    for tag, regexp in _IMPLICIT.get(value[:1], _NO_RESOLVERS):
        if regexp.match(value):
            return tag
    return _STR


_TAGS: dict[str, str] = {}
_TAGS_KEPT = 100_000


# The implicit resolvers by a value's first character ("" for the empty value), the
# wildcard ones after them, as PyYAML's resolve orders them.
_NO_RESOLVERS = tuple(_Loader.yaml_implicit_resolvers.get(None, []))
_IMPLICIT = {first: tuple(resolvers) + _NO_RESOLVERS
             for first, resolvers in _Loader.yaml_implicit_resolvers.items()
             if first is not None}


class _Refused(yaml.constructor.ConstructorError):
    """Valid YAML this loader will not read (a list as a key, an alias bomb): the problem is
    the whole message."""


def _refuse(node: yaml.Node, problem: str):
    raise _Refused(None, None, problem, node.start_mark)


def _count(loader: _Loader, node: yaml.Node, children) -> None:
    if not loader.counting:
        return
    size = 1 + sum(loader.sizes.get(id(child), 1) for child in children)
    loader.sizes[id(node)] = size
    if size > MAX_VALUES:
        _refuse(node, f"stands for more than {MAX_VALUES:,} values here (anchors and "
                      "aliases repeat a block); write the values out or use fewer aliases")


def _construct_mapping(loader: _Loader, node: yaml.MappingNode) -> Located:
    loader.flatten_mapping(node)
    mapping = Located(file=loader.file, line=node.start_mark.line + 1)
    for key_node, value_node in node.value:
        if key_node.tag == _STR and isinstance(key_node, yaml.ScalarNode):  # _construct's own
            key = key_node.value
            key = _intern(key) if len(key) <= _INTERN_UP_TO else key
        else:
            key = _construct(loader, key_node)
        if not isinstance(key, _SCALAR_KEYS):
            # "? [a, b]" or "? {a: b}": a key must be a plain name to be a field.
            _refuse(key_node, "has a list or a mapping as a key; a key must be a plain "
                              "name followed by a colon")
        line = key_node.start_mark.line + 1
        if key in mapping:
            # PyYAML would silently keep the last one; a maintainer should hear about it.
            mapping.duplicate_keys = [*mapping.duplicate_keys, (key, line)]
        mapping[key] = _construct(loader, value_node)
        mapping.lines[key] = line
        if loader.text is not None and (cut := _cut_by_comment(loader, value_node)):
            mapping.cut_by_comment = [*mapping.cut_by_comment,
                                      (key, value_node.end_mark.line + 1, cut)]
    if loader.counting:
        _count(loader, node, [child for pair in node.value for child in pair])
    return mapping


def _construct_sequence(loader: _Loader, node: yaml.SequenceNode) -> LocatedList:
    items = LocatedList(line=node.start_mark.line + 1)
    for child in node.value:
        items.append(_construct(loader, child))
        items.lines.append(child.start_mark.line + 1)
        if loader.text is not None and (cut := _cut_by_comment(loader, child)):
            items.cut_by_comment = [*items.cut_by_comment,
                                    (len(items) - 1, child.end_mark.line + 1, cut)]
    _count(loader, node, node.value)
    return items


def _construct(loader: _Loader, node: yaml.Node):
    # Most values are plain strings: skip the generic constructor's bookkeeping for them.
    if node.tag == _STR and isinstance(node, yaml.ScalarNode):
        value = node.value
        # The parser makes a new string for every value: the keys ("name", "id") and short
        # codes ("en", "voice", a category id) repeat on every record, so one copy of each
        # is kept (a hundred MB at 50,000 services, and the processes forked later share it).
        return _intern(value) if len(value) <= _INTERN_UP_TO else value
    return loader.construct_object(node, deep=True)


_intern = sys.intern
_INTERN_UP_TO = 40
# A comment that starts right after a plain value with no space after its "#": "The #70
# bus stops here" is read as "The" and a comment; "cost: free  # checked" is a comment.
_COMMENT_CUT = re.compile(r"[ \t]+(#\S[^\n]*)")


def _cut_by_comment(loader: _Loader, node: yaml.Node) -> str | None:
    """What YAML dropped as a comment right after a plain value ("#70 Division bus stops
    outside."), or None."""
    if not isinstance(node, yaml.ScalarNode) or node.style:  # plain: "" (libyaml) or None
        return None  # quoted and block values hold their "#"
    found = _COMMENT_CUT.match(loader.text, node.end_mark.index)
    return found.group(1).rstrip() if found else None


def _construct_lenient(kind: str):
    """A scalar constructor that keeps the text when the value is impossible (2026-02-30,
    hour 25, year 0, an integer of 5,000 digits), so the field's checker reports it at its
    line instead of the parser failing on the whole file."""
    strict = getattr(yaml.constructor.SafeConstructor, f"construct_yaml_{kind}")

    def construct(loader: _Loader, node: yaml.ScalarNode):
        try:
            return strict(loader, node)
        except (ValueError, OverflowError):
            return loader.construct_scalar(node)

    return construct


_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)
_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_SEQUENCE_TAG, _construct_sequence)
for _kind in ("timestamp", "int", "float"):
    _Loader.add_constructor(f"tag:yaml.org,2002:{_kind}", _construct_lenient(_kind))


def read_yaml(path: Path, problems: list[Problem], root: Path | None = None):
    """Parse one YAML file; a syntax error becomes a problem at its line and None is returned.

    ``root`` is the data folder: a file is read only when it is a regular file inside it.
    """
    name = display_path(path)
    text = files.text_or_problem(path, root, problems)
    if text is None:
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
            Problem(name, line, "", what if isinstance(error, _Refused) else
                    f"is not valid YAML: {what}; check indentation and quoting here")
        )
    except yaml.reader.ReaderError as error:
        # A NUL or control character: the reader knows the position, not the line.
        line = text[:error.position].count("\n") + 1
        problems.append(Problem(
            name, line, "", f"holds the control character U+{error.character:04X}, which "
                            "YAML does not allow; delete it (it is often invisible)"))
    except yaml.YAMLError as error:
        problems.append(Problem(name, 1, "", f"is not valid YAML: {error}"))
    except RecursionError:
        problems.append(Problem(name, 1, "", "nests lists or mappings too deeply to read; "
                                             "a data file needs a few levels only"))
    finally:
        loader.dispose()
        # The loader is a reference cycle that holds every node of the file until the
        # collector's rare full pass: let the nodes go now (a large data set's peak memory).
        loader.constructed_objects = {}
        loader.sizes = {}
    return None


@dataclass
class Sources:
    """Everything under one data folder, parsed but not yet judged."""

    root: Path
    site: Located | None = None
    taxonomy: Located | None = None
    # (file, parsed), or (file, checked) when read by the build's ``loading``
    organizations: list[tuple[str, object]] = field(default_factory=list)
    service_rows: list[Located] = field(default_factory=list)
    retired: Located | None = None  # retired.yaml: ids that must never be used again
    crisis_terms: Located | None = None  # crisis_terms.yaml: words of suicide and danger
    place_rows: list[Located] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    def files(self) -> list[Path]:
        """The files a build depends on, for change detection (regular files inside the data
        folder only: a link out of it or a FIFO is never read, here or anywhere)."""
        folders: dict[Path, Path] = {}  # resolved once for all their files
        return sorted(p for p in self.root.rglob("*")
                      if not p.name.startswith(".") and files.is_data_file(p, self.root, folders))


ORGANIZATIONS = "organizations"
YAML_SUFFIXES = (".yaml", ".yml")


def organization_files(root: Path, problems: list[Problem]) -> list[Path]:
    """The organization files; a misnamed one is a problem, never silently skipped."""
    folder = root / ORGANIZATIONS
    if not folder.is_dir():
        return []
    found = []
    for path in sorted(folder.iterdir()):
        suffix = path.suffix
        if path.name.startswith("."):
            continue
        if suffix in YAML_SUFFIXES:
            found.append(path)  # a folder named x.yaml is refused when read
        elif suffix.lower() in YAML_SUFFIXES:
            problems.append(Problem(display_path(path), 0, "",
                                    f"ends in {suffix}, which is not read; rename it to "
                                    f"{path.stem}{suffix.lower()}"))
        else:
            problems.append(Problem(display_path(path), 0, "",
                                    "is not a .yaml file, so it is not read; organizations/ "
                                    "holds one <org-id>.yaml file per organization",
                                    "warning"))
    return found


def read_organization_files(paths: list[Path], root: Path) -> tuple[list, list[Problem]]:
    """The organization files ``paths`` as (file, parsed) pairs, in order, and their
    problems, in order."""
    problems: list[Problem] = []
    return list(each_organization(paths, root, problems)), problems


def each_organization(paths: list[Path], root: Path, problems: list[Problem]):
    """(file, parsed) for each organization file in turn, read as it is asked for; the
    files' problems are added to ``problems``."""
    for path in paths:
        before = len(problems)
        record = read_yaml(path, problems, root)
        if record is None and len(problems) == before:
            problems.append(Problem(display_path(path), 1, "",
                                    "is empty; remove it or add an organization"))
        elif record is not None:
            yield display_path(path), record


def load_sources(root: Path, read_organizations=None) -> Sources:
    """Read site.yaml, taxonomy.yaml, organizations/*.yaml, services.csv, places.csv,
    retired.yaml and crisis_terms.yaml (geocodes.csv is the geocode cache's, ``geo.cache``).

    ``read_organizations(paths, sources)``: the organization files as
    ``read_organization_files`` reads them, given the sources read so far (site.yaml and
    taxonomy.yaml); the build's reads a large folder's in two processes at once."""
    sources = Sources(root=root)
    problems = sources.problems
    if not root.is_dir():
        problems.append(Problem(display_path(root), 0, "", "is not a folder of data files"))
        return sources
    for attr, name, holds in (("site", "site.yaml", "site settings"),
                              ("taxonomy", "taxonomy.yaml", "categories")):
        path = root / name
        if not os.path.lexists(path):
            problems.append(Problem(display_path(path), 0, "",
                                    "is missing; every data folder needs it"))
            continue
        before = len(problems)
        value = read_yaml(path, problems, root)
        if value is None and len(problems) == before:
            problems.append(Problem(display_path(path), 1, "",
                                    f"is empty; every data folder needs its {holds} here"))
        setattr(sources, attr, value)
    paths = organization_files(root, problems)
    sources.organizations, found = read_organization_files(paths, root) \
        if read_organizations is None else read_organizations(paths, sources)
    problems += found
    if os.path.lexists(root / "services.csv"):
        sources.service_rows = read_csv(root / "services.csv", problems, root)
    if os.path.lexists(root / "retired.yaml"):
        sources.retired = read_yaml(root / "retired.yaml", problems, root)
    if os.path.lexists(root / "crisis_terms.yaml"):
        sources.crisis_terms = read_yaml(root / "crisis_terms.yaml", problems, root)
    if os.path.lexists(root / "places.csv"):
        sources.place_rows = read_csv(root / "places.csv", problems, root)
    return sources
