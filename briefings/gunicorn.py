"""Gunicorn settings for production and `make serve`:

    gunicorn -c python:briefings.gunicorn briefings.wsgi

Every setting can be overridden from the environment (BIND or PORT, WEB_CONCURRENCY, WEB_THREADS,
REUSE_PORT).
The defaults were chosen by measurement with bench/serving.py; see the README's performance section.
"""

import os

bind = os.environ.get("BIND", f"127.0.0.1:{os.environ.get('PORT', '8000')}")
# One process per core, four threads each: threads keep connections alive and wait on the database
# in parallel (bench/results/workers.md). WEB_THREADS=1 gives plain sync workers.
workers = int(os.environ.get("WEB_CONCURRENCY", os.cpu_count() or 1))
threads = int(os.environ.get("WEB_THREADS", "4"))
worker_class = "gthread" if threads > 1 else "sync"
# Each worker listens on a socket of its own (SO_REUSEPORT) and the kernel spreads new connections
# across them. On one shared socket, the first worker to wake could take every kept-alive connection
# and leave the others idle: the whole site on one core (bench/results/workers.md).
reuse_port = os.environ.get("REUSE_PORT", "true").lower() not in ("false", "0", "no")
keepalive = 5
timeout = 30
graceful_timeout = 20
preload_app = True  # the code is loaded once; workers share its memory
accesslog = os.environ.get("ACCESS_LOG", "-") or None  # empty: no access log
errorlog = "-"
loglevel = os.environ.get("LOG_LEVEL", "info").lower()
