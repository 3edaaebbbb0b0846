"""Markup placed in data files or queries is shown as text, never run (checked in the DOM)."""

from __future__ import annotations

import pytest

from directory.web.app import create_app
from tests.conftest import FROZEN_NOW, FROZEN_TODAY

from .conftest import serve

PAYLOAD = '<img src=x onerror="alert(1)"><script>alert(2)</script>'


@pytest.fixture(scope="module")
def hostile_site(tmp_path_factory):
    import shutil

    from tests.conftest import FIXTURE_DATA, build_into

    data = tmp_path_factory.mktemp("hostile") / "data"
    shutil.copytree(FIXTURE_DATA, data)
    org = data / "organizations" / "harbour-youth-trust.yaml"
    text = org.read_text()
    text = text.replace("name: Youth drop-in counselling", f"name: 'Youth {PAYLOAD}'")
    text = text.replace("description: Free support for young people aged 12-25.",
                        f"description: '{PAYLOAD}'")
    org.write_text(text)
    instance = data.parent / "instance"
    instance.mkdir()
    build_into(data, instance)
    url, server = serve(create_app({"TESTING": True, "INSTANCE_PATH": str(instance),
                                    "NOW": FROZEN_NOW, "TODAY": FROZEN_TODAY.isoformat()}))
    yield url
    server.shutdown()


@pytest.mark.parametrize("path", ["/services/harbour-youth-drop-in",
                                  "/organizations/harbour-youth-trust",
                                  "/search?q=youth", "/search?q=" + PAYLOAD])
def test_payloads_are_inert(visit, hostile_site, path):
    v = visit(base_url=hostile_site)
    v.page.goto(path)
    v.page.wait_for_load_state("load")
    assert v.dialogs == []
    assert v.page.evaluate("document.querySelectorAll('main script, main img').length") == 0
    assert PAYLOAD in v.page.inner_text("main")
