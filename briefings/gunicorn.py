"""Gunicorn settings for production and `make serve`:

    gunicorn -c python:briefings.gunicorn briefings.wsgi

Every setting can be overridden from the environment (BIND or PORT, WEB_CONCURRENCY, WEB_THREADS).
The defaults were chosen by measurement with bench/serving.py; see the README's performance section.
"""

import os

bind = os.environ.get("BIND", f"127.0.0.1:{os.environ.get('PORT', '8000')}")
workers = int(os.environ.get("WEB_CONCURRENCY", 2 * (os.cpu_count() or 1)))
worker_class = "sync"
threads = int(os.environ.get("WEB_THREADS", "1"))
if threads > 1:
    worker_class = "gthread"
keepalive = 5
timeout = 30
graceful_timeout = 20
preload_app = True  # the code is loaded once; workers share its memory
accesslog = os.environ.get("ACCESS_LOG", "-") or None  # empty: no access log
errorlog = "-"
loglevel = os.environ.get("LOG_LEVEL", "info").lower()
