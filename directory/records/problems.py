"""What validation finds: a problem names the file, line and field, and says how to fix it."""

from __future__ import annotations

from dataclasses import dataclass

ERROR = "error"
WARNING = "warning"


@dataclass(frozen=True)
class Problem:
    file: str
    line: int
    field: str
    message: str
    level: str = ERROR

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        prefix = "" if self.level == ERROR else "warning: "
        field = f"{self.field}: " if self.field else ""
        return f"{where}: {prefix}{field}{self.message}"

    @property
    def is_error(self) -> bool:
        return self.level == ERROR


class Report:
    """Problems collected while checking many files, in the order they were found."""

    def __init__(self, problems: list[Problem] | None = None):
        self.problems: list[Problem] = list(problems or [])

    def error(self, file: str, line: int, field: str, message: str) -> None:
        self.problems.append(Problem(file, line, field, message))

    def warning(self, file: str, line: int, field: str, message: str) -> None:
        self.problems.append(Problem(file, line, field, message, WARNING))

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.is_error]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if not p.is_error]

    def sorted(self) -> list[Problem]:
        return sorted(self.problems, key=lambda p: (p.file, p.line, p.level != "error"))
