"""gunicorn's settings for agmtool in production: `gunicorn` run from the project folder reads
this file by itself. `make bench` serves through it too, overriding only the address and the
application on its command line."""

import ctypes
import gc
import os

wsgi_app = "agmtool:create_app()"
# Where nginx reaches the app. A second application machine binds its private address
# (AGMTOOL_BIND=10.0.0.12:8000), never a public one.
bind = [os.environ.get("AGMTOOL_BIND", "127.0.0.1:8000")]

# Threaded workers: a slow client or a slow page holds one thread, not a whole process. Two
# processes of eight threads suit the two cores the tool is sized for; WEB_CONCURRENCY
# changes the number of processes on a larger machine (about two per core), and
# AGMTOOL_THREADS the threads of each.
worker_class = "gthread"
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
threads = int(os.environ.get("AGMTOOL_THREADS", "8"))
# A worker takes on a few more connections than it has threads; the rest wait in the
# listening socket's queue, which both workers share, and go to whichever frees a thread
# first, oldest first. Without a bound each worker takes every connection it can, and one
# ends up with more queued behind its threads than the other: at 50 submissions at once the
# 99th percentile was twice the median (`make bench`); with the bound, 1.25 times. The
# margin is for idle kept-alive connections (nginx keeps at most 4 per nginx process,
# docs/deploy.md), so that they never hold a slot a free thread needs. A client that keeps
# a connection of its own to gunicorn, past nginx, would wait behind the kept-alive ones.
worker_connections = threads + 4
# Long enough for a large CSV export or a PDF pack; a stuck request is still ended and its
# worker replaced.
timeout = 120
graceful_timeout = 30
keepalive = 5
# A worker is replaced after this many requests (spread so they do not all go at once): a
# slow leak in a library cannot grow for months.
max_requests = 20000
max_requests_jitter = 2000
# Nothing a browser sends legitimately comes near these; they bound what a stranger can make
# a worker hold before the app sees the request.
limit_request_line = 8190
limit_request_fields = 100

# The proxy: gunicorn believes X-Forwarded-Proto (https, for Secure cookies and the CSRF
# check) only from these addresses, where nginx runs. Set AGMTOOL_FORWARDED_ALLOW_IPS to
# the nginx machine's address when it is another machine; never "*".
forwarded_allow_ips = os.environ.get("AGMTOOL_FORWARDED_ALLOW_IPS", "127.0.0.1,::1")
secure_scheme_headers = {"X-FORWARDED-PROTO": "https"}
# No header of nginx's is turned into SCRIPT_NAME or PATH_INFO.
forwarder_headers = ""

# The logs: every rule and format is in agmtool/logs.py. The access log is one JSON line a
# request with no client address, query string, user agent or Referer (gunicorn's default
# format records all four); AGMTOOL_ACCESS_LOG names a file, "-" (the default) is standard
# output for journald, and an empty value turns it off. The error log is scrubbed likewise.
logger_class = "agmtool.logs.AccessLogger"
accesslog = os.environ.get("AGMTOOL_ACCESS_LOG", "-") or None
errorlog = os.environ.get("AGMTOOL_ERROR_LOG", "-")
loglevel = "warning"

# The control socket's default path is one per user, so two servers on one machine would
# share it; nothing here uses it.
control_socket_disable = True


def post_fork(_server, _worker):
    """Allocations of a megabyte or more (a feed is 2.5 MB) are given back to the system when
    freed. Otherwise glibc raises its threshold after the first such block is freed and keeps
    the later ones in the heap of whichever thread built them: with eight threads rebuilding
    feeds, a worker's memory crept up by tens of MiB."""
    try:
        libc = ctypes.CDLL("libc.so.6")
    except OSError:
        return  # not glibc: its allocator decides
    m_mmap_threshold = -3
    libc.mallopt(m_mmap_threshold, 1024 * 1024)


def post_worker_init(_worker):
    """The application is loaded: what it holds for good (modules, mappers, templates,
    catalogues) is set aside from the garbage collector's full passes. Each full pass went
    through all of it and stopped the worker's threads for about 220 ms, about six times a
    minute under load; with the frozen part skipped, about 40 ms."""
    gc.collect()
    gc.freeze()
