"""The benchmark's synthetic data is valid and builds; the benchmark prints its table."""

from __future__ import annotations

from directory.build import pipeline
from directory.tools import bench, bench_api
from directory.tools.synthetic import write_synthetic_data


def test_synthetic_data_validates_and_builds(tmp_path):
    data = tmp_path / "data"
    write_synthetic_data(data, 60, seed=3)
    catalogue, report, _ = pipeline.check(data)
    assert [str(problem) for problem in report.errors] == []
    assert catalogue.counts()["services"] == 60
    outcome = pipeline.run(data, tmp_path / "instance")
    assert outcome.build is not None and (outcome.build / "directory.db").is_file()


def test_synthetic_data_is_deterministic(tmp_path):
    write_synthetic_data(tmp_path / "a", 20, seed=5)
    write_synthetic_data(tmp_path / "b", 20, seed=5)
    files = sorted(p.name for p in (tmp_path / "a" / "organizations").iterdir())
    assert files == sorted(p.name for p in (tmp_path / "b" / "organizations").iterdir())
    for name in files:
        assert (tmp_path / "a" / "organizations" / name).read_text() == \
            (tmp_path / "b" / "organizations" / name).read_text()


def test_bench_prints_the_table(capsys):
    assert bench.main(["--sizes", "60", "--repeat", "1"]) == 0
    out = capsys.readouterr().out
    assert bench.HEADER in out
    assert any(line.startswith("| 60 |") for line in out.splitlines())
    assert bench.TARGETS_LINE in out


def test_bench_prints_success_at_3(capsys):
    assert bench.main(["--relevance", "--strict"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("success@3: ") and "crisis searches: " in out


def test_bench_api_prints_the_api_table(capsys):
    assert bench.main(["--api", "--sizes", "60", "--repeat", "1"]) == 0
    out = capsys.readouterr().out
    assert bench_api.HEADER in out
    assert any(line.startswith("| 60 |") for line in out.splitlines())
    assert "/api/services/{id} p95 < 10 ms at 60" in out
