"""Warm render processes: each PDF renders in a child process with a time and a memory limit.

A render can go wrong in ways a web process must not share: a pathological document that
lays out for minutes, or one that eats memory. So renders run in worker processes started
ahead of time (``Pool``), each warmed with one render of a demo card (importing WeasyPrint
alone still leaves the first render slow: fonts, Pango and the CSS machinery warm up on
first use). While it waits for the answer, the parent watches the child's resident memory
(``/proc/<pid>/statm``, every 50 ms) and kills it past ``PDF_MEMORY_LIMIT_MIB``, and kills
it at the time limit. ``RLIMIT_AS`` in the child is only a backstop against a spike faster
than that watch, set well above the limit: an allocation that fails inside Pango or GLib
aborts the process rather than raising ``MemoryError``, so it cannot be the limit that
gives a clear message. Either way the caller gets a ``RenderError`` subclass with a
``reason`` key the view turns into a message, and a fresh worker takes the dead one's
place while the web process goes on answering.

Workers come from a ``forkserver`` that has imported ``agmtool.packs.pdf``: a worker starts
without re-importing WeasyPrint, and never inherits the web process's threads or open
connections (forking a threaded gunicorn worker is not safe).

Where the pool lives under gunicorn: one pool per gunicorn worker process, made on that
process's first render (``pool_for(config)`` notices a fork and never reuses a parent's
pool). How many renders run at once across all gunicorn processes is capped separately,
through the shared cache (``documents.py``); ``PDF_WORKERS`` (default 1) only says how
many warm children each gunicorn process keeps.
"""

from __future__ import annotations

import atexit
import contextlib
import logging
import multiprocessing
import os
import queue
import resource
import threading
import time
from dataclasses import dataclass

log = logging.getLogger(__name__)

# A worker that has not finished its warm-up render by then is broken.
START_TIMEOUT = 60.0
WARM_TEMPLATE = "pdf/demo_cards.html"
WATCH_SECONDS = 0.05
# The address-space backstop, above the resident-memory limit: shared libraries, fonts
# and thread stacks are mapped but mostly not resident (about 240 MiB more than RSS).
ADDRESS_SPACE_HEADROOM_MIB = 768
PAGE_SIZE = os.sysconf("SC_PAGE_SIZE")


class RenderError(Exception):
    """A render did not produce a PDF. ``reason`` is a stable key for the message shown."""

    reason = "failed"


class RenderTimeout(RenderError):
    """The render ran past its time limit and its worker was stopped."""

    reason = "timeout"


class RenderOutOfMemory(RenderError):
    """The render needed more memory than its limit and its worker was stopped."""

    reason = "memory"


class RenderCrashed(RenderError):
    """The worker died during the render (a crash in a library, a signal, or an allocation
    refused by the address-space backstop)."""

    reason = "crashed"


@dataclass(frozen=True)
class Job:
    """What to render: the arguments of ``pdf.render``. Plain data, so it can be sent to a
    worker and hashed."""

    template: str
    content: dict
    language: str = "en"
    draft: bool = False
    pdf_ua: bool = False

    @property
    def digest(self) -> str:
        from agmtool.packs import pdf

        return pdf.input_hash(self.template, self.content, language=self.language,
                              draft=self.draft, pdf_ua=self.pdf_ua)


@dataclass(frozen=True)
class Rendered:
    """A finished render: the PDF and what it cost in the worker."""

    data: bytes
    seconds: float  # wall clock inside the worker, from job received to bytes ready
    cpu_seconds: float
    peak_mib: float  # the worker's peak resident memory so far


def _peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def _rss_mib(pid: int) -> float:
    try:
        with open(f"/proc/{pid}/statm") as statm:
            return int(statm.read().split()[1]) * PAGE_SIZE / (1024 * 1024)
    except (OSError, IndexError, ValueError):
        return 0.0  # gone: the pipe says so next


def _serve(conn, address_space_bytes: int) -> None:
    """The worker's loop: set the backstop, warm up, then render jobs until told to stop."""
    if address_space_bytes:
        resource.setrlimit(resource.RLIMIT_AS, (address_space_bytes, address_space_bytes))
    from agmtool.packs import demo, pdf

    try:
        pdf.render(WARM_TEMPLATE, demo.card_content(1))
    except MemoryError:
        conn.send(("memory", None))
        return
    conn.send(("ready", _peak_mib()))
    while True:
        try:
            job = conn.recv()
        except EOFError:
            return
        if job is None:
            return
        digest, job = job
        started, cpu = time.perf_counter(), time.process_time()
        try:
            data = pdf.render(job.template, job.content, language=job.language,
                              draft=job.draft, pdf_ua=job.pdf_ua, digest=digest)
        except MemoryError:
            # The heap may be half-built: report and exit, the parent starts a new worker.
            conn.send(("memory", None))
            return
        except Exception as exc:  # noqa: BLE001 - any failure is reported, never logged here
            # The type only: a message could quote the document's text.
            conn.send(("error", type(exc).__name__))
            continue
        conn.send(("ok", Rendered(data, time.perf_counter() - started,
                                  time.process_time() - cpu, _peak_mib())))


def _context():
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(["agmtool.packs.pdf"])
    return context


class Worker:
    """One render process and the pipe to it. Not thread-safe: the pool hands a worker to
    one thread at a time."""

    def __init__(self, memory_mib: int) -> None:
        context = _context()
        self.memory_mib = memory_mib
        self.conn, child = context.Pipe()
        backstop = (memory_mib + ADDRESS_SPACE_HEADROOM_MIB) * 1024 * 1024
        self.process = context.Process(target=_serve, args=(child, backstop),
                                       name="agmtool-pdf", daemon=True)
        self.process.start()
        child.close()
        self.ready = False
        self.warm_peak_mib = 0.0

    def wait_ready(self, timeout: float = START_TIMEOUT) -> None:
        if self.ready:
            return
        status, value = self._receive(timeout)
        if status != "ready":
            raise RenderOutOfMemory("the PDF worker could not start within its memory limit")
        self.ready, self.warm_peak_mib = True, value

    def render(self, digest: str, job: Job, time_limit: float) -> Rendered:
        """Render ``job`` in this worker; after an exception other than a plain
        ``RenderError`` the worker is dead and must be replaced."""
        deadline = time.monotonic() + time_limit
        self.wait_ready(max(deadline - time.monotonic(), 0.1) + START_TIMEOUT)
        self.conn.send((digest, job))
        status, value = self._receive(max(deadline - time.monotonic(), 0.0))
        if status == "ok":
            return value
        if status == "memory":
            raise RenderOutOfMemory("the PDF needed more memory than its limit")
        raise RenderError(f"the PDF could not be rendered ({value})")

    def _receive(self, timeout: float):
        """The child's next message, watching its memory and the clock meanwhile."""
        deadline = time.monotonic() + timeout
        while not self.conn.poll(min(WATCH_SECONDS, max(deadline - time.monotonic(), 0))):
            if _rss_mib(self.process.pid) > self.memory_mib:
                self.stop()
                raise RenderOutOfMemory(
                    f"the PDF needed more than {self.memory_mib} MiB and was stopped")
            if time.monotonic() >= deadline:
                self.stop()
                raise RenderTimeout(
                    f"the PDF took longer than {timeout:.0f} s and was stopped")
        try:
            return self.conn.recv()
        except (EOFError, OSError):
            self.stop()
            raise RenderCrashed("the PDF worker stopped during the render") from None

    @property
    def alive(self) -> bool:
        return self.process.is_alive()

    def stop(self) -> None:
        """Kill the process at once (SIGKILL: a runaway render ignores nothing else)."""
        if self.process.is_alive():
            self.process.kill()
        self.process.join(5)
        self.conn.close()

    def close(self) -> None:
        """Ask the process to finish, then make sure it has."""
        with contextlib.suppress(OSError):  # already dead
            self.conn.send(None)
        self.process.join(2)
        self.stop()


class Pool:
    """``size`` warm workers of this process. ``render`` waits for a free one."""

    def __init__(self, size: int = 1, time_limit: float = 60.0, memory_mib: int = 1024):
        self.size, self.time_limit, self.memory_mib = size, time_limit, memory_mib
        self.pid = os.getpid()
        self._idle: queue.Queue[Worker] = queue.Queue()
        self._all: list[Worker] = []
        self._lock = threading.Lock()
        self.started = 0  # renders started by this pool: the benchmark and tests read it
        for _ in range(size):
            self._add()

    def _add(self) -> None:
        worker = Worker(self.memory_mib)
        with self._lock:
            self._all.append(worker)
        self._idle.put(worker)

    def _replace(self, worker: Worker) -> None:
        worker.stop()
        with self._lock:
            if worker in self._all:
                self._all.remove(worker)
        self._add()

    def render(self, digest: str, job: Job, *, time_limit: float | None = None,
               wait: float | None = None) -> Rendered:
        """Render ``job`` in a free worker within the time limit.

        Raises ``RenderTimeout``, ``RenderOutOfMemory`` or ``RenderCrashed`` (the worker
        is then replaced by a new one, which warms up in the background), ``RenderError``
        when the template failed, or ``queue.Empty`` when no worker came free in ``wait``
        seconds (default: the time limit).
        """
        limit = self.time_limit if time_limit is None else time_limit
        worker = self._idle.get(timeout=limit if wait is None else wait)
        with self._lock:
            self.started += 1
        try:
            rendered = worker.render(digest, job, limit)
        except (RenderTimeout, RenderOutOfMemory, RenderCrashed):
            self._replace(worker)
            raise
        except BaseException:
            if worker.alive:
                self._idle.put(worker)
            else:
                self._replace(worker)
            raise
        self._idle.put(worker)
        return rendered

    def warm(self, timeout: float = START_TIMEOUT) -> list[float]:
        """Wait until every worker has done its warm-up render; their peak memory (MiB)."""
        workers = [self._idle.get(timeout=timeout) for _ in range(self.size)]
        try:
            for worker in workers:
                worker.wait_ready(timeout)
            return [worker.warm_peak_mib for worker in workers]
        finally:
            for worker in workers:
                self._idle.put(worker)

    def close(self) -> None:
        """Stop every worker. Side effect: the pool cannot render afterwards."""
        with self._lock:
            workers, self._all = self._all, []
        for worker in workers:
            worker.close()


_pools: dict[tuple, Pool] = {}
_pools_lock = threading.Lock()


def pool_for(config) -> Pool:
    """This process's pool for the ``PDF_*`` settings in ``config``, made on first use.

    Side effect: starts ``PDF_WORKERS`` worker processes the first time. A pool made
    before a fork belongs to the parent and is never used by the child.
    """
    key = (os.getpid(), config.get("PDF_WORKERS", 1), config.get("PDF_TIME_LIMIT", 60.0),
           config.get("PDF_MEMORY_LIMIT_MIB", 1024))
    with _pools_lock:
        if key not in _pools:
            _pools[key] = Pool(key[1], key[2], key[3])
        return _pools[key]


def shutdown() -> None:
    """Stop the worker processes this process started."""
    with _pools_lock:
        pools = [pool for key, pool in _pools.items() if key[0] == os.getpid()]
        _pools.clear()
    for pool in pools:
        pool.close()


_registered = False


def register_shutdown() -> None:
    """Stop this process's workers when it exits (once, however often it is called)."""
    global _registered
    if not _registered:
        atexit.register(shutdown)
        _registered = True
