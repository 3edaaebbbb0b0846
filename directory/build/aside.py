"""Work of a build done in a process beside the indexing: the database, then the export.

Whoosh's indexing processes keep the cores busy, but not all the time; the database and the
Open Referral export (which reads the finished database) are a third of the build's work and
need nothing from the index. Written by a forked process started before the indexing, they
overlap it instead of following it, and the build's own process stays free to feed the
indexing processes (in a thread they fought it for the interpreter lock).

The process dies with the build (``processes.die_with_parent``), ignores Ctrl-C (the build
stops it), and hands any exception back to the build, which raises it as its own: a full
disk is one line whichever process met it.
"""

from __future__ import annotations

import multiprocessing
import pickle
from collections.abc import Callable

from ..search.processes import STOP_SECONDS, IndexingFailed, interrupts_held, quiet_child


class Aside:
    """``work()`` running in a forked process; ``result()`` waits and re-raises its error."""

    def __init__(self, work: Callable[[], None]):
        context = multiprocessing.get_context("fork")
        self._errors, sender = context.Pipe(duplex=False)
        parent = multiprocessing.current_process().pid
        self._process = context.Process(target=_run, args=(work, sender, parent), daemon=True)
        with interrupts_held():
            self._process.start()
        sender.close()

    def result(self) -> None:
        self._process.join()
        try:
            error = self._errors.recv() if self._errors.poll() else None
        except (EOFError, pickle.UnpicklingError, TypeError, AttributeError) as unreadable:
            error = f"{type(unreadable).__name__}: {unreadable}"
        self._errors.close()
        if isinstance(error, BaseException):
            raise error
        code = self._process.exitcode
        if code:
            reason = f"killed by signal {-code}" if code < 0 else f"exit status {code}"
            raise IndexingFailed(error or f"writing the database failed: {reason}")

    def stop(self) -> None:
        """Terminate the process if it still runs (every way out of a failed build)."""
        if self._process.is_alive():
            self._process.terminate()
            self._process.join(STOP_SECONDS)
            if self._process.is_alive():
                self._process.kill()
                self._process.join()


def _run(work, sender, parent: int) -> None:
    quiet_child(parent)
    try:
        work()
    except BaseException as error:  # noqa: BLE001 - raised again by the build
        try:
            sender.send(error)
        except (pickle.PicklingError, TypeError, AttributeError):
            sender.send(f"{type(error).__name__}: {error}")
        sender.close()
        raise SystemExit(1) from None  # quietly: the build reports it
    sender.close()
