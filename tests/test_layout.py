"""The package by area: floors that run one way, no import circle, no Flask in the engine.

Read from the code itself (every ``import`` and ``from ... import`` in every module, those
inside functions too), so a new import that reaches up a floor fails here, naming the file,
the line and the import.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "directory"

# Bottom to top: a package imports only packages on a lower floor (and itself).
# ``hsds`` sits under ``build``, not beside ``web`` as LAYOUT.md first drew it: each build
# writes the HSDS export, and the site's API serves the same mapping.
FLOORS = [
    {"records"},
    {"geo", "hours"},
    {"data"},
    {"search"},
    {"hsds"},
    {"build"},
    {"web", "review", "tools"},
    {"cli"},
]
# The ways in: the package's face (``ROOT``, ``create_app`` on first use), ``python -m``,
# and gunicorn's two files. They sit above every floor and nothing imports them but ROOT.
WAYS_IN = {"__init__", "__main__", "wsgi", "gunicorn_conf"}
# The engine, and everything below it, runs without a web framework.
NO_WEB = {"records", "geo", "hours", "data", "search"}
WEB_LIBRARIES = {"flask", "flask_babel", "werkzeug", "jinja2", "markupsafe"}


def floor_of(package: str) -> int:
    return next(number for number, floor in enumerate(FLOORS) if package in floor)


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def modules() -> dict[str, Path]:
    return {module_name(path): path for path in sorted(PACKAGE.rglob("*.py"))}


def imports(path: Path, known: dict[str, Path]):
    """(line, imported module, as written) for every import of the project's own modules,
    and (line, library, as written) for third-party ones."""
    name = module_name(path)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name, f"import {alias.name}"
        elif isinstance(node, ast.ImportFrom):
            written = f"from {'.' * node.level}{node.module or ''} import " + \
                ", ".join(alias.name for alias in node.names)
            if node.level:
                base = package.split(".")[:len(package.split(".")) - node.level + 1]
                base = ".".join(base + ([node.module] if node.module else []))
            else:
                base = node.module
            for alias in node.names:
                candidate = f"{base}.{alias.name}"
                yield node.lineno, candidate if candidate in known else base, written


def own_edges():
    known = modules()
    for name, path in known.items():
        if area(name) is None:  # the ways in may import anything
            continue
        for line, target, written in imports(path, known):
            if target in known:
                yield name, path, line, target, written


def area(module: str) -> str | None:
    """``directory.search.finder`` → ``search``; the face and the ways in → None."""
    parts = module.split(".")
    if len(parts) == 1 or (len(parts) == 2 and parts[1] in WAYS_IN):
        return None
    return parts[1]


def test_only_the_ways_in_stay_at_the_top():
    loose = sorted(path.name for path in PACKAGE.glob("*.py") if path.stem not in WAYS_IN)
    assert loose == [], f"modules outside any area: {loose}; move each into its package"
    packages = {path.name for path in PACKAGE.iterdir()
                if path.is_dir() and (path / "__init__.py").exists()}
    unplaced = packages - set().union(*FLOORS)
    assert not unplaced, f"packages without a floor in tests/test_layout.py: {unplaced}"


def test_no_package_imports_one_above_it():
    wrong = []
    for name, path, line, target, written in own_edges():
        source, imported = area(name), area(target)
        if imported is None:  # the face: only ROOT, which imports nothing
            if written != "from .. import ROOT":
                wrong.append(f"{path.relative_to(PACKAGE.parent)}:{line}: {written} "
                             "(from the package's face take only ROOT)")
            continue
        if source != imported and floor_of(imported) >= floor_of(source):
            wrong.append(f"{path.relative_to(PACKAGE.parent)}:{line}: {written} "
                         f"({source} may not import {imported}: same floor or above)")
    assert wrong == [], "\n".join(wrong)


def test_no_import_circle():
    graph: dict[str, set[str]] = {}
    where: dict[tuple[str, str], str] = {}
    for name, path, line, target, written in own_edges():
        if target == "directory":
            continue
        graph.setdefault(name, set()).add(target)
        where[name, target] = f"{path.relative_to(PACKAGE.parent)}:{line}: {written}"
    circles, state = [], {}

    def visit(node, trail):
        state[node] = "open"
        for after in sorted(graph.get(node, ())):
            if state.get(after) == "open":
                loop = trail[trail.index(after):] + [after]
                circles.append(" → ".join(loop) + "\n    " + "\n    ".join(
                    where[a, b] for a, b in zip(loop, loop[1:], strict=False)))
            elif after not in state:
                visit(after, [*trail, after])
        state[node] = "done"

    for node in sorted(graph):
        if node not in state:
            visit(node, [node])
    assert circles == [], "import circles:\n" + "\n".join(circles)


def test_the_engine_imports_no_web_framework():
    known = modules()
    wrong = [f"{path.relative_to(PACKAGE.parent)}:{line}: {written}"
             for name, path in known.items() if area(name) in NO_WEB
             for line, target, written in imports(path, known)
             if target.split(".")[0] in WEB_LIBRARIES]
    assert wrong == [], "\n".join(wrong)


def test_a_script_can_search_a_build_without_flask(built_instance):
    script = (
        "import sys\n"
        "from pathlib import Path\n"
        "from directory.build.layout import Build\n"
        "from directory.search import queries\n"
        "from directory.search.index import Index\n"
        f"build = Build(Path({str(built_instance / 'current')!r}).resolve())\n"
        "db = build.connect()\n"
        "index = build.index(lambda: queries.synonyms(db))\n"
        "hits = index.search('counselling', per_page=3)\n"
        "print(hits.total, 'flask' in sys.modules)\n")
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          check=True)
    total, flask_loaded = done.stdout.split()
    assert int(total) > 0 and flask_loaded == "False"
