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
