from pathlib import Path

import yaml

from directory.records.load import load_sources, read_csv, read_yaml


def test_yaml_values_remember_their_lines(tmp_path: Path):
    path = tmp_path / "org.yaml"
    path.write_text("id: a\nname: A\nservices:\n  - id: s\n    name: S\n  - id: t\n")
    problems = []
    record = read_yaml(path, problems)
    assert problems == []
    assert record.line_of("services") == 3
    services = record["services"]
    assert services.line_of(1) == 6
    assert services[0].line_of("name") == 5


def test_yaml_syntax_error_is_a_problem_at_its_line(tmp_path: Path):
    path = tmp_path / "bad.yaml"
    path.write_text("id: a\nname: x\n  bad: indent\n")
    problems = []
    assert read_yaml(path, problems) is None
    # libyaml (used when PyYAML has it, as its wheels do) words the problem a little differently.
    problem = "mapping values are not allowed " + ("in this context" if yaml.__with_libyaml__
                                                   else "here")
    assert [(p.line, p.message) for p in problems] == [
        (3, f"is not valid YAML: {problem}; check indentation and quoting here")]


def test_duplicate_keys_are_kept_for_validation(tmp_path: Path):
    path = tmp_path / "dup.yaml"
    path.write_text("id: a\nname: A\nname: B\n")
    record = read_yaml(path, [])
    assert record.duplicate_keys == [("name", 3)]


def test_csv_rows_know_their_line_even_with_quoted_newlines(tmp_path: Path):
    path = tmp_path / "s.csv"
    path.write_text('id,description\na,"two\nlines"\n\nb,plain\n')
    rows = read_csv(path, [])
    assert [(row["id"], row.line) for row in rows] == [("a", 2), ("b", 5)]


def test_csv_row_with_too_many_cells_is_reported(tmp_path: Path):
    path = tmp_path / "s.csv"
    path.write_text("id,name\na,b,c\n")
    problems = []
    assert read_csv(path, problems) == []
    assert "has 3 cells but the header has 2 columns" in problems[0].message


def test_missing_folder_and_files_are_problems(tmp_path: Path):
    sources = load_sources(tmp_path / "nowhere")
    assert [p.message for p in sources.problems] == ["is not a folder of data files"]
    sources = load_sources(tmp_path)
    assert {Path(p.file).name for p in sources.problems} == {"site.yaml", "taxonomy.yaml"}


SCALARS = ["yes", "No", "on", "OFF", "true", "~", "null", "", "12", "-3", "+4", "0x1F", "0o17",
           "1_000", "1.5", ".5", "-.inf", ".NaN", "6.02e23", "2026-01-01", "<<x",
           "2026-01-01 10:00:00", "12:30", "010", "text", "Yes please", "1a", "-1-", "+"]


def test_values_read_as_pyyaml_reads_them(tmp_path: Path):
    """The loader's own resolver gives every plain value the type PyYAML's would."""
    path = tmp_path / "values.yaml"
    text = "".join(f"k{i}: {value}\n" for i, value in enumerate(SCALARS))
    text += "list: [" + ", ".join(value or "''" for value in SCALARS) + "]\n"
    path.write_text(text)
    record = read_yaml(path, [])
    expected = yaml.safe_load(text)
    assert dict(record) == expected
    def types(values):
        return [type(value) for value in values]

    assert types(record.values())[:-1] == types(expected.values())[:-1]
    assert types(record["list"]) == types(expected["list"])


def test_a_large_file_of_many_values_is_still_refused(tmp_path: Path, monkeypatch):
    """Nodes are counted when a file is long enough to hold more than MAX_VALUES of them,
    even without an alias."""
    from directory.records import load

    monkeypatch.setattr(load, "MAX_VALUES", 1000)
    monkeypatch.setattr(load, "_COUNT_FROM", 250)
    path = tmp_path / "many.yaml"
    path.write_text("items: [" + ", ".join("x" for _ in range(1200)) + "]\n")
    problems = []
    assert read_yaml(path, problems) is None
    assert "stands for more than 1,000 values" in problems[0].message
