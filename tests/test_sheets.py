"""Referral and street sheets as an outreach worker meets them: the page, the PDF, the QR code."""

from __future__ import annotations

import datetime as dt
import io
import re
import shutil
import socket
from pathlib import Path
from urllib.parse import unquote
from zoneinfo import ZoneInfo

import pypdf
import pypdfium2
import pytest
import yaml
import zxingcpp

from directory import cli as directory_cli
from directory.build import pipeline
from directory.web.app import create_app
from directory.web.pdf import RefusedFetch, render_pdf, static_fetcher

FIXTURE_DATA = Path(__file__).parent / "data"

ACTIVE = ["harbour-youth-drop-in", "northside-warmline", "riverside-therapy",
          "riverside-grief-groups", "riverside-couples", "maple-library-drop-in",
          "harbour-parent-group"]


def text(response) -> str:
    """The page's visible words, roughly: tags stripped, spaces folded, quotes unescaped."""
    words = re.sub(r"<[^>]+>", " ", response.get_data(as_text=True))
    return " ".join(words.replace("&#34;", '"').replace("&#39;", "'").replace("&amp;", "&")
                    .split())


def pdf_text(data: bytes) -> str:
    reader = pypdf.PdfReader(io.BytesIO(data))
    return " ".join(" ".join(page.extract_text() for page in reader.pages).split())


def page_count(data: bytes) -> int:
    return len(pypdf.PdfReader(io.BytesIO(data)).pages)


def heights_of(page, needle: str) -> list[float]:
    """How far up the page (in points) each piece of text containing ``needle`` is drawn."""
    found = []

    def visit(text, cm, tm, _font, _size):
        if needle in text:  # the text matrix's origin, through the page's transformation
            found.append(tm[4] * cm[1] + tm[5] * cm[3] + cm[5])

    page.extract_text(visitor_text=visit)
    return found


def today() -> str:
    return dt.datetime.now(ZoneInfo("America/Chicago")).date().isoformat()


# --- a data set with twenty more services, for page counts -------------------------------


def _many_services(count: int) -> dict:
    """One organization with ``count`` services as full as real listings get."""
    return {
        "id": "sheet-test-network",
        "name": "Sheet Test Community Network",
        "locations": [{
            "id": f"sheet-place-{n}",
            "address": {"address_1": f"{1200 + n} North Example Avenue", "address_2": "Floor 2",
                        "city": "Testville", "state_province": "IL",
                        "postal_code": f"606{n:02d}", "country": "US"},
            "latitude": 41.9, "longitude": -87.65} for n in range(count)],
        "services": [{
            "id": f"sheet-service-{n}",
            "name": f"Community counselling programme number {n}",
            "description": "Free and low-cost counselling with a licensed therapist for anxiety, "
                           "depression, grief and family stress. Evening sessions available.",
            "categories": ["counselling", "drop-in"],
            "at": [f"sheet-place-{n}"],
            "hours": "Mo-Fr 09:00-19:00; Sa 10:00-14:00",
            "phones": [{"number": f"+1 312 555 01{50 + n}", "type": "voice"},
                       {"number": f"+1 773 555 01{50 + n}", "type": "text"}],
            "languages": ["en", "es", "pl"],
            "cost": "sliding-scale",
            "fees_description": "From $10 a session depending on income.",
            "access": "appointment",
            "application_process": "Call to book a first conversation.",
            "last_verified": dt.date(2026, 10, 1),
        } for n in range(count)],
    }


@pytest.fixture(scope="module")
def many(tmp_path_factory):
    """An app over tests/data plus twenty full services (sheet-service-0 … -19)."""
    root = tmp_path_factory.mktemp("many")
    data = root / "data"
    shutil.copytree(FIXTURE_DATA, data)
    (data / "organizations" / "sheet-test-network.yaml").write_text(
        yaml.safe_dump(_many_services(20), sort_keys=False))
    assert not pipeline.run(data, root / "instance").report.errors
    app = create_app({"TESTING": True, "INSTANCE_PATH": str(root / "instance"),
                      "DATA_DIR": str(data)})
    return app.test_client()


def many_ids(count: int) -> str:
    return ",".join(f"sheet-service-{n}" for n in range(count))


# --- the sheet in the browser ----------------------------------------------------------


def test_sheet_shows_what_a_client_needs(client):
    page = client.get("/referral?ids=harbour-youth-drop-in,riverside-therapy,harbour-parent-group")
    words = text(page)
    assert page.status_code == 200
    for expected in (
            "Referral sheet", f"Printed {dt.date.fromisoformat(today()):%B} ",
            "In crisis? Help is available now, free, 24/7", "988 Suicide & Crisis Lifeline",
            "1. Youth drop-in counselling Harbour Youth Trust",
            "Come in after school and talk with a counsellor.",
            "Where: 12 Quay Street, Testville, IL 60607",
            "Phone: Call (312) 555-0101 · Text (312) 555-0102",
            "Hours: Mon–Fri 3 PM–7 PM; Sat 12 PM–4 PM",
            "How to get in: Walk in, no appointment needed", "Cost: Free",
            "Languages: English, Spanish", "Checked: Oct 1, 2026",
            "2. Individual counseling", "Cost: Sliding scale. $10-$60 per session",
            "How to get in: By appointment", "Languages: English, Polish",
            # No phone of its own: the organization's main line, as on the service page.
            "3. Parents' evening circle", "Phone: Call (312) 555-0100"):
        assert expected in words, expected
    assert words.index("In crisis?") < words.index("1. Youth drop-in")
    assert words.index("1. Youth") < words.index("2. Individual") < words.index("3. Parents")


def test_sheet_has_print_css_and_strict_csp(client):
    page = client.get("/referral?ids=harbour-youth-drop-in")
    html = page.get_data(as_text=True)
    assert '<link rel="stylesheet" href="/static/sheet.css">' in html
    css = client.get("/static/sheet.css").get_data(as_text=True)
    for rule in ("@page", "size: A4", "size: letter", "@media print", "break-inside: avoid",
                 ".site-header", "color: #000"):
        assert rule in css, rule
    csp = page.headers["Content-Security-Policy"]
    assert "style-src 'self'" in csp and "script-src 'self'" in csp and "unsafe" not in csp
    # The inline QR code and everything else must render under that policy.
    assert "<svg" in html and " style=" not in html and "<style" not in html
    assert sorted(re.findall(r"<script\b[^>]*>", html)) == [
        '<script src="/static/quick-exit.js" defer>', '<script src="/static/referral.js" defer>']
    assert "Set-Cookie" not in page.headers


def test_unknown_and_retired_ids_are_no_longer_listed(client):
    page = client.get("/referral?ids=harbour-old-camp,harbour-youth-drop-in,ghost-service,"
                      "%3Cb%3Ebad%3C/b%3E,harbour-youth-drop-in")
    words, html = text(page), page.get_data(as_text=True)
    assert page.status_code == 200
    assert "1. Youth drop-in counselling" in words and "2." not in words
    assert "No longer listed" in words
    assert "Summer camp counselling" in words  # retired: named
    assert "Service “ghost-service”" in words  # unknown: its id
    assert "&lt;b&gt;bad&lt;/b&gt;" in html and "<b>bad" not in html
    # The link and QR code carry only what is still listed.
    assert 'value="http://localhost/referral?ids=harbour-youth-drop-in"' in html


def test_empty_list_explains_how_to_fill_it(client):
    words = text(client.get("/referral"))
    assert "No services are on this list yet." in words
    assert "choose “Add to referral list” on each one" in words
    assert "988 Suicide & Crisis Lifeline" in words


def test_note_is_escaped_and_stays_off_the_shared_link(client):
    note = "<script>alert(1)</script>\nAsk for Ana & bring ID"
    page = client.get("/referral", query_string={"ids": "harbour-youth-drop-in", "note": note})
    html = page.get_data(as_text=True)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;\nAsk for Ana &amp; bring ID</p>" in html
    assert "<script>alert" not in html
    share = re.search(r'id="share-url" type="text" readonly value="([^"]+)"', html).group(1)
    assert share == "http://localhost/referral?ids=harbour-youth-drop-in"


def test_twenty_services_and_a_500_character_note_are_allowed(many):
    assert many.get(f"/referral?ids={many_ids(20)}&note={'x' * 500}").status_code == 200


@pytest.mark.parametrize(("query", "message"), [
    ({"ids": many_ids(21)}, "This list has 21 services; a referral sheet holds at most 20. "
                            "Remove some and try again."),
    ({"ids": "harbour-youth-drop-in", "note": "x" * 501},
     "The note is 501 characters long; please keep it to 500."),
    ({"ids": "harbour-youth-drop-in", "paper": "b5"},
     '"b5" is not a known paper size. Choose one of: A4, US Letter.'),
])
@pytest.mark.parametrize("path", ["/referral", "/referral.pdf"])
def test_bad_input_is_a_helpful_400(client, path, query, message):
    page = client.get(path, query_string=query)
    assert page.status_code == 400
    assert message in text(page)
    assert 'href="tel:988"' in page.get_data(as_text=True)


def test_changing_the_list_works_without_javascript(client):
    html = client.get("/referral?ids=harbour-youth-drop-in,northside-warmline&paper=a4"
                      ).get_data(as_text=True)
    links = [unquote(link).replace("&amp;", "&") for link in re.findall(
        r'<a href="(/referral\?[^"]+)">(?:Move up|Move down|Remove)', html)]
    assert links == [
        "/referral?ids=northside-warmline,harbour-youth-drop-in&paper=a4",  # 1 down
        "/referral?ids=northside-warmline&paper=a4",  # 1 removed
        "/referral?ids=northside-warmline,harbour-youth-drop-in&paper=a4",  # 2 up
        "/referral?ids=harbour-youth-drop-in&paper=a4",  # 2 removed
    ]
    # "Add another service" searches with the list carried along.
    assert '<input type="hidden" name="list" value="harbour-youth-drop-in,northside-warmline">' \
        in html


def test_add_to_referral_list_on_results_and_service_pages(client):
    html = client.get("/search?q=warmline").get_data(as_text=True)
    assert '<a href="/referral?ids=northside-warmline" data-referral-add="northside-warmline">' \
           "Add to referral list</a>" in html
    carried = client.get("/search?q=warmline&list=harbour-youth-drop-in").get_data(as_text=True)
    assert 'href="/referral?ids=harbour-youth-drop-in,northside-warmline"' in carried
    assert 'class="referral-link" href="/referral?ids=harbour-youth-drop-in"' in carried
    service = client.get("/services/riverside-therapy").get_data(as_text=True)
    assert 'href="/referral?ids=riverside-therapy" data-referral-add="riverside-therapy"' in service
    assert 'data-referral-add="harbour-old-camp"' not in client.get(
        "/services/harbour-old-camp").get_data(as_text=True)  # a retired service cannot be added


def test_share_links_carry_the_list_address(client):
    html = client.get("/referral?ids=harbour-youth-drop-in,northside-warmline").get_data(
        as_text=True)
    url = "http://localhost/referral?ids=harbour-youth-drop-in,northside-warmline"
    sms = re.search(r'href="(sms:\?&amp;body=[^"]+)"', html).group(1)
    mailto = re.search(r'href="(mailto:\?subject=[^"]+)"', html).group(1)
    assert unquote(sms.replace("&amp;", "&")) == f"sms:?&body=Services we talked about: {url}"
    assert unquote(mailto.replace("&amp;", "&")) == (
        f"mailto:?subject=Services we talked about&body=Services we talked about: {url}")
    # The copy button appears only with JavaScript; the field is there for everyone.
    assert f'readonly value="{url}"' in html
    assert '<button type="button" data-copy-link hidden>Copy link</button>' in html


def test_public_url_setting_is_used_for_the_qr_code_and_links(app, client):
    app.config["PUBLIC_URL"] = "https://help.example.org/"
    html = client.get("/referral?ids=riverside-therapy").get_data(as_text=True)
    assert 'value="https://help.example.org/referral?ids=riverside-therapy"' in html


# --- the PDF ---------------------------------------------------------------------------


def test_pdf_has_every_phone_address_and_the_crisis_lines(client):
    response = client.get("/referral.pdf?ids=" + ",".join(ACTIVE))
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert response.headers["Content-Disposition"] == \
        f'attachment; filename="referral-{today()}.pdf"'
    assert response.headers["Cache-Control"] == "private, no-store"
    words = pdf_text(response.data)
    for expected in ("988 Suicide & Crisis Lifeline: call 988 or text 988",
                     "(312) 555-0101", "(312) 555-0102", "(773) 555-0120", "(773) 555-0121",
                     "(312) 555-0110", "(312) 555-0111", "(312) 555-0112", "(312) 555-0100",
                     "12 Quay Street, Testville, IL 60607",
                     "400 River Road, Floor 2, Testville, IL 60622",
                     "9 Maple Street, Testville, IL 60614", "By phone or online"):
        assert expected in words, expected
    assert "Search" not in words and "Privacy" not in words  # no navigation on paper


def test_pdf_note_is_printed_as_text(client):
    data = client.get("/referral.pdf", query_string={
        "ids": "northside-warmline", "note": "<b>Tuesday</b> 3pm"}).data
    assert "<b>Tuesday</b> 3pm" in pdf_text(data)


@pytest.mark.parametrize(("count", "pages"), [(1, 1), (6, 1), (7, 2), (20, 4)])
@pytest.mark.parametrize("paper", ["letter", "a4"])
def test_six_services_to_a_page(many, count, pages, paper):
    data = many.get(f"/referral.pdf?ids={many_ids(count)}&paper={paper}"
                    "&note=Tuesday 3pm: ask for Ana at the front desk and bring any ID you have."
                    ).data
    assert page_count(data) == pages
    reader = pypdf.PdfReader(io.BytesIO(data))
    size = [round(float(v)) for v in reader.pages[0].mediabox.upper_right]
    assert size == ([612, 792] if paper == "letter" else [595, 842])
    # Whole services on each page, in order: no service starts on one page and ends on another.
    for number, page in enumerate(reader.pages):
        words = " ".join(page.extract_text().split())
        on_page = range(number * 6, min(count, number * 6 + 6))
        for n in on_page:
            assert f"Community counselling programme number {n} " in words
            assert f"(312) 555-01{50 + n}" in words and f"{1200 + n} North Example Avenue" in words
        # Top to bottom, each at least six 11 pt lines below the one before: none overlap.
        tops = heights_of(page, "Community counselling programme number")
        assert len(tops) == len(on_page)
        assert all(above - below > 6 * 11 for above, below in zip(tops, tops[1:], strict=False))


def test_paper_defaults_to_the_sites_country(client):
    data = client.get("/referral.pdf?ids=northside-warmline").data  # a US site
    assert [round(float(v)) for v in pypdf.PdfReader(io.BytesIO(data)).pages[0]
            .mediabox.upper_right] == [612, 792]


def test_qr_code_opens_the_same_list(client):
    ids = "riverside-therapy,harbour-youth-drop-in,northside-warmline"
    data = client.get(f"/referral.pdf?ids={ids},ghost&note=private").data
    image = pypdfium2.PdfDocument(data)[0].render(scale=3).to_pil()
    decoded = [result.text for result in zxingcpp.read_barcodes(image)
               if result.format == zxingcpp.BarcodeFormat.QRCode]
    assert decoded == [f"http://localhost/referral?ids={ids}"]
    assert client.get(decoded[0].removeprefix("http://localhost")).status_code == 200


def test_pdf_never_touches_the_network(app, monkeypatch):
    attempts = []

    def refuse(self, address):
        attempts.append(address)
        raise OSError("no network in tests")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    html = ('<link rel="stylesheet" href="https://cdn.example.org/x.css">'
            '<link rel="stylesheet" href="/static/sheet.css">'
            '<img src="http://tracker.example.org/pixel.png"><p class="sheet">Hello</p>')
    data = render_pdf(html, base_url="http://localhost/", static_folder=app.static_folder,
                      static_url_path="/static")
    assert attempts == [] and "Hello" in pdf_text(data)


def test_pdf_fetcher_serves_only_static_files(app):
    fetch = static_fetcher(app.static_folder, "http://localhost/", "/static").fetch
    assert b"@page" in fetch("http://localhost/static/sheet.css").read()
    for url in ("https://example.org/static/sheet.css", "http://localhost/referral",
                "http://localhost/static/../directory/__init__.py",
                "http://localhost/static/%2e%2e/pyproject.toml", "file:///etc/passwd",
                "http://localhost/static/missing.css"):
        with pytest.raises(RefusedFetch):
            fetch(url)


# --- street sheets ---------------------------------------------------------------------


def test_street_sheet_groups_matching_services_by_kind_of_help(client):
    page = client.get("/sheets/street?category=drop-in")
    words = text(page)
    assert page.status_code == 200
    assert "Street sheet: Drop-in" in words and "988 Suicide & Crisis Lifeline" in words
    assert "Counselling Youth drop-in counselling Harbour Youth Trust" in words
    assert "Drop-in Library wellbeing hour Maple Street Library" in words
    assert "Individual counseling" not in words and "Peer warmline" not in words


def test_street_sheet_keyword_limit_and_bad_category(client, app):
    assert "Peer warmline" in text(client.get("/sheets/street?q=warmline"))
    app.config["STREET_SHEET_LIMIT"] = 2
    assert "Showing 2 of 7 services." in text(client.get("/sheets/street"))
    bad = client.get("/sheets/street.pdf?category=nope")
    assert bad.status_code == 400 and '"nope" is not a known category' in text(bad)


def test_street_sheet_pdf(client):
    response = client.get("/sheets/street.pdf?category=drop-in&paper=a4")
    assert response.headers["Content-Disposition"] == \
        f'attachment; filename="street-sheet-drop-in-{today()}.pdf"'
    words = pdf_text(response.data)
    assert page_count(response.data) == 1
    assert "(312) 555-0101" in words and "9 Maple Street, Testville, IL 60614" in words
    assert "988 Suicide & Crisis Lifeline" in words


# --- the command line ------------------------------------------------------------------


def run(app, *args):
    return app.test_cli_runner().invoke(directory_cli.group(), args=list(args))


def test_cli_writes_a_referral_pdf(app, tmp_path):
    output = tmp_path / "sheet.pdf"
    result = run(app, "sheet", "--ids", "riverside-therapy,ghost", "--note", "Bring ID",
                 "-o", str(output))
    assert result.exit_code == 0, result.output
    assert f"wrote {output}" in result.output
    assert 'warning: "ghost" is not listed; the sheet says "no longer listed"' in result.output
    words = pdf_text(output.read_bytes())
    assert "Individual counseling" in words and "(312) 555-0110" in words
    assert "Bring ID" in words and "No longer listed" in words


def test_cli_street_sheet_and_errors(app, tmp_path):
    output = tmp_path / "street.pdf"
    result = run(app, "sheet", "--street", "--category", "peer-support", "-o", str(output))
    assert result.exit_code == 0, result.output
    assert "Peer warmline" in pdf_text(output.read_bytes())
    result = run(app, "sheet", "--street", "--category", "nope", "-o", str(output))
    assert result.exit_code == 1 and '"nope" is not a known category' in result.output
    result = run(app, "sheet", "-o", str(output))
    assert result.exit_code == 2 and "give --ids a,b,c for a referral sheet" in result.output
    assert "Example" in run(app, "sheet", "--help").output


def test_street_sheet_near_a_place(client):
    page = client.get("/sheets/street?near=Harbourside&radius=1")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "Within 1 mi of Harbourside" in html
    assert "Youth drop-in counselling" in html  # at 12 Quay Street, in Harbourside
    assert "Grief support groups" not in html  # Riverside is further than a mile
    whole = client.get("/sheets/street").get_data(as_text=True)
    assert "Grief support groups" in whole
    unknown = client.get("/sheets/street?near=Nowhereville").get_data(as_text=True)
    assert "We could not find “Nowhereville”, so this sheet covers the whole area." in unknown
    assert client.get("/sheets/street?near=91,0").status_code == 400
    pdf = client.get("/sheets/street.pdf?near=Harbourside&radius=1")
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")
