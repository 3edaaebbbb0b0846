"""Parts of pages made once and kept (web/fragments.py, the hours block, kept connections):
each page still shows its own language, place, list and hours."""

from __future__ import annotations

import re
import threading

from directory.web.app import create_app
from directory.web.current import current_index

SERVICE = "/services/harbour-youth-drop-in"
OTHER = "/services/riverside-therapy"


def html(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    return response.get_data(as_text=True)


def footer(page: str) -> str:
    return re.search(r'<footer class="site-footer">.*?</footer>', page, re.S).group(0)


def test_the_footer_and_crisis_lines_follow_each_pages_language(client):
    english = html(client, SERVICE)
    spanish = html(client, OTHER + "?lang=es")
    again = html(client, OTHER)
    assert 'href="/privacy"' in footer(english) and "lang=es" not in footer(english)
    assert 'href="/privacy?lang=es"' in footer(spanish)
    assert footer(again) == footer(english)
    assert ">Privacy<" in footer(english) and ">Privacy<" not in footer(spanish)
    for page in (english, spanish, again):
        assert "988" in page  # the crisis strip on every page


def test_the_header_search_carries_only_its_own_pages_place_and_list(client):
    near = html(client, SERVICE + "?near=60607")
    plain = html(client, OTHER)
    listed = html(client, OTHER + "?list=riverside-therapy")
    form = re.compile(r'<form class="header-search".*?</form>', re.S)
    assert '<input type="hidden" name="near" value="60607">' in form.search(near).group(0)
    assert 'name="near"' not in form.search(plain).group(0)
    link = re.compile(r'<a class="referral-link" href="([^"]*)"')
    assert link.search(plain).group(1) == "/referral"
    assert link.search(listed).group(1) == "/referral?ids=riverside-therapy"


def test_the_same_hours_read_anew_when_the_time_moves_on(app):
    """The hours block is kept for the stretch of time it was made in, not longer."""
    client = app.test_client()
    status = re.compile(r'<p class="open-status[^"]*">([^<]*)</p>')
    app.config["NOW"] = "2026-11-24T10:00"  # a Tuesday morning
    morning = status.search(html(client, SERVICE)).group(1)
    app.config["NOW"] = "2026-11-24T16:00"
    afternoon = status.search(html(client, SERVICE + "?page=1")).group(1)  # not a kept page
    assert morning == "Closed · opens 3\xa0PM"
    assert afternoon == "Open now · closes 7\xa0PM"


def test_kept_connections_answer_page_after_page(built_instance, frozen_now):
    app = create_app({"INSTANCE_PATH": str(built_instance), "TRUSTED_HOSTS": ["localhost"],
                      "NOW": frozen_now, "PAGE_CACHE_BYTES": 0})
    client = app.test_client()
    first = html(client, SERVICE)
    for _ in range(20):  # more requests than connections kept: each is handed back
        assert html(client, SERVICE) == first


def test_a_worker_whose_first_question_is_the_index_answers(built_instance, frozen_now):
    """Opening the index reads the taxonomy from the database, whose kept connections take
    the build's lock: a worker asked for the index before anything else once waited for
    ever."""
    app = create_app({"INSTANCE_PATH": str(built_instance), "NOW": frozen_now})
    found = []

    def ask():
        with app.test_request_context("/"):
            found.append(current_index().search("counselling").total)

    worker = threading.Thread(target=ask, daemon=True)
    worker.start()
    worker.join(timeout=20)
    assert not worker.is_alive(), "the index never opened"
    assert found and found[0] > 0


def test_the_header_search_shows_each_pages_own_words_escaped(client):
    """The header form is kept without the words searched (fragments.header_search): each
    page puts its own into the field, escaped, and a page without words leaves it empty."""
    field = re.compile(r'<form class="header-search".*?<input id="header-q" name="q" '
                       r'type="search" value="([^"]*)"', re.S)
    first = html(client, "/search?q=counselling")
    odd = html(client, '/search?q=%22%3E%3Cb%3Eyouth%26')  # "><b>youth&
    again = html(client, "/search?q=youth")
    none = html(client, OTHER)
    assert field.search(first).group(1) == "counselling"
    assert field.search(odd).group(1) == "&#34;&gt;&lt;b&gt;youth&amp;"
    assert field.search(again).group(1) == "youth"
    assert field.search(none).group(1) == ""
    assert "\x00" not in first + odd + again + none
