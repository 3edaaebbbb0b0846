"""Issue #18 in real Chromium at a phone's 390 × 844: the first screen, touch targets, the
place kept, the referral list shared and scanned, and the printed sheet.

The first-screen and touch-target checks use the demo data (three crisis lines, long
listings), since that is what residents see; journeys use the small fixture set.
Screenshots of each page go to test-artifacts/.
"""

from __future__ import annotations

import json
import shutil

import pytest

from directory import ROOT
from directory.build import pipeline
from directory.web.app import create_app

from ..conftest import FROZEN_NOW, FROZEN_TODAY
from .conftest import DESKTOP, serve

PHONE = {"width": 390, "height": 844}
TOUCH = 44  # CSS px, WCAG 2.5.5
CONTROLS = ('a[href^="tel:"], a[href^="sms:"], .chat-link a, .directions a, '
            "[data-referral-add], .share-links a, a.touch")


@pytest.fixture(scope="module")
def demo_server(tmp_path_factory):
    """The site over a copy of the demo data (so the build writes nothing into data/)."""
    root = tmp_path_factory.mktemp("demo")
    shutil.copytree(ROOT / "data", root / "data")
    outcome = pipeline.run(root / "data", root / "instance", today=FROZEN_TODAY)
    assert not outcome.report.errors, [str(p) for p in outcome.report.errors]
    app = create_app({"TESTING": True, "INSTANCE_PATH": str(root / "instance"),
                      "NOW": FROZEN_NOW, "TODAY": FROZEN_TODAY.isoformat()})
    url, server = serve(app)
    yield url
    server.shutdown()


def bottom(locator) -> float:
    box = locator.bounding_box()
    return box["y"] + box["height"]


def small_targets(page) -> list[tuple[str, float, float]]:
    """Visible calls, texts, chats, directions and list controls under 44 × 44 px."""
    return page.eval_on_selector_all(CONTROLS, f"""els => els
        .filter(e => e.offsetParent !== null)
        .map(e => [e.textContent.trim(), e.getBoundingClientRect().width,
                   e.getBoundingClientRect().height])
        .filter(([, w, h]) => w < {TOUCH} || h < {TOUCH})""")


def test_home_first_screen_holds_the_search_and_every_crisis_line(visit, demo_server):
    v = visit(base_url=demo_server, viewport=PHONE)
    page = v.page
    page.goto("/")
    search = page.get_by_label("What are you looking for?")
    assert bottom(search) <= PHONE["height"]
    assert bottom(page.get_by_role("button", name="Search")) <= PHONE["height"]
    lines = page.locator(".crisis-link")
    assert [lines.nth(n).inner_text() for n in range(lines.count())] == [
        "Call 988", "Text 988", "Text 741741", "Call 911"]
    for n in range(lines.count()):
        assert bottom(lines.nth(n)) <= PHONE["height"], lines.nth(n).inner_text()
    assert small_targets(page) == []
    v.screenshot("home")


def test_calls_texts_chats_and_directions_are_44px(visit, demo_server):
    v = visit(base_url=demo_server, viewport=PHONE)
    page = v.page
    page.goto("/search?q=counselling&near=Uptown")
    assert page.locator('.card a[href^="tel:"]').count() > 3
    assert small_targets(page) == []
    v.screenshot("near-search")
    page.locator(".card-title a").first.click()
    page.wait_for_url("**/services/**")
    assert page.locator(".directions a").count() == 4
    assert small_targets(page) == []
    v.screenshot("service")
    page.goto("/services/teen-talk-textline")  # text and chat only
    assert page.get_by_role("link", name="Chat online").is_visible()
    assert "Text first" in page.inner_text("main")
    assert small_targets(page) == []


def test_the_place_stays_with_later_searches_and_browsing(visit):
    v = visit(viewport=PHONE)
    page = v.page
    page.goto("/")
    page.get_by_label("What are you looking for?").fill("counselling")
    page.get_by_label("Near (neighbourhood, ZIP code or landmark)").fill("Harbourside")
    page.get_by_role("button", name="Search").click()
    page.wait_for_url("**near=Harbourside**")
    assert "near Harbourside" in page.inner_text("h1")
    # A new search from the header, then a service and a kind of help: still near Harbourside.
    page.locator("#header-q").fill("grief")
    page.locator("#header-q").press("Enter")
    page.wait_for_url("**q=grief**")
    assert "near=Harbourside" in page.url and "near Harbourside" in page.inner_text("h1")
    page.goto("/services/harbour-youth-drop-in?near=Harbourside")
    page.get_by_role("link", name="Counselling", exact=True).click()
    page.wait_for_url("**/search?category=counselling**")
    assert "Counselling near Harbourside" in page.inner_text("h1")
    page.get_by_role("link", name="Search everywhere instead").click()
    page.wait_for_url("**/search?category=counselling")
    assert "near" not in page.inner_text("h1")


def kept_list(page) -> list[str]:
    return json.loads(page.evaluate("window.localStorage.getItem('referral-list') || '[]'"))


def test_a_shared_list_never_replaces_the_workers_own(visit):
    v = visit(viewport=PHONE)
    page = v.page
    own = ["harbour-youth-drop-in", "riverside-therapy", "northside-warmline",
           "harbour-parent-group"]
    page.goto("/referral?ids=" + ",".join(own))
    assert kept_list(page) == own
    assert not page.locator("[data-shared-notice]").is_visible()
    # Someone else's list, from a text message or a QR code.
    page.goto("/referral?ids=riverside-grief-groups")
    notice = page.locator("[data-shared-notice]")
    assert notice.is_visible()
    assert "This is a list someone shared" in notice.inner_text()
    assert "it has 4 services" in notice.inner_text()
    assert kept_list(page) == own
    assert page.locator("[data-referral-count]").inner_text() == " (4)"
    # Each service of the shared list can be added on its own...
    add = page.locator(".sheet [data-referral-add]")
    assert add.inner_text() == "Add to referral list"
    add.click()
    assert kept_list(page) == [*own, "riverside-grief-groups"]
    add.click()  # ...and taken off again
    assert kept_list(page) == own
    # ...or all at once, which opens the worker's list with them.
    page.get_by_role("button", name="Add all of these to your list").click()
    page.wait_for_url("**ids=harbour-youth-drop-in,riverside-therapy,northside-warmline,"
                      "harbour-parent-group,riverside-grief-groups")
    assert kept_list(page) == [*own, "riverside-grief-groups"]
    assert not page.locator("[data-shared-notice]").is_visible()
    v.screenshot("own-list")
    # Removing from one's own list is kept, and never mistaken for a shared list.
    page.locator(".sheet-edit li", has_text="Peer warmline").get_by_text("Remove").click()
    page.wait_for_url("**/referral?ids=**")
    assert "northside-warmline" not in kept_list(page) and len(kept_list(page)) == 4
    assert not page.locator("[data-shared-notice]").is_visible()


def test_a_scanned_list_links_to_each_service(visit):
    v = visit(viewport=PHONE)
    page = v.page
    page.goto("/referral?ids=harbour-youth-drop-in,northside-warmline")
    names = page.locator(".entry-name a")
    assert [names.nth(n).inner_text() for n in range(names.count())] == [
        "Youth drop-in counselling", "Peer warmline"]
    assert small_targets(page) == []
    names.nth(1).click()
    page.wait_for_url("**/services/northside-warmline")
    assert page.get_by_role("heading", level=1).inner_text() == "Peer warmline"


def test_printed_sheet_shows_only_the_sheet(visit):
    v = visit(viewport=PHONE)
    page = v.page
    page.goto("/referral?ids=harbour-youth-drop-in,riverside-therapy,northside-warmline"
              "&note=Ask for Ana")
    page.emulate_media(media="print")
    assert page.locator(".sheet").is_visible()
    for hidden in (".site-header", ".sheet-tools", ".quick-exit", ".demo-banner"):
        assert not page.locator(hidden).first.is_visible(), hidden
    sheet = page.inner_text(".sheet")
    assert "Hours: Mon–Fri 3 PM–7 PM, Sat 12 PM–4 PM." in sheet
    assert "Who it is for: Ages 12 to 25." in sheet
    v.screenshot("printed-sheet")


def test_desktop_filter_grid_lines_up(visit):
    v = visit(viewport=DESKTOP)
    page = v.page
    page.goto("/search?q=counselling")
    page.locator("summary", has_text="Filters").click()
    boxes = page.eval_on_selector_all(
        ".filter-field select, .filter-field input",
        "els => els.map(e => { const r = e.getBoundingClientRect();"
        " return [Math.round(r.left), Math.round(r.top), Math.round(r.height)]; })")
    assert len(boxes) >= 4
    assert len({height for _, _, height in boxes}) == 1  # one height for every control
    # Fields in the same row start at the same height, whatever their labels' length.
    tops = sorted({top for _, top, _ in boxes})
    assert all(b - a > 40 for a, b in zip(tops, tops[1:], strict=False)), tops
    v.screenshot("filters")


def test_first_visit_meets_no_404(visit):
    v = visit(viewport=PHONE)
    statuses: list[tuple[str, int]] = []
    v.page.on("response", lambda response: statuses.append((response.url, response.status)))
    v.page.goto("/")
    v.page.wait_for_load_state("networkidle")
    assert [url for url, status in statuses if status >= 400] == []
    # Headless Chromium asks for no icon itself: fetch the one the page names, as browsers do.
    icon = v.page.get_attribute('link[rel="icon"]', "href")
    assert icon == "/favicon.ico"
    response = v.page.request.get(icon)
    assert response.status == 200 and response.headers["content-type"] == \
        "image/vnd.microsoft.icon"
