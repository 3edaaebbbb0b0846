"""scripts/load's mix of requests: every path it sends is a page a resident could open."""

from __future__ import annotations

import random

from directory.tools import loadgen


def test_every_path_of_the_load_mix_is_a_working_page(client, built_instance):
    paths = loadgen.request_mix(built_instance, random.Random(3))
    kinds = {kind for kind, _ in paths}
    assert kinds == set(loadgen.MIX)  # every kind of page the issue lists is in the mix
    assert len(paths) == sum(loadgen.MIX.values())
    for kind, path in paths:
        # "free therapy" is read as therapy with cost=free: one redirect to a working page.
        response = client.get(path, follow_redirects=True)
        assert response.status_code == 200, (kind, path, response.status_code)
        assert len(response.history) <= 1, (kind, path)


def test_the_peer_benchmark_asks_each_url_once_and_every_one_works(client, built_instance):
    """``scripts/bench --peer`` measures first renders: its lists never repeat a URL (the page
    cache would answer), and every one of the site's URLs is a working page."""
    import sqlite3

    from directory.tools import peer

    with sqlite3.connect(built_instance / "current" / "directory.db") as db:
        lists = peer.url_lists(db, count=12)
    for kind in peer.KINDS:
        for side in ("site", "peer"):
            urls = lists[kind][side]
            assert urls and len(set(urls)) == len(urls), (kind, side)
        for url in lists[kind]["site"]:
            assert client.get(url, follow_redirects=True).status_code == 200, url
    assert all(url.startswith("/peer/services") for kind in peer.KINDS
               for url in lists[kind]["peer"])


def test_the_peer_benchmark_reports_the_spread_of_its_runs():
    from directory.tools import peer

    def run(rate: float) -> peer.Run:
        return peer.Run(latencies=[0.01] * int(rate), seconds=1.0)

    runs = [{kind: (run(site), run(100)) for kind in peer.KINDS} for site in (150, 90, 120)]
    lines = peer.spread(runs)
    search = next(line for line in lines if line.startswith("| search "))
    assert search == "| search | 1.50x | 0.90x | 1.20x | 0.90x – 1.50x |"
    checks = dict(peer.checks_of(runs[0], rss=[120.0, 140.0]))
    assert checks["worker RSS ≤ 150 MB (120, 140)"] and not checks["search ≥ 5x Datasette"]


def test_every_beginning_of_a_peer_list_holds_the_same_share_of_one_word_searches():
    """Each server is driven down a list until its time runs out, the slower one stopping
    far sooner: both must have been asked the same mix of one- and two-word searches."""
    from directory.tools import peer

    singles = [f"word{n}" for n in range(30)]
    texts = peer.distinct_queries(singles, singles[:12], 80, random.Random(4))
    assert len(texts) == len(set(texts)) == 80
    ones = [" " not in text for text in texts]
    for length in range(1, 81):  # a quarter of every beginning, give or take one search
        assert abs(sum(ones[:length]) - length * peer.ONE_WORD_SHARE) <= 1, length
    # Fewer words than a quarter of the list: spread as evenly, at the share there is.
    few = peer.distinct_queries(singles[:5], singles[:12], 80, random.Random(4))
    ones = [" " not in text for text in few]
    assert sum(ones) == 5 and all(abs(sum(ones[:n]) - n * 5 / 80) <= 1 for n in range(1, 81))


def test_the_peer_is_asked_the_same_words_as_the_site(built_instance):
    import sqlite3
    from urllib.parse import parse_qs, urlsplit

    from directory.tools import peer

    with sqlite3.connect(built_instance / "current" / "directory.db") as db:
        lists = peer.url_lists(db, count=12)
    for kind in ("search", "near", "filtered"):
        site = [parse_qs(urlsplit(url).query)["q"][0] for url in lists[kind]["site"]]
        asked = [parse_qs(urlsplit(url).query)["_search"][0] for url in lists[kind]["peer"]]
        assert site == asked, kind
        assert any(" " not in text for text in site) and any(" " in text for text in site)


def test_the_build_peak_is_held_to_the_target_of_its_size():
    from directory.tools import peer

    assert [peer.peak_target(n) for n in (5_000, 50_000, 50_001, 200_000, 400_000)] == \
        [600, 600, 4096, 4096, 4096]
