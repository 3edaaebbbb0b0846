"""Journeys as residents make them, in real Chromium, on a phone and a desktop, with and
without JS."""

from __future__ import annotations

import pytest

from .conftest import DESKTOP, PHONE

VIEWPORTS = pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
SCRIPTING = pytest.mark.parametrize("javascript", [True, False], ids=["js", "nojs"])


@VIEWPORTS
@SCRIPTING
def test_search_filter_open_a_service(visit, viewport, javascript):
    v = visit(viewport=viewport, java_script_enabled=javascript)
    page = v.page
    page.goto("/")
    assert page.get_by_role("link", name="Call 988").first.get_attribute("href") == "tel:988"
    page.get_by_label("What are you looking for?").fill("someone to talk to")
    page.keyboard.press("Enter")
    page.wait_for_url("**/search?q=someone+to+talk+to**")
    assert page.get_by_role("status").inner_text().endswith("services found")
    v.screenshot("results")
    page.locator("summary", has_text="Filters").click()
    page.get_by_label("Kind of help").select_option("drop-in")
    page.get_by_role("button", name="Show results").click()
    page.wait_for_url("**category=drop-in**")
    assert page.get_by_role("status").inner_text() == "1 service found in Drop-in"
    page.get_by_role("link", name="Youth drop-in counselling").click()
    page.wait_for_url("**/services/harbour-youth-drop-in")
    assert page.get_by_role("heading", level=1).inner_text() == "Youth drop-in counselling"
    call = page.get_by_role("link", name="Call (312) 555-0101")
    assert call.get_attribute("href") == "tel:+13125550101"
    v.screenshot("service")


@VIEWPORTS
def test_spanish_journey_search_filter_open_add_print(visit, viewport):
    """A resident reading Spanish: "terapia gratis", a filter, a service, the list, the sheet."""
    v = visit(viewport=viewport, locale="es", extra_http_headers={"Accept-Language": "es"})
    page = v.page
    page.goto("/")
    assert page.get_attribute("html", "lang") == "es"
    page.get_by_label("¿Qué está buscando?").fill("terapia gratis")
    page.keyboard.press("Enter")
    # "gratis" is read as the cost filter: the words left, and a chip the person can remove.
    page.wait_for_url("**/search?**q=terapia**cost=free**")
    assert "lang=es" in page.url
    assert page.get_by_role("status").inner_text().endswith(("servicios encontrados",
                                                             "servicio encontrado"))
    v.screenshot("es-results")
    page.locator("summary", has_text="Filtros").click()
    page.get_by_label("Tipo de ayuda").select_option("drop-in")
    page.get_by_role("button", name="Mostrar resultados").click()
    page.wait_for_url("**category=drop-in**")
    assert "lang=es" in page.url  # the language stuck through the form
    v.screenshot("es-filtered")
    page.get_by_role("link", name="Consejería juvenil sin cita").click()
    page.wait_for_url("**/services/harbour-youth-drop-in?lang=es")
    assert page.get_by_role("heading", level=1).inner_text() == "Consejería juvenil sin cita"
    assert "lunes" in page.inner_text("main")
    v.screenshot("es-service")
    add = page.locator('[data-referral-add="harbour-youth-drop-in"]').first
    assert add.inner_text() == "Agregar a la lista de derivación"
    add.click()
    assert add.get_attribute("aria-pressed") == "true"
    assert add.inner_text() == "En la lista de derivación: quitar"
    page.get_by_role("link", name="Lista de derivación").first.click()
    page.wait_for_url("**/referral?**")
    assert page.get_by_role("heading", name="Hoja de derivación").is_visible()
    assert "Consejería juvenil sin cita" in page.inner_text("article")
    v.screenshot("es-sheet")
    # Print: the PDF of the sheet, in Spanish too.
    with page.expect_download() as download:
        page.get_by_role("link", name="Descargar PDF").first.click()
    assert download.value.suggested_filename.startswith("referral-")


def test_no_results_offers_ways_out(visit):
    v = visit()
    v.page.goto("/search?q=skydiving")
    assert v.page.get_by_role("heading", name="No services matched your search").is_visible()
    v.page.get_by_role("link", name="Peer support", exact=True).click()
    v.page.wait_for_url("**/categories/peer-support")
    assert "Peer warmline" in v.page.inner_text("main")


def test_keyboard_only_journey(visit):
    v = visit(viewport=DESKTOP)
    page = v.page
    page.goto("/search?q=counselling")
    page.keyboard.press("Tab")  # first the way out, for someone who must leave at once
    assert page.locator(":focus").inner_text() == "Quick exit"
    page.keyboard.press("Tab")
    skip = page.locator(":focus")
    assert skip.inner_text() == "Skip to main content"
    assert skip.is_visible()  # the skip link shows itself when focused
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"
    # From main, Tab goes through the filter to the first result link; focus stays visible.
    for _ in range(6):
        page.keyboard.press("Tab")
        focused = page.locator(":focus")
        assert focused.evaluate("e => e.closest('main') !== null")
        outline = focused.evaluate("e => getComputedStyle(e).outlineStyle")
        assert outline not in ("none", ""), focused.evaluate("e => e.outerHTML")
        if "/services/" in (focused.get_attribute("href") or ""):
            break
    else:
        raise AssertionError("Tab never reached a result")
    v.screenshot("focus")
    page.keyboard.press("Enter")
    page.wait_for_url("**/services/**")


PAGES = ["/", "/search?q=counselling", "/search?q=skydiving", "/services/harbour-youth-drop-in",
         "/services/northside-warmline", "/organizations/riverside-counseling-center",
         "/categories/support-group", "/about", "/privacy", "/search?page=0", "/services/gone",
         "/search/remote?near=Northside", "/search?q=counselling&near=Harbourside",
         "/categories/counselling", "/referral?ids=harbour-youth-drop-in,northside-warmline",
         "/search?q=kill+myself", "/search?near=Northside",
         "/events", "/events?category=nope", "/volunteer",
         "/organizations/harbour-youth-trust", "/services/harbour-parent-group",
         "/about/api"]


@pytest.mark.parametrize("path", PAGES)
def test_readable_at_200_percent_zoom_without_sideways_scrolling(visit, path):
    # 200% zoom of a 1280 px window is a 640 CSS px viewport; WCAG reflow asks for 320 px.
    for width in (640, 320):
        v = visit(viewport={"width": width, "height": 800})
        v.page.goto(path)
        overflow = v.page.evaluate(
            "document.documentElement.scrollWidth - document.documentElement.clientWidth")
        assert overflow <= 0, f"{path} scrolls sideways by {overflow}px at {width}px"


def test_use_my_location_when_allowed(visit):
    v = visit(geolocation={"latitude": 41.88312, "longitude": -87.64795},
              permissions=["geolocation"])
    page = v.page
    page.goto("/")
    page.get_by_role("button", name="Use my location").click()
    page.wait_for_url("**near=41.883%2C-87.648**")
    assert "near your location" in page.inner_text("h1")
    assert page.get_by_role("link", name="Youth drop-in counselling").is_visible()
    # Only the rounded position (about 100 m) ever left the browser.
    assert not [url for url in v.requests if "41.8831" in url or "87.6479" in url]
    v.screenshot("near-me")


def test_use_my_location_when_refused(visit):
    v = visit(permissions=[])
    page = v.page
    page.goto("/")
    page.get_by_role("button", name="Use my location").click()
    status = page.get_by_role("status").filter(has_text="Your location is not available")
    status.wait_for()
    assert page.url.endswith("/")  # nothing was sent; the resident can type a place instead
    assert page.evaluate("document.activeElement.name") == "near"
