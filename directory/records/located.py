"""Mappings and lists read from a data file that remember the line of every key and item."""

from __future__ import annotations


class Located(dict):
    """A mapping read from a file: ``line`` is where it starts, ``lines[key]`` where each key is.

    A large data set holds millions of these: slots, and no list for duplicate keys until
    one is found, keep each small (``path`` and ``repository_path`` are set by the checks)."""

    __slots__ = ("file", "line", "lines", "duplicate_keys", "cut_by_comment", "path",
                 "repository_path")

    def __init__(self, *args, file: str = "", line: int = 0, **kwargs):
        super().__init__(*args, **kwargs)
        self.file = file
        self.line = line
        self.lines: dict = {}
        self.duplicate_keys: list[tuple[str, int]] | tuple = ()  # a list once one is found
        # (key, line, what YAML dropped): a plain value followed by " #70 bus..." on its
        # line, read as a comment (``load``); a list once one is found.
        self.cut_by_comment: list[tuple[str, int, str]] | tuple = ()

    def line_of(self, key) -> int:
        return self.lines.get(key, self.line)


class LocatedList(list):
    """A sequence read from a file: ``lines[i]`` is the line of item ``i``."""

    __slots__ = ("line", "lines", "cut_by_comment")

    def __init__(self, *args, line: int = 0):
        super().__init__(*args)
        self.line = line
        self.lines: list[int] = []
        self.cut_by_comment: list[tuple[int, int, str]] | tuple = ()  # as Located's, by index

    def line_of(self, index: int) -> int:
        return self.lines[index] if index < len(self.lines) else self.line
