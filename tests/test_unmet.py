"""Unmet need, counted without tracking anyone: what the counts file holds after real
searches, what `directory report unmet` shows, and that two workers never lose a count."""

from __future__ import annotations

import logging
import multiprocessing
import sqlite3

import pytest

from directory.search import unmet
from directory.web.app import create_app
from tests.conftest import FROZEN_NOW
from tests.test_cli import run
from tests.test_events import text


@pytest.fixture(scope="module")
def counting_instance(tmp_path_factory):
    """A build of tests/data with count_unmet_need: true (shared; each test its own file)."""
    import shutil

    from tests.conftest import FIXTURE_DATA, build_into

    data = tmp_path_factory.mktemp("counting") / "data"
    shutil.copytree(FIXTURE_DATA, data)
    (data / "site.yaml").write_text((data / "site.yaml").read_text()
                                    + "count_unmet_need: true\n")
    instance = tmp_path_factory.mktemp("counting-instance")
    build_into(data, instance)
    return instance


@pytest.fixture
def counts_file(tmp_path):
    return tmp_path / "counts" / "unmet-need.sqlite"


@pytest.fixture
def counting_app(counting_instance, counts_file):
    return create_app({"TESTING": True, "INSTANCE_PATH": str(counting_instance),
                       "NOW": FROZEN_NOW, "UNMET_NEED_PATH": str(counts_file)})


def rows(path) -> list[tuple]:
    db = sqlite3.connect(path)
    try:
        return sorted(db.execute("select day, language, measure, value, filters, searches "
                                 "from counts"))
    finally:
        db.close()


def search(app, times: int, url: str) -> None:
    client = app.test_client()
    for _ in range(times):
        assert client.get(url).status_code == 200, url


def report(instance, counts_file, *args) -> str:
    result = run(instance, "report", "unmet", "--counts", str(counts_file), *args)
    assert result.exit_code == 0, result.output
    return result.stdout


# --- off by default --------------------------------------------------------------------


def test_counting_is_off_by_default(app, built_instance, tmp_path):
    app.config["UNMET_NEED_PATH"] = str(tmp_path / "counts.sqlite")
    search(app, 3, "/search?q=skydiving")
    assert not (tmp_path / "counts.sqlite").exists()
    assert list(built_instance.glob("unmet-need*")) == []
    words = text(app.test_client().get("/privacy"))
    assert "This site does not count searches." in words


def test_privacy_page_says_what_is_counted_when_on(counting_app):
    words = text(counting_app.test_client().get("/privacy"))
    assert "Counting what people do not find" in words
    assert "never your search as you typed it, your address or location, the time of day" \
        in words
    assert "A phrase is only ever shown in a report once at least 10 searches used it." in words
    assert "Nothing you do here is stored" not in words


# --- what is counted -------------------------------------------------------------------


def test_searches_that_found_nothing_are_counted_by_their_words(counting_app, counts_file):
    search(counting_app, 2, "/search?q=Skydiving+lessons")
    search(counting_app, 1, "/search?q=counselling")  # found something: only the totals
    assert rows(counts_file) == [
        ("2026-11-24", "en", "nothing", "skydiving lessons", "", 2),
        ("2026-11-24", "en", "search", "|", "", 3),
    ]


def test_a_page_served_from_the_cache_still_counts_but_later_pages_do_not(counting_app,
                                                                          counts_file):
    search(counting_app, 3, "/search?q=skydiving")  # the 2nd and 3rd come from the cache
    search(counting_app, 1, "/search?q=counselling&page=2")
    search(counting_app, 1, "/search")  # browsing everything is not a search
    assert rows(counts_file) == [("2026-11-24", "en", "nothing", "skydiving", "", 3),
                                 ("2026-11-24", "en", "search", "|", "", 3)]


def test_kind_of_help_and_area_rounded_to_the_neighbourhood(counting_app, counts_file):
    search(counting_app, 1, "/search?category=counselling&near=Harbourside")
    search(counting_app, 1, "/search?category=counselling&near=The+Quays")  # an alias
    search(counting_app, 1, "/search?q=grief&lat=41.9088&lon=-87.6796")  # use my location
    search(counting_app, 1, "/search?q=grief&near=60614")
    search(counting_app, 1, "/search?q=grief&near=1200+W+Madison+St")  # unknown: no area
    assert [row[3:] for row in rows(counts_file)] == [
        ("counselling|Harbourside", "", 2), ("|", "", 1), ("|60614", "", 1),
        ("|Riverside", "", 1)]


def test_filters_are_kept_with_a_search_that_found_nothing_but_never_an_age(counting_app,
                                                                           counts_file):
    search(counting_app, 1, "/search?q=grief&language=es&age=34&cost=free")
    assert rows(counts_file)[0][2:] == ("nothing", "grief", "cost=free;language=es", 1)


def test_crisis_searches_are_counted_never_their_words(counting_app, counts_file):
    search(counting_app, 1, "/search?q=I+want+to+kill+myself")
    search(counting_app, 1, "/search?category=crisis-hotline")
    assert [row[2:] for row in rows(counts_file)] == [
        ("crisis", "", "", 2), ("search", "crisis-hotline|", "", 1), ("search", "|", "", 1)]
    assert b"kill" not in _stored_bytes(counts_file)


def _stored_bytes(counts_file) -> bytes:
    """Everything SQLite keeps: the file, its write-ahead log and its index."""
    return b"".join(path.read_bytes() for path in counts_file.parent.glob("unmet-need*"))


def test_no_count_file_or_log_holds_an_address_or_a_raw_query_with_digits(
        counting_app, counts_file, caplog):
    caplog.set_level(logging.DEBUG)
    search(counting_app, 1, "/search?q=Counselling+for+Maria+Kowalski+5551234+"
                            "maria.k@example.com+Dr+Smith+https://x.example.org/p"
                            "&near=1200+W+Madison+St")
    search(counting_app, 1, "/search?q=sleepless+nights+2am&lat=41.88201&lon=-87.64770")
    stored = _stored_bytes(counts_file)
    for secret in (b"5551234", b"1200", b"Madison", b"madison", b"Maria", b"maria",
                   b"Kowalski", b"kowalski", b"example.com", b"Smith", b"smith", b"x.example",
                   b"2am", b"41.88", b"-87.64"):
        assert secret not in stored, secret
        assert secret.decode() not in caplog.text, secret
    assert [row[3] for row in rows(counts_file)] == ["sleepless nights", "|", "|Harbourside"]


def test_a_counts_file_that_cannot_be_written_never_breaks_the_page(counting_app, tmp_path,
                                                                    caplog):
    (tmp_path / "blocked").write_text("a file where the folder should be")
    counting_app.config["UNMET_NEED_PATH"] = str(tmp_path / "blocked" / "unmet.sqlite")
    page = counting_app.test_client().get("/search?q=skydiving+5551234")
    assert page.status_code == 200 and "No services matched" in text(page)
    assert "unmet-need counts not written" in caplog.text
    assert "5551234" not in caplog.text and "skydiving" not in caplog.text


@pytest.mark.parametrize(("query", "kept"), [
    ("grief group Spanish", "grief group spanish"),  # a language the directory names
    ("help for my son Jordan", "help for my son"),
    ("Dr. Okafor anxiety", "anxiety"),
    ("mrs garcia", ""),
    ("art therapy hope", "art therapy hope"),  # everyday words that are also names
    ("call 555-0199 or mail a.b@c.org", "call or mail"),
    ("ＧＲＩＥＦ  grief", "grief"),  # full-width letters, the same word twice
    ("counselling 4 teens", "counselling teens"),
])
def test_normalised_words(query, kept):
    assert unmet.normalise(query, frozenset({"spanish", "grief", "counselling"})) == kept


# --- the report ------------------------------------------------------------------------


def test_report_shows_a_phrase_counted_ten_times_and_never_one_counted_nine(
        counting_app, counting_instance, counts_file):
    search(counting_app, 10, "/search?q=grief&language=es")
    search(counting_app, 9, "/search?q=skydiving")
    text_report = report(counting_instance, counts_file, "--since", "30d")
    assert "# Unmet need, 2026-10-26 to 2026-11-24" in text_report
    assert "- `grief` (language=es) – 10 searches, 0 results: no grief support listed in " \
           "Spanish [en]" in text_report
    assert "skydiving" not in text_report
    assert "19 searches counted. Only what was counted at least 10 times is shown; 9 searches " \
           "were in smaller groups and are left out." in text_report
    assert "- any kind of help · no place given – 19 searches [en]" in text_report
    csv_report = report(counting_instance, counts_file, "--since", "30d", "--format", "csv")
    assert csv_report.splitlines()[0] == "section,language,what,filters,searches,note"
    assert "nothing,en,grief,language=es,10,no grief support listed in Spanish" in csv_report
    assert "skydiving" not in csv_report


def test_report_explains_words_that_miss_listed_services(counting_app, counting_instance,
                                                         counts_file):
    # "no appointment" names drop-ins, which are listed, but none of them charges a fee.
    search(counting_app, 10, "/search?q=no+appointment&cost=paid")
    search(counting_app, 10, "/search?q=skydiving")
    out = report(counting_instance, counts_file)
    assert "- `no appointment` (cost=paid) – 10 searches, 0 results: 2 drop-in services " \
           "listed, none with cost=paid [en]" in out
    assert "- `skydiving` – 10 searches, 0 results: no listing uses these words; a synonym in " \
           "taxonomy.yaml may help [en]" in out


def test_counts_are_per_day_and_the_period_chooses_days(counting_app, counting_instance,
                                                         counts_file):
    search(counting_app, 10, "/search?q=skydiving")
    counting_app.config.update(NOW="2026-11-25T10:00:00", TODAY="2026-11-25")
    search(counting_app, 10, "/search?q=skydiving")
    assert [(row[0], row[3], row[5]) for row in rows(counts_file) if row[2] == "nothing"] == [
        ("2026-11-24", "skydiving", 10), ("2026-11-25", "skydiving", 10)]
    result = run(counting_instance, "report", "unmet", "--counts", str(counts_file),
                 "--since", "2026-11-25")
    assert "- `skydiving` – 10 searches, 0 results" in result.stdout
    assert "- `skydiving` – 20 searches" in report(counting_instance, counts_file)


def test_counts_survive_a_restart(counting_instance, counts_file):
    for _ in range(2):  # two app lifetimes over the same instance
        app = create_app({"TESTING": True, "INSTANCE_PATH": str(counting_instance),
                          "NOW": FROZEN_NOW, "UNMET_NEED_PATH": str(counts_file)})
        search(app, 5, "/search?q=skydiving")
    assert "- `skydiving` – 10 searches" in report(counting_instance, counts_file)


def test_a_bad_period_is_an_error_naming_the_option(counting_instance, counts_file):
    result = run(counting_instance, "report", "unmet", "--since", "a month")
    assert result.exit_code == 2
    assert "--since" in result.output and '"a month" is not a number of days' in result.output


def test_no_counts_yet_is_an_empty_report_with_a_note(counting_instance, tmp_path):
    result = run(counting_instance, "report", "unmet", "--counts", str(tmp_path / "none"))
    assert result.exit_code == 0
    assert "no counts at" in result.stderr and "0 searches counted." in result.stdout


# --- several workers -------------------------------------------------------------------


def _worker(instance: str, path: str, start, times: int) -> None:
    """One gunicorn-like worker: its own app, answering searches (from its page cache too)."""
    app = create_app({"TESTING": True, "INSTANCE_PATH": instance, "NOW": FROZEN_NOW,
                      "UNMET_NEED_PATH": path})
    client = app.test_client()
    start.wait()
    for n in range(times):
        assert client.get(f"/search?q=skydiving&page=1{'&cost=free' * (n % 2)}").status_code \
            == 200


def test_two_workers_writing_at_once_lose_no_count(counting_instance, counts_file):
    context = multiprocessing.get_context("fork")
    start = context.Event()
    workers = [context.Process(target=_worker,
                               args=(str(counting_instance), str(counts_file), start, 200))
               for _ in range(2)]
    for worker in workers:
        worker.start()
    start.set()
    for worker in workers:
        worker.join(120)
        assert worker.exitcode == 0
    assert rows(counts_file) == [("2026-11-24", "en", "nothing", "skydiving", "", 200),
                                 ("2026-11-24", "en", "nothing", "skydiving", "cost=free", 200),
                                 ("2026-11-24", "en", "search", "|", "", 400)]
