"""In a real browser, on a phone: a crisis search opens with the crisis lines in reach of a
thumb; Quick exit leaves nothing of the site behind unless a worker chose to keep the list."""

from __future__ import annotations

from tests.browser.conftest import ARTIFACTS, PHONE

QUICK_EXIT = "https://weather.example.org/"  # tests/data/site.yaml's quick_exit_url


def test_kill_myself_on_a_phone_opens_with_the_crisis_lines(visit):
    v = visit(viewport=PHONE)
    page = v.page
    page.goto("/search?q=kill+myself")
    panel = page.get_by_role("complementary", name="You don’t have to go through this alone")
    call = panel.get_by_role("link", name="Call 988")
    text = panel.get_by_role("link", name="Text 988")
    # On the first phone screen, big enough for a thumb, before any result.
    for button in (call, text):
        box = button.bounding_box()
        assert box["y"] + box["height"] <= PHONE["height"], box
        assert box["height"] >= 44 and box["width"] >= 44, box
    assert call.get_attribute("href") == "tel:988"
    first_card = page.locator("article.card").first
    assert first_card.bounding_box()["y"] > call.bounding_box()["y"]
    assert first_card.get_by_role("link").first.inner_text() == "Peer warmline"  # crisis line
    assert "Did you mean" not in page.inner_text("main")
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=ARTIFACTS / "crisis-kill-myself-phone.png")  # the first screen
    v.screenshot("kill-myself")


def _add_to_list_then_quick_exit(v, keep: bool) -> None:
    page = v.page
    # The neutral page is answered here, not fetched: no test touches the network.
    page.route(QUICK_EXIT + "**", lambda route: route.fulfill(body="<title>Weather</title>",
                                                             content_type="text/html"))
    page.goto("/services/northside-warmline")
    page.get_by_role("button", name="Add to referral list").click()
    assert page.get_by_role("link", name="Referral list (1)").is_visible()
    if keep:
        page.get_by_role("link", name="Referral list (1)").click()
        page.wait_for_url("**/referral?ids=northside-warmline")
        page.get_by_label("Keep my list on this device").check()
    page.get_by_role("link", name="Quick exit").click()
    page.wait_for_url(QUICK_EXIT)
    v.requests[:] = [url for url in v.requests if not url.startswith(QUICK_EXIT)]


def test_quick_exit_clears_the_referral_list(visit, live_server):
    v = visit()
    _add_to_list_then_quick_exit(v, keep=False)
    v.page.goto(live_server + "/")
    assert v.page.get_by_role("link", name="Referral list", exact=True).is_visible()
    assert v.page.evaluate("window.localStorage.length") == 0


def test_a_worker_who_keeps_the_list_keeps_it_through_quick_exit(visit, live_server):
    v = visit()
    _add_to_list_then_quick_exit(v, keep=True)
    v.page.goto(live_server + "/")
    assert v.page.get_by_role("link", name="Referral list (1)").is_visible()
