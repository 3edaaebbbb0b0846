"""gunicorn settings for production: workers from the CPU count, a private access log.

Use: ``gunicorn -c python:directory.gunicorn_conf directory.wsgi:app``. Environment:
HOST/PORT (default 127.0.0.1:8000), WEB_CONCURRENCY (workers), DIRECTORY_INSTANCE_PATH.
"""

import multiprocessing
import os
import sys

bind = f"{os.environ.get('HOST', '127.0.0.1')}:{os.environ.get('PORT', '8000')}"
# CPU-bound Python: one process per core. No more: each process keeps its own caches of a
# build (term scores, pages of the minute), so every extra process renders every popular page
# once more (measured with scripts/load: 3 workers on 2 cores gave p99 474 ms, 2 gave 236 ms).
workers = int(os.environ.get("WEB_CONCURRENCY", multiprocessing.cpu_count()))
# gthread keeps idle keep-alive connections in its poller, not in a thread, so one thread per
# worker still serves many connections. More threads only take turns holding the GIL: at
# 50,000 services, distinct pages cost a worker 10-25% more CPU each with 4 threads than with 1
# (GIL hand-overs, four pages' temporaries alive at once) and 20-40 MB more resident memory
# (peer benchmark: near 103 against 124 req/s, RSS 152 against 127 MB). Behind a proxy that
# buffers requests (nginx does by default), a slow client never holds the thread.
worker_class = "gthread"
threads = int(os.environ.get("DIRECTORY_THREADS", 1))
keepalive = 5
# At most about this many requests per keep-alive connection (as nginx's keepalive_requests
# and Apache's MaxKeepAliveRequests): a gthread worker accepts every connection it can, so a
# few busy keep-alive clients (a load balancer, a load test) could all land on one worker
# while the other idled, halving what the machine serves (measured: 49 against 103 req/s).
# A connection closed now and then reconnects to whichever worker accepts first, the idle one.
keepalive_requests = int(os.environ.get("DIRECTORY_KEEPALIVE_REQUESTS", 20))
timeout = 30
graceful_timeout = 10
# Path only (%(U)s has no query string) and no client address: no log ties a search to a person.
accesslog = "-"
access_log_format = '- - %(t)s "%(m)s %(U)s %(H)s" %(s)s %(B)s %(M)sms'
_LOG_CLIENT = os.environ.get("DIRECTORY_LOG_CLIENT_ADDRESS", "").lower() in ("1", "true", "yes")
if _LOG_CLIENT:
    access_log_format = '%(h)s ' + access_log_format[2:]


def on_starting(server):
    """Refuse to start without a usable build, or without the site's address or names
    (``web.hosts``): a clear message and exit 1, not a stack trace."""
    from pathlib import Path

    from directory import ROOT
    from directory.build.layout import NoBuild, verify
    from directory.web.app import create_app
    from directory.web.hosts import unsafe_config

    instance = Path(os.environ.get("DIRECTORY_INSTANCE_PATH", ROOT / "instance"))
    try:
        build = verify(instance)
    except NoBuild as error:
        _refuse(str(error))
    problem = unsafe_config(create_app().config)
    if problem:
        _refuse(problem)
    _redact_error_log()
    server.log.info("serving build %s from %s", build.id, instance)


def _redact_error_log():
    """gunicorn's own error log goes through the same redaction as the access log: no search
    and, unless opted in, no client address (workers are forked and inherit the filter)."""
    import logging

    from directory.web.privacy import RedactErrors

    logger = logging.getLogger("gunicorn.error")
    for old in [f for f in logger.filters if isinstance(f, RedactErrors)]:
        logger.removeFilter(old)
    logger.addFilter(RedactErrors(keep_client=_LOG_CLIENT))


def _refuse(problem: str):
    print(f"directory: cannot start: {problem}", file=sys.stderr, flush=True)
    sys.exit(1)


# glibc gives each thread that allocates its own heap ("arena"), up to 8 per core, and each
# keeps its freed memory: with a worker's threads that was ~15 MB of resident memory a worker
# after distinct searches. Two arenas are enough for threads that mostly wait on the GIL
# (one serves requests by default; DIRECTORY_THREADS may ask for more).
MALLOC_ARENAS = int(os.environ.get("DIRECTORY_MALLOC_ARENAS", 2))
_M_ARENA_MAX = -8  # glibc's malloc.h


def limit_malloc_arenas(arenas: int = MALLOC_ARENAS) -> bool:
    """Cap glibc's malloc arenas for this process (before its threads start); False where
    the C library is not glibc or the cap is 0 (switched off)."""
    mallopt = _glibc("mallopt")
    if arenas <= 0 or mallopt is None:
        return False
    return mallopt(_M_ARENA_MAX, arenas) == 1


def _glibc(name: str):
    """A function of glibc's, or None where the C library has none (musl, macOS)."""
    import ctypes

    try:
        return getattr(ctypes.CDLL(None), name)
    except (OSError, AttributeError):
        return None


# Every this many requests a worker hands the memory its allocator holds free back to the
# system (glibc's malloc_trim, ~0.1 ms): distinct searches free large temporary arrays,
# whose pages glibc otherwise keeps, ~20 MB of a worker's resident memory at 50k services.
TRIM_EVERY = int(os.environ.get("DIRECTORY_MALLOC_TRIM_EVERY", 50))


def post_fork(server, worker):
    limit_malloc_arenas()
    worker.directory_trim = _glibc("malloc_trim")


def post_request(worker, req, environ, resp):
    """Now and then, give the allocator's free pages back (``TRIM_EVERY``)."""
    trim = getattr(worker, "directory_trim", None)
    if trim is not None and TRIM_EVERY and getattr(worker, "directory_served", 0) % TRIM_EVERY == 0:
        trim(0)


def post_worker_init(worker):
    """Warm each worker before it takes requests: open the build's index, database, filter
    masks and taxonomy, and what near searches and service pages read once per build (the
    places' arrays, a kind of help's places), so the first residents do not wait for them
    (a worker's first near search took ~350 ms at 50,000 services, the next ones ~15)."""
    warm(worker.app.wsgi())
    settle_collector()


def warm(app) -> list[int]:
    """Ask the app for ``warm_paths`` under a name it answers to (any other ``Host`` is a
    400 page, which warms nothing); their status codes."""
    from directory.web.hosts import own_name

    client = app.test_client()
    return [client.get(path, headers={"Host": own_name(app.config)}).status_code
            for path in warm_paths(app)]


def warm_paths(app) -> list[str]:
    """The pages a worker asks itself for before it serves: the home page, a search, a
    filter, a kind of help, and a near search and a service page of the build's own."""
    from urllib.parse import quote_plus

    from directory.build.layout import NoBuild
    from directory.search import queries
    from directory.web.store import get_db

    paths = ["/", "/search?q=counselling", "/search?open_now=1", "/categories/counselling"]
    try:
        with app.app_context():
            db = get_db()
            places, first = queries.places(db), queries.service_ids(db, [0]).get(0)
    except NoBuild:
        return paths
    if places:
        paths.append(f"/search?q=counselling&near={quote_plus(places[0]['name'])}")
    if first:
        paths.append(f"/services/{first}")
    return paths


# Python's cycle collector, as a worker uses it. A page leaves ~120 objects in reference
# cycles (Jinja's macros and their closures, the request's own), so it must run, but by
# default it ran a full pass over every object of the worker (the app, the index, the kept
# cards) every few hundred pages: 65-200 ms each, the slowest moments of a run, and ~0.5 ms
# a page in all. Measured over 2,000 distinct pages at 50k services: collector time 1,137
# -> 334 ms, longest pause 118 -> 17 ms, the same resident memory afterwards.
GC_THRESHOLDS = (5000, 50, 20)  # young objects before a collection; collections per older one


def settle_collector() -> None:
    """What a worker holds once warmed is kept for its life: set it aside from the
    collector's passes (``gc.freeze``), and collect the young less often."""
    import gc

    gc.collect()
    gc.freeze()
    gc.set_threshold(*GC_THRESHOLDS)


def pre_request(worker, req):
    """Close the connection after every ``keepalive_requests``-th request of this worker."""
    served = getattr(worker, "directory_served", 0) + 1  # threads may race: about right
    worker.directory_served = served
    if keepalive_requests and served % keepalive_requests == 0:
        req.must_close = True  # gunicorn answers "Connection: close" and closes after it
