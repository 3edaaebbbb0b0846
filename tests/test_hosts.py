"""The Host header: links never come from an unchecked one, and a malformed one is a 400 page."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from directory.web.app import create_app
from directory.web.hosts import unsafe_config
from tests.conftest import FIXTURE_DATA, FROZEN_NOW

SHEET = "/referral?ids=harbour-youth-drop-in"
PAGES = [SHEET, "/services/harbour-youth-drop-in", "/sheets/street?near=Harbourside",
         "/referral.pdf?ids=harbour-youth-drop-in"]


def make_app(instance, **config):
    return create_app({"TESTING": True, "INSTANCE_PATH": str(instance),
                       "DATA_DIR": str(FIXTURE_DATA), "NOW": FROZEN_NOW, **config})


@pytest.mark.parametrize("page", PAGES)
def test_a_forged_host_never_reaches_another_visitor(built_instance, page):
    client = make_app(built_instance).test_client()
    for _ in range(4):
        forged = client.get(page, headers={"Host": "evil.example"})
        assert forged.status_code == 200
    honest = client.get(page, headers={"Host": "help.example.org"})
    assert honest.status_code == 200
    assert b"evil.example" not in honest.data
    if page == SHEET:
        assert b"http://help.example.org/referral?ids=harbour-youth-drop-in" in honest.data


def test_with_a_public_url_links_ignore_the_host(built_instance):
    client = make_app(built_instance, PUBLIC_URL="https://help.example.org").test_client()
    for page in ("/services/harbour-youth-drop-in", SHEET):
        body = client.get(page, headers={"Host": "evil.example"}).get_data(as_text=True)
        assert "evil.example" not in body
    sheet = client.get(SHEET, headers={"Host": "evil.example"}).get_data(as_text=True)
    assert "https://help.example.org/referral?ids=harbour-youth-drop-in" in sheet


def test_the_report_link_comes_from_the_public_url(built_instance):
    client = make_app(built_instance, PUBLIC_URL="https://help.example.org").test_client()
    body = client.get("/services/harbour-youth-drop-in", headers={"Host": "evil.example"})
    assert "https%3A%2F%2Fhelp.example.org%2Fservices%2Fharbour-youth-drop-in" in \
        body.get_data(as_text=True)


def test_an_untrusted_host_is_a_400_page(built_instance):
    client = make_app(built_instance, TRUSTED_HOSTS="help.example.org, www.help.example.org") \
        .test_client()
    assert client.get("/", headers={"Host": "www.help.example.org:8443"}).status_code == 200
    response = client.get(SHEET, headers={"Host": "evil.example"})
    assert response.status_code == 400
    body = response.get_data(as_text=True)
    assert "(the Host header)" in body and "988" in body
    assert "evil.example" not in body


@pytest.mark.parametrize("host", ["a" * 64 + ".example", "x" * 300, "exa mple.org", "ex..ample",
                                  "-bad.example", "évil.example", "host:99999999", "[::1",
                                  "a.example/../../"])
@pytest.mark.parametrize("page", ["/", "/search?q=counselling", SHEET, "/nowhere"])
def test_a_malformed_host_is_a_400_page_with_the_crisis_lines(built_instance, host, page):
    client = make_app(built_instance).test_client()
    response = client.get(page, headers={"Host": host})
    assert response.status_code == 400, (host, page)
    assert "988" in response.get_data(as_text=True)
    assert response.headers["Content-Security-Policy"].startswith("default-src 'self'")
    assert response.headers["Referrer-Policy"] == "no-referrer"


@pytest.mark.parametrize(("config", "problem"), [
    ({}, "set DIRECTORY_PUBLIC_URL to the address people reach the site at"),
    ({"PUBLIC_URL": "help.example.org"}, 'DIRECTORY_PUBLIC_URL "help.example.org" is not a '
                                         "web address"),
    ({"PUBLIC_URL": "https://help.example.org"}, None),
    ({"TRUSTED_HOSTS": "help.example.org"}, None),
    ({"TRUSTED_HOSTS": ["help.example.org"]}, None),
    ({"TRUSTED_HOSTS": " , "}, "set DIRECTORY_PUBLIC_URL"),
])
def test_production_needs_the_public_url_or_trusted_hosts(config, problem):
    found = unsafe_config(config)
    assert (found is None) if problem is None else found.startswith(problem)


def _import_wsgi(env: dict) -> subprocess.CompletedProcess:
    clean = {key: value for key, value in os.environ.items()
             if key not in ("DIRECTORY_PUBLIC_URL", "DIRECTORY_TRUSTED_HOSTS")}
    return subprocess.run([sys.executable, "-c", "import directory.wsgi"], env=clean | env,
                          capture_output=True, text=True, timeout=60)


def test_the_wsgi_app_refuses_to_start_without_its_address():
    refused = _import_wsgi({})
    assert refused.returncode == 1
    assert refused.stderr.startswith("directory: cannot start: set DIRECTORY_PUBLIC_URL")
    assert "Traceback" not in refused.stderr
    assert _import_wsgi({"DIRECTORY_PUBLIC_URL": "https://help.example.org"}).returncode == 0


def test_gunicorn_refuses_to_start_without_the_address(built_instance):
    env = {key: value for key, value in os.environ.items()
           if key not in ("DIRECTORY_PUBLIC_URL", "DIRECTORY_TRUSTED_HOSTS")}
    env |= {"DIRECTORY_INSTANCE_PATH": str(built_instance), "PORT": "0"}
    gunicorn = Path(sys.executable).parent / "gunicorn"
    result = subprocess.run([str(gunicorn), "-c", "python:directory.gunicorn_conf",
                             "directory.wsgi:app"], env=env, capture_output=True, text=True,
                            timeout=60)
    assert result.returncode != 0
    assert "directory: cannot start: set DIRECTORY_PUBLIC_URL" in result.stderr
    assert "Traceback" not in result.stderr
