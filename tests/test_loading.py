"""A large data folder's organization files are read by two processes: the same records,
lines and problems, in the same order, as one process reads."""

from __future__ import annotations

from directory.build import loading
from directory.records.load import Located, LocatedList, load_sources
from directory.tools.synthetic import write_synthetic_data


def _shape(value):
    """A parsed value with everything a record remembers of its file: lines, duplicate keys,
    values YAML cut at ' #', and the kind of container."""
    if isinstance(value, Located):
        return ("mapping", value.file, value.line, dict(value.lines),
                list(value.duplicate_keys), list(value.cut_by_comment),
                {key: _shape(item) for key, item in value.items()})
    if isinstance(value, LocatedList):
        return ("list", value.line, list(value.lines), list(value.cut_by_comment),
                [_shape(item) for item in value])
    return (type(value).__name__, value)


def test_two_processes_read_what_one_reads_problems_included(tmp_path, monkeypatch):
    data = tmp_path / "data"
    write_synthetic_data(data, 200, seed=2)
    folder = data / "organizations"
    files = sorted(folder.iterdir())
    assert len(files) >= 40
    # Problems on both sides of the split (the child reads the last part).
    (folder / "aaa-empty.yaml").write_text("")
    (folder / "aab-broken.yaml").write_text("id: broken\nname: [unclosed\n")
    (folder / "zzz-broken.yaml").write_text("id: broken-too\n  name: bad indent\n")
    (folder / "zzz-empty.yaml").write_text("# nothing but a comment\n")
    (folder / "zzz-quirks.yaml").write_text(
        "id: quirks\nid: twice\nname: Quirks\ndescription: The #70 bus stops outside.\n"
        "services:\n  - id: quirk\n    name: One #2\n")
    monkeypatch.setattr(loading, "SPLIT_FROM", 10)

    one = load_sources(data)
    two = load_sources(data, loading.read_organizations)

    assert [name for name, _ in two.organizations] == [name for name, _ in one.organizations]
    assert [_shape(record) for _, record in two.organizations] == \
        [_shape(record) for _, record in one.organizations]
    assert [str(problem) for problem in two.problems] == [str(p) for p in one.problems]
    said = " ".join(str(problem) for problem in two.problems)
    for name in ("aaa-empty", "aab-broken", "zzz-broken", "zzz-empty"):
        assert f"{name}.yaml" in said
    quirks = dict(two.organizations)[next(n for n, _ in two.organizations if "quirks" in n)]
    assert quirks.duplicate_keys == [("id", 2)]
    assert quirks.cut_by_comment == [("description", 4, "#70 bus stops outside.")]
    assert type(quirks["services"]) is LocatedList


def test_a_small_folder_is_read_by_one_process(tmp_path, monkeypatch):
    data = tmp_path / "data"
    write_synthetic_data(data, 40, seed=2)
    forked = []
    monkeypatch.setattr(loading, "Forked", lambda work: forked.append(work))
    sources = load_sources(data, loading.read_organizations)
    assert sources.organizations and not forked
