"""A large data folder's organization files are read and checked by two processes: the same
catalogue (records with their lines) and problems, in the same order, as one process finds."""

from __future__ import annotations

from directory.build import loading
from directory.data.validate import validate
from directory.records.load import Located, LocatedList, load_sources
from directory.tools.synthetic import write_synthetic_data
from tests.conftest import FIXTURE_DAY


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
    # And problems only the check finds, in the child's part: an id that is not the file's
    # name, a category that does not exist, a phone number that is not one.
    (folder / "zzz-checked.yaml").write_text(
        "id: not-the-file-name\nname: Checked\nservices:\n  - id: checked-one\n"
        "    name: Checked one\n    categories: [no-such-category]\n"
        "    phones:\n      - number: twelve\n")
    monkeypatch.setattr(loading, "SPLIT_FROM", 10)
    monkeypatch.setattr(loading.os, "cpu_count", lambda: 2)  # on any machine

    one_sources = load_sources(data)
    two_sources = load_sources(data, loading.read_organizations)
    assert [str(p) for p in two_sources.problems] == [str(p) for p in one_sources.problems]
    one, one_report = validate(one_sources, FIXTURE_DAY)
    two, two_report = validate(two_sources, FIXTURE_DAY)

    for kind in ("organizations", "services", "locations"):
        assert [_shape(record) for record in getattr(two, kind)] == \
            [_shape(record) for record in getattr(one, kind)], kind
    assert [str(problem) for problem in two_report.problems] == \
        [str(problem) for problem in one_report.problems]
    said = [str(problem) for problem in two_report.problems]
    for name in ("aaa-empty", "aab-broken", "zzz-broken", "zzz-empty"):
        assert any(f"{name}.yaml" in line for line in said), name
    checked = " ".join(line for line in said if "zzz-checked.yaml" in line)
    assert "does not match the file name" in checked and "no-such-category" in checked \
        and "twelve" in checked
    quirks = " ".join(line for line in said if "zzz-quirks.yaml" in line)
    assert "#70 bus stops outside." in quirks and "twice" in quirks
    # Both parts came checked (one of them from another process).
    assert all(type(raw).__name__ == "Checked" for _, raw in
               loading.read_organizations(sorted(folder.glob("*.yaml")), one_sources)[0])


def test_a_small_folder_is_read_by_one_process(tmp_path, monkeypatch):
    data = tmp_path / "data"
    write_synthetic_data(data, 40, seed=2)
    forked = []
    monkeypatch.setattr(loading, "Forked", lambda work: forked.append(work))
    sources = load_sources(data, loading.read_organizations)
    assert sources.organizations and not forked


def test_one_core_reads_in_one_process(tmp_path, monkeypatch):
    """On one core the child would only add its pickling to the same work."""
    data = tmp_path / "data"
    write_synthetic_data(data, 200, seed=2)
    monkeypatch.setattr(loading, "SPLIT_FROM", 10)
    monkeypatch.setattr(loading.os, "cpu_count", lambda: 1)
    forked = []
    monkeypatch.setattr(loading, "Forked", lambda work: forked.append(work))
    sources = load_sources(data, loading.read_organizations)
    assert len(sources.organizations) >= 40 and not forked
