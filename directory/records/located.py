"""Mappings and lists read from a data file that remember the line of every key and item."""

from __future__ import annotations


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
