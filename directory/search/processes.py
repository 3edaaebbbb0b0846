"""Whoosh's parallel writer, made to die with its build.

``whoosh.multiproc.MpWriter`` forks indexing processes and trusts them: a build killed with
``kill -9`` or Ctrl-C left them running for minutes (85 MB each, holding the temporary folder
open); a child that failed (a full disk) printed its traceback and left the parent waiting on
a queue nobody read. Here every child

- asks the kernel to kill it when the build dies (``PR_SET_PDEATHSIG``, Linux), and exits at
  once if the build is already gone;
- ignores Ctrl-C, which the terminal sends to the whole process group: the build stops its
  children itself, so one message is printed, not one per process;
- on failure exits quietly with status 1 and hands its one-line reason to the build;

and the build terminates its children on every way out of writing (an error, Ctrl-C, a full
queue with a dead child), then raises ``IndexingFailed`` with the child's reason.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import pickle
import queue
import signal
import sys
import threading
from collections.abc import Callable
from multiprocessing import Queue

from whoosh.multiproc import MpWriter, SubWriterTask
from whoosh.util import random_name

from .writing import FastSegmentWriter

PR_SET_PDEATHSIG = 1
STOP_SECONDS = 5  # how long a terminated child may take before it is killed


class IndexingFailed(OSError):
    """An indexing process failed; the message is its reason (e.g. no space left on device)."""


def die_with_parent(parent: int) -> None:
    """Have the kernel send SIGKILL to this process when ``parent`` dies (Linux only; other
    systems rely on the build terminating its children)."""
    if sys.platform.startswith("linux"):
        try:
            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
        except (OSError, AttributeError):
            pass
    if os.getppid() != parent:  # the parent died before prctl took effect
        os._exit(1)


@contextlib.contextmanager
def interrupts_held():
    """Hold Ctrl-C while a child is forked. Neither half may be interrupted halfway: the
    child would print a traceback from fork's handlers, the build would lose the handle of
    a child it made. The child starts with SIGINT blocked and ignores it (``quiet_child``);
    the build gets a Ctrl-C that came meanwhile once the child exists."""
    if threading.current_thread() is not threading.main_thread():
        yield  # only the main thread may set handlers; it is the one Ctrl-C interrupts
        return
    caught, entered = [], os.getpid()
    previous = signal.signal(signal.SIGINT, lambda *args: caught.append(args))
    signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    try:
        yield
    finally:
        # A child forked in the block leaves it too, with a copy of ``caught``: a Ctrl-C
        # held for the build is not its own (it had raised it and run the build's way out).
        if os.getpid() == entered:
            signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})
            signal.signal(signal.SIGINT, previous)
            if caught:
                if callable(previous):
                    previous(*caught[0])
                elif previous == signal.SIG_DFL:
                    raise KeyboardInterrupt


def quiet_child(parent: int) -> None:
    """In a child started under ``interrupts_held``: die with the build, ignore Ctrl-C."""
    die_with_parent(parent)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})


class _Task(SubWriterTask):
    def __init__(self, *args, errors: Queue, parent: int):
        super().__init__(*args)
        self.errors = errors
        self.parent = parent

    def run(self):
        quiet_child(self.parent)
        try:
            self._write()
        except BaseException as error:  # noqa: BLE001 - reported by the parent, not here
            try:
                self.errors.put(reason(error), timeout=1)
            except Exception:  # noqa: BLE001 - the parent still sees the exit status
                pass
            sys.exit(1)  # quietly: multiprocessing prints no traceback for SystemExit


    def _write(self):
        # As SubWriterTask.run (multisegment), with the faster writer of the same segment.
        ix = self.storage.open_index(self.indexname)
        writer = self.writer = FastSegmentWriter(ix, _lk=False, **self.kwargs)
        while self.running:
            job = self.jobqueue.get()
            if job is None:
                break
            self._process_file(*job)
        if not self.running:
            writer.cancel()
            return
        segment = writer._finalize_segment()
        self.resultqueue.put((None, writer.pool.fieldnames, segment), timeout=5)


def reason(error: BaseException) -> str:
    """An error as the one line a build prints."""
    if isinstance(error, OSError) and error.strerror:
        return error.strerror.lower() if error.filename is None else \
            f"{error.strerror.lower()} ({os.path.basename(str(error.filename))})"
    return f"{type(error).__name__}: {error}"


class SafeMpWriter(MpWriter):
    """An ``MpWriter`` whose children die with the build and whose failures are one line."""

    def __init__(self, ix, **kwargs):
        if not kwargs.get("multisegment"):
            raise ValueError("SafeMpWriter writes one segment per process (multisegment)")
        super().__init__(ix, **kwargs)
        self.errors: Queue = Queue()
        self.parent = os.getpid()

    def _new_task(self):
        task = _Task(self.storage, self.indexname, self.jobqueue, self.resultqueue,
                     self.subargs, self.multisegment, errors=self.errors, parent=self.parent)
        task.daemon = True  # multiprocessing terminates daemons when the build exits
        self.tasks.append(task)
        with interrupts_held():
            task.start()
        return task

    def _enqueue(self):
        # As MpWriter's, but a put never waits forever on children that died.
        filename = f"{random_name()}.doclist"
        with self.temp_storage().create_file(filename).raw_file() as handle:
            for item in self.docbuffer:
                pickle.dump(item, handle, 2)
        if len(self.tasks) < self.procs:
            self._new_task()
        self._put((filename, len(self.docbuffer)))
        self.docbuffer = []

    def _put(self, item) -> None:
        while True:
            self.check_children()
            try:
                self.jobqueue.put(item, timeout=0.5)
                return
            except queue.Full:
                continue

    def check_children(self) -> None:
        """Raise IndexingFailed when a child has died with an error."""
        failed = [task for task in self.tasks if task.exitcode not in (None, 0)]
        if failed:
            try:
                reason = self.errors.get(timeout=1)
            except queue.Empty:
                code = failed[0].exitcode
                reason = f"killed by signal {-code}" if code < 0 else f"exit status {code}"
            raise IndexingFailed(f"an indexing process failed: {reason}")

    def commit(self, *args, **kwargs):
        if self._added_sub:
            if self.docbuffer:
                self._enqueue()
            self.check_children()
        super().commit(*args, **kwargs)
        for task in self.tasks:
            task.join()
        self.check_children()

    def stop_children(self) -> None:
        """Terminate every child still running and wait for it: on every way out."""
        started = [task for task in self.tasks if task.pid is not None]
        for task in started:
            if task.is_alive():
                task.terminate()
        for task in started:
            task.join(STOP_SECONDS)
            if task.is_alive():
                task.kill()
                task.join()
        for channel in (self.jobqueue, self.resultqueue, self.errors):
            channel.close()
            channel.cancel_join_thread()  # never wait to flush a queue nobody reads


class Forked:
    """``work()`` in a plain forked child of this process (which may itself be an ``Aside``:
    multiprocessing lets a daemon have no children). ``wait()`` returns what it returned
    (pickled through a pipe: keep it small) or re-raises its error."""

    def __init__(self, work: Callable[[], object]):
        self._read, write = os.pipe()
        parent = os.getpid()
        with interrupts_held():
            self._pid = os.fork()
        if self._pid == 0:  # the child: never returns
            os.close(self._read)
            code = 1
            try:
                quiet_child(parent)
                message = pickle.dumps(work())
                code = 0
            except BaseException as error:  # noqa: BLE001 - raised again by the parent
                try:
                    message = pickle.dumps(error)
                except Exception:  # noqa: BLE001 - an error that cannot be pickled
                    message = pickle.dumps(f"{type(error).__name__}: {error}")
            try:
                with os.fdopen(write, "wb") as pipe:
                    pipe.write(message)
            finally:
                os._exit(code)
        os.close(write)

    def wait(self):
        with os.fdopen(self._read, "rb") as pipe:
            message = pipe.read()
        _, status = os.waitpid(self._pid, 0)
        self._pid = None
        code = os.waitstatus_to_exitcode(status)
        if not code:
            return pickle.loads(message)
        try:
            error = pickle.loads(message) if message else None
        except Exception as unreadable:  # noqa: BLE001
            error = f"{type(unreadable).__name__}: {unreadable}"
        if isinstance(error, BaseException):
            raise error
        reason = f"killed by signal {-code}" if code < 0 else f"exit status {code}"
        raise IndexingFailed(error or f"a writing process failed: {reason}")

    def stop(self) -> None:
        """Kill the child if it was not waited for (every way out of a failed write)."""
        if self._pid is not None:
            with contextlib.suppress(ProcessLookupError):
                os.kill(self._pid, signal.SIGKILL)
            os.waitpid(self._pid, 0)
            self._pid = None
            os.close(self._read)
