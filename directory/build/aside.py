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

import contextlib
import multiprocessing
import os
import pickle
import signal
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


class Forked:
    """``work()`` in a plain forked child of this process (which may itself be an ``Aside``:
    multiprocessing lets a daemon have no children). ``wait()`` re-raises its error."""

    def __init__(self, work: Callable[[], None]):
        self._read, write = os.pipe()
        parent = os.getpid()
        with interrupts_held():
            self._pid = os.fork()
        if self._pid == 0:  # the child: never returns
            os.close(self._read)
            code = 1
            try:
                quiet_child(parent)
                work()
                code = 0
            except BaseException as error:  # noqa: BLE001 - raised again by the parent
                try:
                    message = pickle.dumps(error)
                except Exception:  # noqa: BLE001 - an error that cannot be pickled
                    message = pickle.dumps(f"{type(error).__name__}: {error}")
                with os.fdopen(write, "wb") as pipe:
                    pipe.write(message)
            finally:
                os._exit(code)
        os.close(write)

    def wait(self) -> None:
        with os.fdopen(self._read, "rb") as pipe:
            message = pipe.read()
        _, status = os.waitpid(self._pid, 0)
        self._pid = None
        code = os.waitstatus_to_exitcode(status)
        if not code:
            return
        try:
            error = pickle.loads(message) if message else None
        except Exception as unreadable:  # noqa: BLE001
            error = f"{type(unreadable).__name__}: {unreadable}"
        if isinstance(error, BaseException):
            raise error
        reason = f"killed by signal {-code}" if code < 0 else f"exit status {code}"
        raise IndexingFailed(error or f"writing the export failed: {reason}")

    def stop(self) -> None:
        """Kill the child if it was not waited for (every way out of a failed write)."""
        if self._pid is not None:
            with contextlib.suppress(ProcessLookupError):
                os.kill(self._pid, signal.SIGKILL)
            os.waitpid(self._pid, 0)
            self._pid = None
            os.close(self._read)
