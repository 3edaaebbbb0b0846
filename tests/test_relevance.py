"""success@3 of the relevance set (tests/relevance/queries.yaml) over the demo data build.

The demo data (data/) is built by the real pipeline into a temporary instance; every search
runs through the site's own path at 00:30 on a weeknight. The test fails below the targets:
95% of all searches, every crisis search.
"""

from __future__ import annotations

import re

import pytest

from directory import ROOT
from directory.tools import relevance
from tests.conftest import FROZEN_TODAY


@pytest.fixture(scope="module")
def demo_build(tmp_path_factory):
    return relevance.build_demo(tmp_path_factory.mktemp("demo"), ROOT / "data", FROZEN_TODAY)


@pytest.fixture(scope="module")
def score(demo_build):
    return relevance.evaluate(demo_build, relevance.load_queries())


def test_the_set_is_large_and_covers_crisis_searches_in_three_languages():
    entries = relevance.load_queries()
    assert len(entries) >= 150
    crisis = [e["q"] for e in entries if e.get("crisis")]
    assert len(crisis) >= 40
    assert "quiero morir" in crisis and "bunuh diri" in crisis
    assert sum(bool(e.get("suggest")) for e in entries) >= 10
    assert len({e["q"] for e in entries}) == len(entries), "a search is listed twice"


def test_success_at_3_meets_the_targets(score):
    assert score.overall >= relevance.TARGET, score.summary()
    assert score.crisis >= relevance.TARGET_CRISIS, score.summary()


def test_the_judge_fails_what_a_resident_would_call_a_bad_answer(demo_build):
    # A crisis search must be recognised; help the first three lack fails the search.
    wrong = relevance.evaluate(demo_build, [
        {"q": "counselling", "help": ["crisis-hotline"], "crisis": True},
        {"q": "counselling", "help": ["housing-support"]},
        {"q": "counselling", "help": ["counselling"], "suggest": True},
    ])
    assert [o.ok for o in wrong.outcomes] == [False, False, False]
    assert [o.why for o in wrong.outcomes] == [
        "not recognised as a crisis search",
        "none of housing-support in the first three",
        "no spelling suggestion"]
    assert not wrong.passed


def test_kill_myself_on_the_demo_site_at_half_past_midnight(demo_build):
    """The issue's first example, as a resident sees it on the demo data."""
    from directory.web.app import create_app

    app = create_app({"TESTING": True, "INSTANCE_PATH": str(demo_build.parent.parent),
                      "DATA_DIR": str(ROOT / "data"), "NOW": "2026-12-01T00:30:00"})
    html = app.test_client().get("/search?q=kill+myself").get_data(as_text=True)
    assert "kids myself" not in html and "Did you mean" not in html
    panel = html.index('class="crisis-panel"')
    assert panel < html.index("<h1>") < html.index("Crisis lines and services")
    assert html.index('href="tel:988"') > panel and "Chat online" in html
    first = re.search(r'<h3 class="card-title"><a href="/services/([^"?]+)[^"]*"', html).group(1)
    assert first in {"lcl-crisis-line", "sswh-dv-hotline"}  # the 24/7 lines, open at 00:30


def test_suicide_near_uptown_puts_the_crisis_lines_before_the_grief_groups(demo_build):
    """A near search for a crisis: the panel, then the lines serving the area (crisis lines
    first, open now first), all above the distance list."""
    from directory.web.app import create_app

    app = create_app({"TESTING": True, "INSTANCE_PATH": str(demo_build.parent.parent),
                      "DATA_DIR": str(ROOT / "data"), "NOW": "2026-12-01T00:30:00"})
    html = app.test_client().get("/search?q=suicide&near=Uptown").get_data(as_text=True)
    block = re.search(r'<section class="remote".*?</section>', html, flags=re.S)
    assert block, "no call, text or chat block"
    lines = re.findall(r'class="hotline-name" href="/services/([^"?]+)[^"]*"', block.group(0))
    assert lines[0] in {"lcl-crisis-line", "sswh-dv-hotline"}, lines
    assert html.index('class="crisis-panel"') < block.start()
    cards = html.find('<article class="card">')
    assert cards == -1 or block.start() < cards
