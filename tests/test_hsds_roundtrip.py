"""Round trip: ``directory export hsds`` of the demo data, ``directory import hsds`` of that
export into an empty folder, then ``directory diff`` against ``data/``: nothing a resident sees
changes (names, descriptions, phones, addresses, coordinates, hours, closed and special days,
languages, categories, ages, cost, access). Only ``source``, which the import adds, differs.

The export is another change (issue #15); until it is merged these tests skip, saying so.
"""

from __future__ import annotations

import shutil
import socket

import pytest

from directory import ROOT
from directory.build import pipeline
from directory.cli import commands, group
from directory.review import diff
from directory.web.app import create_app

from .conftest import build_into

DEMO = ROOT / "data"
# Taken now, before the autouse no_network fixture swaps them, for the loopback API test.
REAL_CONNECT = socket.socket.connect
REAL_CREATE_CONNECTION = socket.create_connection
# What the import itself adds: where each record came from.
ADDED_BY_IMPORT = {"source"}

needs_export = pytest.mark.skipif(
    "export" not in {command.name for command in commands.COMMANDS},
    reason="needs `directory export hsds` (issue #15), not merged into this branch yet")


def run(instance, *args):
    app = create_app({"TESTING": True, "INSTANCE_PATH": str(instance)})
    result = app.test_cli_runner().invoke(group(), args=[str(arg) for arg in args])
    assert result.exit_code == 0, result.output
    return result


@pytest.fixture(scope="module")
def exported(tmp_path_factory):
    """The demo data built, then exported as the HSDS data package and as JSON."""
    if "export" not in {command.name for command in commands.COMMANDS}:
        pytest.skip("needs `directory export hsds` (issue #15)")
    base = tmp_path_factory.mktemp("roundtrip")
    instance = base / "instance"
    instance.mkdir()
    build_into(DEMO, instance)
    run(instance, "export", "hsds", "-o", base / "package")
    run(instance, "export", "hsds", "--format", "json", "-o", base / "json")
    return base


def imported(tmp_path, source) -> diff.DataDiff:
    into = tmp_path / "empty"
    into.mkdir()
    shutil.copy(DEMO / "places.csv", into / "places.csv")  # the gazetteer service areas name
    run(tmp_path, "import", "hsds", source, "--into", into, "--region", "Chicago, Illinois",
        "--timezone", "America/Chicago", "--delay", "0")
    return diff.compare_sides(str(DEMO), str(into), data_path=None, data_dir=DEMO)


def changed_fields(kind: diff.KindDiff) -> set[str]:
    """What changed, but dated sessions, volunteer roles and translations: HSDS 3.0 has no
    volunteer roles and no translated texts, the importer leaves sessions to be added by hand
    (each is a report line), and the issue's round trip lists none of them."""
    return {change.label for record in kind.changed for change in record.changes
            if not change.label.startswith(("session ", "volunteer role ", "translations"))}


@needs_export
def test_the_data_package_comes_back_unchanged(exported, tmp_path):
    changes = imported(tmp_path, exported / "package")
    for name, kind in changes.kinds.items():
        assert (kind.added, kind.removed, kind.renamed) == ([], [], []), name
        assert changed_fields(kind) <= ADDED_BY_IMPORT, name


@needs_export
def test_the_json_form_keeps_every_service_field(exported, tmp_path):
    # Services nested in JSON carry their organization's summary only (no phones, no id of
    # ours), so organizations are checked by the data package test above.
    changes = imported(tmp_path, exported / "json" / "services.json")
    services = changes.kinds["services"]
    assert (services.added, services.removed, services.renamed) == ([], [], [])
    assert changed_fields(services) <= ADDED_BY_IMPORT | {"organization"}


def _has_api() -> bool:
    import importlib.util

    return importlib.util.find_spec("directory.web.api") is not None


@pytest.mark.skipif(not _has_api(), reason="needs this project's HSDS API (issue #15), not "
                                            "merged into this branch yet")
def test_this_sites_own_api_is_imported_page_by_page(tmp_path, monkeypatch):
    import threading

    from werkzeug.serving import make_server

    def loopback_only(address, *args, **kwargs):
        assert address[0] == "127.0.0.1", f"a test tried to connect to {address}"
        return REAL_CREATE_CONNECTION(address, *args, **kwargs)

    def connect(sock, address):
        assert address[0] == "127.0.0.1", f"a test tried to connect to {address}"
        return REAL_CONNECT(sock, address)

    monkeypatch.setattr(socket.socket, "connect", connect)
    monkeypatch.setattr(socket, "create_connection", loopback_only)
    instance = tmp_path / "instance"
    instance.mkdir()
    build_into(DEMO, instance)
    server = make_server("127.0.0.1", 0, create_app({"TESTING": True,
                                                     "INSTANCE_PATH": str(instance)}))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        changes = imported(tmp_path, f"http://127.0.0.1:{server.server_port}/api")
    finally:
        server.shutdown()
    services = changes.kinds["services"]
    catalogue, _, _ = pipeline.check(DEMO)
    inactive = {s["id"] for s in catalogue.services if s.get("status") == "inactive"}
    assert services.added == []
    assert {record.id for record in services.removed} <= inactive  # the API lists active ones
    assert changed_fields(services) <= ADDED_BY_IMPORT | {"organization"}
