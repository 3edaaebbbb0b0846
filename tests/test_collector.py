"""The cycle collector during a build: paused while data is read, frozen while writing, and
as it was afterwards."""

from __future__ import annotations

import gc

from directory.build import collector, pipeline


def test_paused_restores_the_collector_even_after_an_error():
    assert gc.isenabled()
    try:
        with collector.paused():
            assert not gc.isenabled()
            raise ValueError("a bad file")
    except ValueError:
        pass
    assert gc.isenabled()
    gc.disable()
    try:
        with collector.paused():
            pass
        assert not gc.isenabled()  # a caller's own pause is kept
    finally:
        gc.enable()


def test_frozen_objects_are_left_out_and_given_back():
    before = gc.get_freeze_count()
    with collector.frozen():
        assert gc.get_freeze_count() > before
    assert gc.get_freeze_count() == 0


def test_a_build_leaves_the_collector_running_and_nothing_frozen(data_dir, instance):
    outcome = pipeline.run(data_dir, instance)
    assert outcome.build is not None and not outcome.report.errors
    assert gc.isenabled()
    assert gc.get_freeze_count() == 0


def test_checking_data_with_errors_leaves_the_collector_running(tmp_path):
    catalogue, report, _ = pipeline.check(tmp_path / "missing")
    assert report.errors
    assert gc.isenabled()
