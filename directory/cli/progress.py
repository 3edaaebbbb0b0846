"""How far a long command is: a progress bar on a terminal, plain lines in CI logs.

One helper for every long command (build, geocode, import, export). On a terminal it draws
click's progress bar on stderr; when stderr is a file or a CI log, where a bar would print
as garbage, it writes a plain line at each stage and at every tenth of the items instead.

    with progress("build", stages=pipeline.STAGES) as bar:
        pipeline.run(..., on_stage=bar.stage)

    for location in track(locations, "geocode"):
        ...
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from typing import TextIO, TypeVar

import click

Item = TypeVar("Item")


def is_interactive(stream: TextIO) -> bool:
    """A terminal a person watches (not a pipe, a file, a dumb terminal or a CI log)."""
    isatty = getattr(stream, "isatty", None)
    return bool(isatty and isatty()) and os.environ.get("TERM") != "dumb" \
        and not os.environ.get("CI")


class Progress:
    """Counts steps done out of ``total``; ``stage(name)`` names the step that starts now."""

    def __init__(self, label: str, total: int, stream: TextIO, interactive: bool,
                 stages: Sequence[str] = (), silent: bool = False):
        self.label, self.total, self.stream = label, max(total, 0), stream
        self.silent = silent
        self.stages = list(stages)
        self.done = 0
        self.current = ""
        self._started = time.monotonic()
        self._printed_tenth = 0
        self._bar = None
        if interactive and not silent:
            self._bar = click.progressbar(
                length=max(self.total, 1), label=label, file=stream, show_pos=True,
                item_show_func=lambda _: self.current or None)
            self._bar.__enter__()

    def stage(self, name: str) -> None:
        """A new stage starts: the ones before it are done."""
        position = self.stages.index(name) if name in self.stages else self.done
        self.current = name
        self._move_to(position)
        if self._bar is None:
            count = f" ({position + 1}/{self.total})" if self.total else ""
            self._line(f"{self.label}: {name}{count}")

    def advance(self, steps: int = 1, item: str | None = None) -> None:
        """``steps`` more items are done; ``item`` names the last one (shown on a terminal)."""
        self.current = item or self.current
        self._move_to(self.done + steps)
        if self._bar is None and self.total:
            tenth = self.done * 10 // self.total
            if tenth > self._printed_tenth:
                self._printed_tenth = tenth
                self._line(f"{self.label}: {self.done}/{self.total} "
                           f"({self.done * 100 // self.total}%)")

    def finish(self) -> None:
        """Close the bar; full only when the last stage was reached (a failed build stops short)."""
        if self._bar is not None:
            if self.stages and self.current == self.stages[-1]:
                self._move_to(self.total)
            self._bar.__exit__(None, None, None)
            self._bar = None

    def _move_to(self, position: int) -> None:
        position = min(position, self.total) if self.total else position
        if self._bar is not None and position > self.done:
            self._bar.update(position - self.done, self.current)
        elif self._bar is not None:  # only the stage's name changed: show it now
            self._bar.current_item = self.current
            self._bar.render_progress()
        self.done = max(self.done, position)

    def _line(self, text: str) -> None:
        if self.silent:
            return
        seconds = time.monotonic() - self._started
        click.echo(f"{text} [{seconds:.1f}s]", file=self.stream)


@contextmanager
def progress(label: str, total: int | None = None, *, stages: Sequence[str] = (),
             stream: TextIO | None = None, enabled: bool = True) -> Iterator[Progress]:
    """A Progress for ``total`` items or the named ``stages``, on stderr unless told otherwise.

    ``enabled=False`` (e.g. under ``--quiet``) gives one that prints nothing.
    """
    stream = stream or sys.stderr
    total = len(stages) if total is None else total
    meter = Progress(label, total, stream, is_interactive(stream), stages, silent=not enabled)
    try:
        yield meter
    finally:
        meter.finish()


def track(items: Iterable[Item], label: str, *, total: int | None = None,
          stream: TextIO | None = None, enabled: bool = True) -> Iterator[Item]:
    """Iterate over ``items`` while showing progress; ``total`` defaults to ``len(items)``."""
    if total is None:
        total = len(items) if hasattr(items, "__len__") else 0
    with progress(label, total, stream=stream, enabled=enabled) as meter:
        for item in items:
            yield item
            meter.advance(1, str(item) if isinstance(item, str) else None)
