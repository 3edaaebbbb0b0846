"""Privacy and safety on every response: headers, no cookies, no searches in logs."""

from __future__ import annotations

import logging
import os
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest

from directory.web.privacy import RedactErrors, RedactSearches

PAGES = ["/", "/search?q=counselling", "/services/harbour-youth-drop-in", "/about", "/privacy",
         "/organizations/harbour-youth-trust", "/categories/counselling", "/search?page=x",
         "/services/nope", "/healthz", "/about/api", "/api/", "/api/services?search=grief",
         "/api/services?page=0", "/api/openapi.json"]


@pytest.mark.parametrize("url", PAGES)
def test_headers_and_no_cookies(client, url):
    response = client.get(url)
    assert "Set-Cookie" not in response.headers
    assert response.headers["Referrer-Policy"] == "no-referrer"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    csp = response.headers["Content-Security-Policy"]
    assert "default-src 'self'" in csp and "frame-ancestors 'none'" in csp
    assert "unsafe-inline" not in csp
    assert "geolocation=(self)" in response.headers["Permissions-Policy"]


@pytest.mark.parametrize("url", PAGES[:7] + ["/search?near=Harbourside"])
def test_pages_name_no_other_host(client, url):
    html = client.get(url).get_data(as_text=True)
    # Nothing is ever loaded from another host.
    assert re.findall(r'src="(https?:)?//', html) == []
    # The only absolute links are the data's own websites (example domains here) and plain
    # links to maps' directions (one per kind of phone), which load nothing until followed.
    for link in re.findall(r'href="(https?://[^"]+)"', html):
        assert (".example.org" in link
                or link.startswith(("https://www.openstreetmap.org/directions?",
                                    "https://maps.apple.com/?daddr=",
                                    "https://www.google.com/maps/dir/?api=1&amp;destination="))
                or link == "https://weather.example.org/"), link
    # Scripts only as same-origin files that enhance the page; never inline.
    for tag, body in re.findall(r"(<script[^>]*>)(.*?)</script>", html, re.S):
        assert re.fullmatch(r'<script src="/static/[\w.-]+\.js" defer>', tag), tag
        assert body.strip() == ""
    assert html.count("<script") == len(re.findall(r"<script[^>]*>.*?</script>", html, re.S))


def log_line(message: str, keep_client: bool = False) -> str:
    record = logging.LogRecord("werkzeug", logging.INFO, __file__, 1, message, None, None)
    RedactSearches(keep_client=keep_client).filter(record)
    return record.getMessage()


def test_access_log_keeps_no_search_and_no_address():
    line = ('203.0.113.9 - - [24/Nov/2026 10:00:00] "GET /search?q=suicide+help&near=60607 '
            'HTTP/1.1" 200 -')
    assert log_line(line) == '- - - [24/Nov/2026 10:00:00] "GET /search?[redacted] HTTP/1.1" 200 -'
    assert log_line(line, keep_client=True).startswith("203.0.113.9 - - ")
    assert "suicide" not in log_line(line, keep_client=True)


def test_the_app_redacts_werkzeug_logs(app):
    assert any(isinstance(f, RedactSearches) for f in logging.getLogger("werkzeug").filters)


# --- gunicorn's error log (issue 14) ----------------------------------------------------


def _error_record(message: str, *args) -> logging.LogRecord:
    return logging.LogRecord("gunicorn.error", logging.WARNING, __file__, 1, message, args, None)


@pytest.mark.parametrize(("message", "args", "kept"), [
    ("Invalid request from ip=203.0.113.7: Invalid HTTP request line: 'GET "
     "/search?q=suicide\xc3\xa9 HTTP/1.1'", (),
     "Invalid request from ip=[redacted]: Invalid HTTP request line: [redacted]"),
    ("Invalid request from ip=2001:db8::1: Invalid HTTP Version: 'HTTP/9'", (),
     "Invalid request from ip=[redacted]: Invalid HTTP Version: [redacted]"),
    ("Invalid request from ip=203.0.113.7: Error parsing headers: 'x'", (),
     "Invalid request from ip=[redacted]: Error parsing headers: [redacted]"),
    ("Error handling request %s %s", ("GET", "/search?q=overdose&near=60607"),
     "Error handling request GET /search?[redacted]"),
    ("Error handling request %s", ("/sheets/street?near=Harbourside",),
     "Error handling request /sheets/street?[redacted]"),
    ("Booting worker with pid: %s", (1234,), "Booting worker with pid: 1234"),
])
def test_gunicorn_error_lines_keep_no_search_and_no_address(message, args, kept):
    record = _error_record(message, *args)
    assert RedactErrors().filter(record)
    assert record.getMessage() == kept


def test_the_operator_may_keep_the_address_but_never_the_search():
    record = _error_record("Invalid request from ip=203.0.113.7: Invalid HTTP request line: "
                           "'GET /search?q=secret HTTP/1.1'")
    RedactErrors(keep_client=True).filter(record)
    assert record.getMessage() == ("Invalid request from ip=203.0.113.7: Invalid HTTP request "
                                   "line: [redacted]")


CLIENT = """
import socket, sys
with socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=10) as s:
    s.sendall("GET /search?q=selbstmord-ü HTTP/1.1\\r\\nHost: x\\r\\n\\r\\n".encode("utf-8"))
    s.recv(4096)
"""


def test_gunicorn_logs_a_malformed_request_without_the_search_or_the_address(built_instance):
    """The real server with the project's config: raw UTF-8 in the request line is refused
    (gunicorn says so in its error log) and the log line holds neither the search nor the
    client's address."""
    env = dict(os.environ, DIRECTORY_INSTANCE_PATH=str(built_instance), PORT="0",
               WEB_CONCURRENCY="1", DIRECTORY_PUBLIC_URL="https://help.example.org")
    env.pop("DIRECTORY_LOG_CLIENT_ADDRESS", None)
    gunicorn = Path(sys.executable).parent / "gunicorn"
    server = subprocess.Popen([str(gunicorn), "-c", "python:directory.gunicorn_conf",
                               "directory.wsgi:app"], env=env, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True)
    try:
        port = None
        lines = []
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            line = server.stderr.readline()
            lines.append(line)
            found = re.search(r"Listening at: http://127\.0\.0\.1:(\d+)", line)
            if found:
                port = found.group(1)
            if "Booting worker" in line and port:
                break
        assert port, "".join(lines)
        time.sleep(1.0)  # the worker warms its caches before it answers
        subprocess.run([sys.executable, "-c", CLIENT, port], check=True, timeout=30)
        time.sleep(0.5)
    finally:
        server.terminate()
        _, rest = server.communicate(timeout=30)
    log = "".join(lines) + rest
    assert "Invalid request from ip=[redacted]: Invalid HTTP request line: [redacted]" in log
    assert "selbstmord" not in log and "ip=127.0.0.1" not in log


def test_keep_alive_connections_are_closed_now_and_then():
    """A gthread worker takes every connection it can: a few busy keep-alive clients could
    all land on one worker while the other idles. Every 20th request a worker serves closes
    its connection (gunicorn's own ``should_close``), so clients reconnect to the idle one."""
    import types

    from gunicorn.http.message import Request

    from directory import gunicorn_conf

    def request():
        req = Request.__new__(Request)
        req.must_close, req.headers, req.version, req.method = False, [], (1, 1), "GET"
        return req

    worker = types.SimpleNamespace()
    closing = []
    for number in range(1, 61):
        req = request()
        gunicorn_conf.pre_request(worker, req)
        if req.should_close():
            closing.append(number)
    assert gunicorn_conf.keepalive_requests == 20
    assert closing == [20, 40, 60]


ARENAS_SCRIPT = """
import ctypes, sys, threading
from directory import gunicorn_conf
capped = gunicorn_conf.limit_malloc_arenas()
def allocate():
    kept = [bytearray(200) for _ in range(20000)]  # small blocks: from the thread's arena
    barrier.wait()
barrier = threading.Barrier(8)
threads = [threading.Thread(target=allocate) for _ in range(8)]
for thread in threads: thread.start()
for thread in threads: thread.join()
print(capped, flush=True)
ctypes.CDLL(None).malloc_stats()  # one "Arena N:" block per arena, on stderr
"""


@pytest.mark.parametrize(("arenas", "at_most"), [("2", 2), ("0", None)])
def test_a_worker_caps_its_malloc_arenas(arenas, at_most):
    """Each gunicorn worker (post_fork) caps glibc's malloc arenas: threads share two heaps
    instead of keeping one each (resident memory after distinct searches)."""
    import subprocess
    import sys

    env = dict(os.environ, DIRECTORY_MALLOC_ARENAS=arenas)
    env.pop("MALLOC_ARENA_MAX", None)
    result = subprocess.run([sys.executable, "-c", ARENAS_SCRIPT], env=env,
                            capture_output=True, text=True, timeout=60, check=True)
    found = result.stderr.count("Arena ")
    if at_most is None:
        assert result.stdout.strip() == "False" and found > 2  # uncapped: a heap a thread
    else:
        assert result.stdout.strip() == "True" and 1 <= found <= at_most


def test_a_worker_hands_free_memory_back_every_fiftieth_request():
    """After every 50th request a worker calls glibc's malloc_trim (what distinct searches
    freed goes back to the system); nothing else between."""
    import types

    from directory import gunicorn_conf

    trimmed = []
    worker = types.SimpleNamespace(directory_trim=lambda pad: trimmed.append(
        (worker.directory_served, pad)))
    for number in range(1, 151):
        worker.directory_served = number
        gunicorn_conf.post_request(worker, None, {}, None)
    assert gunicorn_conf.TRIM_EVERY == 50
    assert trimmed == [(50, 0), (100, 0), (150, 0)]
    assert gunicorn_conf._glibc("malloc_trim")(0) in (0, 1)  # glibc here: the real call works


def test_a_warmed_worker_sets_what_it_holds_aside_from_the_cycle_collector():
    """After warming (post_worker_init), a worker freezes what it holds and collects young
    objects less often: the collector's full passes over the app, index and kept cards were
    the longest pauses of a run of distinct pages."""
    import subprocess
    import sys

    script = ("import gc; from directory import gunicorn_conf as conf; "
              "held = len(gc.get_objects()); conf.settle_collector(); "
              "print(gc.get_threshold() == conf.GC_THRESHOLDS, "
              "gc.get_freeze_count() >= held // 2, len(gc.get_objects()) < held // 2)")
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                            timeout=60, check=True)
    assert result.stdout.split() == ["True", "True", "True"]


def test_a_worker_warms_itself_with_a_near_search_and_a_service_page_of_its_build(
        built_instance, frozen_now):
    """Before serving, a worker asks itself for the pages whose first asking reads what a
    build keeps for its life (the places' arrays for near searches, a kind of help's places
    for a service page's nearest alike), under a name the site answers to (with only
    TRUSTED_HOSTS set, a test client's "localhost" was a 400 page that warmed nothing): all
    answer, and the near search is at one of the build's own places."""
    from directory import gunicorn_conf
    from directory.search import queries
    from directory.web.app import create_app
    from directory.web.store import get_db

    app = create_app({"INSTANCE_PATH": str(built_instance), "NOW": frozen_now,
                      "TRUSTED_HOSTS": ["help.example.org"]})
    paths = gunicorn_conf.warm_paths(app)
    with app.app_context():
        first_place = queries.places(get_db())[0]["name"]
    near = [path for path in paths if "near=" in path]
    assert near and near[0].endswith("near=" + first_place.replace(" ", "+"))
    assert any(path.startswith("/services/") for path in paths)
    assert gunicorn_conf.warm(app) == [200] * len(paths)
