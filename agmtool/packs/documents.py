"""PDFs asked for by input hash: cached bytes at once, else one render started and a short wait.

What a view does with it (issue 15, "waiting is visible")::

    result = documents.for_app(current_app).request(job)      # or .cached(digest) first
    if isinstance(result, documents.Ready):   return the PDF (result.data)
    if isinstance(result, documents.Pending): render a page that refreshes itself
    if isinstance(result, documents.Failed):  flash the message for result.reason

``request`` returns within about ``PDF_WAIT_SECONDS`` (1 s) whatever happens: the render
goes on in a background thread of this process, which stores the PDF in the shared cache
(Flask-Caching's backend: SimpleCache in one process, Redis when ``AGMTOOL_CACHE_URL`` is
set), keyed by the input hash, for ``PDF_CACHE_SECONDS``. The next request, from this
process or another, finds it there.

Shared-cache keys make it work across gunicorn processes:
- ``pdf:lock:<hash>``: added (set if absent) by whoever starts the render, so two people
  asking for the same document start one render; it expires after the time limit, so a
  process that dies while rendering holds nothing for ever.
- ``pdf:slot:<n>``, n < ``PDF_MAX_CONCURRENT``: a render holds one while it runs, so no
  more than that many render at once across every process; they expire too.
- ``pdf:failed:<hash>``: why the last render of that document failed, kept for a minute
  so that the waiting page shows the message instead of starting the same runaway render
  again at every refresh.
"""

from __future__ import annotations

import logging
import queue
import secrets
import threading
import time
from dataclasses import dataclass

from agmtool.packs.worker import Job, Pool, RenderError, pool_for

log = logging.getLogger(__name__)

FAILURE_SECONDS = 60
POLL_SECONDS = 0.05
SLOT_POLL_SECONDS = 0.2


@dataclass(frozen=True)
class Ready:
    digest: str
    data: bytes


@dataclass(frozen=True)
class Pending:
    digest: str


@dataclass(frozen=True)
class Failed:
    digest: str
    reason: str  # "timeout", "memory", "crashed", "busy" or "failed": the view words it


def _key(kind: str, digest: str) -> str:
    return f"pdf:{kind}:{digest}"


class Documents:
    """Renders through ``pool`` and caches in ``cache`` (a cachelib-style backend: get, set,
    add, delete). One per process and configuration (``for_app``)."""

    def __init__(self, cache, pool: Pool, *, max_concurrent: int = 2,
                 wait_seconds: float = 1.0, cache_seconds: int = 7 * 24 * 3600,
                 time_limit: float | None = None) -> None:
        self.cache, self.pool = cache, pool
        self.max_concurrent = max(1, max_concurrent)
        self.wait_seconds, self.cache_seconds = wait_seconds, cache_seconds
        self.time_limit = pool.time_limit if time_limit is None else time_limit
        self._done: dict[str, threading.Event] = {}
        self._done_lock = threading.Lock()

    def cached(self, digest: str) -> bytes | None:
        """The PDF with this input hash if the cache holds it (no render, no hashing)."""
        return self.cache.get(_key("doc", digest))

    def request(self, job: Job, digest: str | None = None,
                wait: float | None = None) -> Ready | Pending | Failed:
        """The document for ``job``: Ready from the cache, else start its render (unless
        one is already running anywhere) and wait up to ``wait`` seconds for it.

        Side effects: may start a background thread that renders and writes the shared
        cache. ``digest`` saves hashing the job when the caller knows it already.
        """
        digest = digest or job.digest
        data = self.cached(digest)
        if data is not None:
            return Ready(digest, data)
        reason = self.cache.get(_key("failed", digest))
        if reason is not None:
            return Failed(digest, reason)
        done = self._start(digest, job)
        return self._wait(digest, done, self.wait_seconds if wait is None else wait)

    def _start(self, digest: str, job: Job) -> threading.Event | None:
        lock_seconds = int(2 * self.time_limit) + 10  # the wait for a slot, then the render
        if not self.cache.add(_key("lock", digest), "1", timeout=lock_seconds):
            with self._done_lock:
                return self._done.get(digest)  # running here: wait on it; elsewhere: poll
        done = threading.Event()
        with self._done_lock:
            self._done[digest] = done
        threading.Thread(target=self._render, args=(digest, job, done),
                         name=f"pdf-{digest[:8]}", daemon=True).start()
        return done

    def _wait(self, digest: str, done: threading.Event | None,
              wait: float) -> Ready | Pending | Failed:
        deadline = time.monotonic() + wait
        while True:
            if done is not None:
                done.wait(max(deadline - time.monotonic(), 0))
                done = None  # finished (or the wait is over): one more look, then poll
            data = self.cached(digest)
            if data is not None:
                return Ready(digest, data)
            reason = self.cache.get(_key("failed", digest))
            if reason is not None:
                return Failed(digest, reason)
            if time.monotonic() >= deadline:
                return Pending(digest)
            time.sleep(POLL_SECONDS)

    def _render(self, digest: str, job: Job, done: threading.Event) -> None:
        """The background thread: take a slot, render, store the PDF or the failure."""
        slot = None
        try:
            slot = self._take_slot()
            if slot is None:
                self._fail(digest, "busy")
                return
            rendered = self.pool.render(digest, job, time_limit=self.time_limit)
        except RenderError as exc:
            log.warning("PDF %s not rendered: %s", digest[:10], exc.reason)
            self._fail(digest, exc.reason)
        except queue.Empty:
            self._fail(digest, "busy")
        except Exception:
            log.exception("PDF %s not rendered", digest[:10])
            self._fail(digest, "failed")
        else:
            self.cache.set(_key("doc", digest), rendered.data, timeout=self.cache_seconds)
        finally:
            if slot is not None:
                self._free_slot(*slot)
            self.cache.delete(_key("lock", digest))
            done.set()
            with self._done_lock:
                self._done.pop(digest, None)

    def _fail(self, digest: str, reason: str) -> None:
        self.cache.set(_key("failed", digest), reason, timeout=FAILURE_SECONDS)

    def _take_slot(self) -> tuple[str, str] | None:
        """One of the ``max_concurrent`` render slots shared by every process, waiting up
        to the time limit for one; None when none came free."""
        token = secrets.token_hex(8)
        deadline = time.monotonic() + self.time_limit
        while True:
            for n in range(self.max_concurrent):
                key = f"pdf:slot:{n}"
                if self.cache.add(key, token, timeout=int(self.time_limit) + 10):
                    return key, token
            if time.monotonic() >= deadline:
                return None
            time.sleep(SLOT_POLL_SECONDS)

    def _free_slot(self, key: str, token: str) -> None:
        # Only our own: a slot that expired and was taken by another render stays taken.
        if self.cache.get(key) == token:
            self.cache.delete(key)


_documents: dict[tuple, Documents] = {}
_lock = threading.Lock()


def for_app(app) -> Documents:
    """This process's ``Documents`` for ``app``: its shared cache, its ``PDF_*`` settings,
    the pool of ``worker.pool_for``. Needs ``packs.init_app(app)`` to have run."""
    from agmtool.extensions import cache

    config = app.config
    with app.app_context():
        backend = cache.cache
    pool = pool_for(config)
    key = (id(backend), id(pool))
    with _lock:
        if key not in _documents:
            _documents[key] = Documents(
                backend, pool, max_concurrent=config["PDF_MAX_CONCURRENT"],
                wait_seconds=config["PDF_WAIT_SECONDS"],
                cache_seconds=config["PDF_CACHE_SECONDS"])
        return _documents[key]
