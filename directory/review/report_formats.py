"""Validation problems for people (text), for GitHub pull requests (annotations), for tools (JSON).

GitHub Actions turns lines such as ``::error file=data/x.yaml,line=4,title=cost::message``
printed by a step into annotations shown on the pull request's diff. It shows at most ten
errors and ten warnings per step, in the order printed, so errors come first.
"""

from __future__ import annotations

import json

from ..records.problems import Problem, Report

FORMATS = ("text", "github", "json")


def escape_data(text: str) -> str:
    """A workflow command's message: %, CR and LF would end or corrupt the command."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    """A workflow command's property value: also , and : which separate properties."""
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def github_annotation(problem: Problem) -> str:
    """One problem as a GitHub Actions ``::error`` or ``::warning`` workflow command."""
    properties = {"file": problem.file}
    if problem.line:
        properties["line"] = str(problem.line)
    properties["title"] = problem.field or "data file"
    joined = ",".join(f"{key}={escape_property(value)}" for key, value in properties.items())
    return f"::{problem.level} {joined}::{escape_data(problem.message)}"


def github_annotations(report: Report) -> list[str]:
    """Every problem as an annotation, errors first (GitHub shows only the first ten of each)."""
    ordered = sorted(report.sorted(), key=lambda problem: not problem.is_error)
    return [github_annotation(problem) for problem in ordered]


def counts_line(report: Report) -> str:
    errors, warnings = len(report.errors), len(report.warnings)
    return (f"{errors} error{'' if errors == 1 else 's'}, "
            f"{warnings} warning{'' if warnings == 1 else 's'}")


def as_json(report: Report, counts: dict[str, int]) -> str:
    """``{"problems": [{file, line, field, message, level}], "summary": {...}}``."""
    problems = [{"file": p.file, "line": p.line, "field": p.field, "message": p.message,
                 "level": p.level} for p in report.sorted()]
    summary = {"errors": len(report.errors), "warnings": len(report.warnings),
               "ok": not report.errors, **counts}
    return json.dumps({"problems": problems, "summary": summary}, indent=2, ensure_ascii=False)
