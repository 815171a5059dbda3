"""gunicorn's settings for agmtool in production: `gunicorn` run from the project folder reads
this file by itself. `make bench` serves through it too, overriding only the address and the
application on its command line."""

import ctypes
import os

wsgi_app = "agmtool:create_app()"
bind = [os.environ.get("AGMTOOL_BIND", "127.0.0.1:8000")]

# Threaded workers: a slow client or a slow page holds one thread, not a whole process. Two
# processes of eight threads suit the two cores the tool is sized for; WEB_CONCURRENCY
# changes the number of processes on a larger machine.
worker_class = "gthread"
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
threads = 8
# Long enough for a large CSV export or a PDF pack; a stuck request is still ended.
timeout = 120
graceful_timeout = 30
keepalive = 5

# Requests are not logged by gunicorn: its default access log format records the client's
# address, the query string, the user agent and the Referer, none of which we keep.
accesslog = None
errorlog = "-"
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
