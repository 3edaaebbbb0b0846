"""The service page says how fresh a listing is and how to correct it, in one click."""

from __future__ import annotations

import datetime as dt
import html
import re

import pytest
from babel.dates import format_timedelta

from directory.web.app import create_app
from tests.test_site import text


def hrefs(response, label: str) -> list[str]:
    """The targets of links whose text is ``label``."""
    links = re.findall(r'<a href="([^"]*)"[^>]*>([^<]*)</a>', response.get_data(as_text=True))
    return [html.unescape(href) for href, words in links if words == label]


def test_last_verified_in_words_and_as_a_date(client, app):
    app.config["TODAY"] = "2026-11-24"  # 54 days after 2026-10-01, 23 after 2026-11-01
    page = client.get("/services/harbour-youth-drop-in")
    assert "Last verified 2 months ago ( October 1, 2026 )" in text(page)
    assert '<time datetime="2026-10-01">' in page.get_data(as_text=True)
    assert "last checked more than" not in text(page)
    assert "Last verified 3 weeks ago" in text(client.get("/services/northside-warmline"))


@pytest.mark.moves_with_today
def test_age_and_amber_note_count_from_today(client, frozen_today):
    age = (frozen_today - dt.date(2026, 10, 1)).days  # the drop-in's last_verified
    # The words are Babel's, as on the page: "2 months ago" on 2026-11-24, "1 year ago" ...
    ago = format_timedelta(dt.timedelta(days=-age), granularity="day", add_direction=True,
                           locale="en")
    words = text(client.get("/services/harbour-youth-drop-in"))
    assert f"Last verified {ago} ( October 1, 2026 )" in words
    # stale_after_days is 180: the note appears on the 181st day.
    assert ("This listing was last checked more than 6 months ago." in words) == (age > 180)


def test_amber_note_past_the_threshold(client, app):
    app.config["TODAY"] = "2027-06-01"  # 243 days after 2026-10-01; stale_after_days is 180
    page = client.get("/services/harbour-youth-drop-in")
    assert ("This listing was last checked more than 6 months ago. Details may have changed: "
            "call before you go.") in text(page)
    assert 'class="notice stale-note" role="note"' in page.get_data(as_text=True)
    assert "Last verified 8 months ago" in text(page)


@pytest.mark.moves_with_today
def test_no_amber_note_on_a_service_no_longer_offered(client):
    words = text(client.get("/services/harbour-old-camp"))  # verified 2025-06-01, inactive
    assert "This service is no longer offered" in words
    assert "last checked more than" not in words


def test_edit_link_for_a_yaml_listing(client):
    page = client.get("/services/harbour-youth-drop-in")
    assert hrefs(page, "Suggest an edit") == [
        "https://forge.example.org/directory/edit/main/data/organizations/"
        "harbour-youth-trust.yaml#L16"]


def test_edit_link_for_a_csv_row(client):
    page = client.get("/services/riverside-couples")
    assert hrefs(page, "Suggest an edit") == [
        "https://forge.example.org/directory/edit/main/data/services.csv#L2"]


def test_report_link_is_a_prefilled_issue(client):
    page = client.get("/services/harbour-youth-drop-in")
    assert hrefs(page, "Report a problem with this listing") == [
        "https://forge.example.org/directory/issues/new?title=Problem%20with%20Youth%20drop-in"
        "%20counselling&body=http%3A%2F%2Flocalhost%2Fservices%2Fharbour-youth-drop-in%20"
        "(harbour-youth-drop-in)"]
    assert "Something wrong or out of date?" in text(page)


def edit_site(data_dir, old: str, new: str) -> None:
    site = data_dir / "site.yaml"
    assert old in site.read_text()
    site.write_text(site.read_text().replace(old, new))


def test_report_by_email_without_a_report_url(data_dir, instance, rebuild):
    edit_site(data_dir, "report_url:", "contact_email: listings@example.org\n# report_url:")
    rebuild(data_dir, instance)
    client = create_app({"TESTING": True, "INSTANCE_PATH": str(instance)}).test_client()
    page = client.get("/services/northside-warmline")
    assert hrefs(page, "Report a problem with this listing") == [
        "mailto:listings@example.org?subject=Problem%20with%20the%20listing%20Peer%20warmline"
        "&body=Listing%3A%20http%3A%2F%2Flocalhost%2Fservices%2Fnorthside-warmline%0A%0AWhat"
        "%20is%20wrong%20%28for%20example%20a%20disconnected%20number%2C%20or%20hours%20that"
        "%20have%20changed%29%3F%0A"]


def test_no_links_without_settings(data_dir, instance, rebuild):
    edit_site(data_dir, "edit_url:", "# edit_url:")
    edit_site(data_dir, "report_url:", "# report_url:")
    rebuild(data_dir, instance)
    client = create_app({"TESTING": True, "INSTANCE_PATH": str(instance)}).test_client()
    words = text(client.get("/services/northside-warmline"))
    assert "Suggest an edit" not in words and "Something wrong" not in words


@pytest.mark.parametrize("where", ["organizations", "elsewhere"])
def test_edit_links_do_not_depend_on_where_the_build_ran(data_dir, instance, rebuild, tmp_path,
                                                         monkeypatch, where):
    run_in = data_dir / "organizations" if where == "organizations" else tmp_path / where
    run_in.mkdir(exist_ok=True)
    monkeypatch.chdir(run_in)
    rebuild(data_dir, instance)
    client = create_app({"TESTING": True, "INSTANCE_PATH": str(instance)}).test_client()
    assert hrefs(client.get("/services/maple-library-drop-in"), "Suggest an edit") == [
        "https://forge.example.org/directory/edit/main/data/services.csv#L3"]
