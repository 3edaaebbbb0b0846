"""axe-core on every page type in every UI language: zero WCAG 2.1 A/AA violations."""

from __future__ import annotations

import json

import pytest
from axe_playwright_python.sync_playwright import Axe

from .test_journeys import PAGES

# Every page type: the site's pages, and the sheets (one printed in another language).
PAGE_TYPES = [*PAGES, "/referral?ids=harbour-youth-drop-in,riverside-therapy",
              "/referral?ids=harbour-youth-drop-in&sheet_lang=id",
              "/sheets/street?category=counselling"]

WCAG = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}}


def ui_languages(instance) -> list[str]:
    manifest = json.loads((instance / "current" / "manifest.json").read_text())
    return manifest["site"]["languages"]


@pytest.fixture(scope="module")
def axe():
    return Axe()


@pytest.mark.parametrize("path", PAGE_TYPES)
def test_no_wcag_violations(visit, axe, built_instance, path):
    for language in ui_languages(built_instance):
        v = visit(locale=language, extra_http_headers={"Accept-Language": language})
        v.page.goto(path)
        assert v.page.get_attribute("html", "lang") == language
        result = axe.run(v.page, options=WCAG)
        assert result.response["passes"], "axe did not run"
        violations = [(x["id"], x["help"], [n["target"] for n in x["nodes"]])
                      for x in result.response["violations"]]
        assert violations == []
