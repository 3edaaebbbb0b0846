"""``directory import hsds`` end to end: each kind of source (3.0 CSV, 1.x CSV, 3.0 JSON, a paged
3.0 API on a loopback server) becomes organization files that validate with zero errors, a
build whose search finds the services by their words and near their addresses, and a report
that says what happened to every messy value. Fixtures: tests/hsds/ (small, fictional).
"""

from __future__ import annotations

import json
import shutil
import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
import yaml

from directory import ROOT
from directory.cli import group
from directory.web.app import create_app

from .conftest import FROZEN_NOW, build_into

FIXTURES = Path(__file__).parent / "hsds"
SITE = Path(__file__).parent / "data" / "site.yaml"  # Chicago, with bounds
# Taken now, before the autouse no_network fixture swaps them, for the loopback API test.
REAL_CONNECT = socket.socket.connect
REAL_CREATE_CONNECTION = socket.create_connection


@pytest.fixture
def target(tmp_path) -> Path:
    """A data folder with site settings and the project's taxonomy, and no listings yet."""
    folder = tmp_path / "data"
    (folder / "organizations").mkdir(parents=True)
    shutil.copy(SITE, folder / "site.yaml")
    shutil.copy(ROOT / "data" / "taxonomy.yaml", folder / "taxonomy.yaml")
    return folder


def run(tmp_path, *args):
    app = create_app({"TESTING": True, "INSTANCE_PATH": str(tmp_path / "cli-instance")})
    return app.test_cli_runner().invoke(group(), args=[str(arg) for arg in args])


def import_hsds(tmp_path, source, into, *extra):
    result = run(tmp_path, "import", "hsds", source, "--into", into, "--delay", "0", *extra)
    assert result.exit_code == 0, result.output
    return result


def organizations(folder: Path) -> dict[str, dict]:
    return {path.stem: yaml.safe_load(path.read_text())
            for path in sorted((folder / "organizations").glob("*.yaml"))}


def services(folder: Path) -> dict[str, dict]:
    return {service["id"]: service for org in organizations(folder).values()
            for service in org.get("services", [])}


def validate(tmp_path, folder):
    result = run(tmp_path, "validate", folder)
    assert result.exit_code == 0, result.output
    assert "ok:" in result.output
    return result


def search(tmp_path, folder: Path, query: str) -> str:
    instance = tmp_path / "instance"
    instance.mkdir(exist_ok=True)
    build_into(folder, instance)
    app = create_app({"TESTING": True, "INSTANCE_PATH": str(instance), "DATA_DIR": str(folder),
                      "NOW": FROZEN_NOW})
    return app.test_client().get(f"/search?{query}").get_data(as_text=True)


def report_of(tmp_path, source, into, *extra) -> dict:
    report = tmp_path / "report.json"
    import_hsds(tmp_path, source, into, "--report", report, *extra)
    return json.loads(report.read_text())


def lines(report: dict, kind: str) -> list[str]:
    return [f"{line['file']}:{line['row']} {line['field']}: {line['message']}"
            for line in report["lines"] if line["kind"] == kind]


# --- HSDS 3.0 tabular -------------------------------------------------------------------


def test_3_0_tabular_becomes_valid_files_with_cleaned_values(tmp_path, target):
    report = report_of(tmp_path, FIXTURES / "v3", target)
    validate(tmp_path, target)
    assert report["version"] == "3.0"
    assert report["rows_read"]["services.csv"] == 6
    assert report["written"] == {"organizations": 2, "locations": 3, "services": 3}
    walk_in = services(target)["svc-walkin"]
    assert walk_in["hours"] == "Mo-Fr 09:00-17:00; Sa 10:00-14:00"  # 9:00am, 5:00 PM, 10am, 2pm
    assert [str(day) for day in walk_in["closed"]] == ["2026-12-25"]
    assert {str(day): times for day, times in walk_in["special"].items()} == \
        {"2026-12-24": "09:00-12:00"}
    assert walk_in["description"] == "Talk to a counselor the same day.\nNo appointment\nneeded."
    assert walk_in["languages"] == ["es", "en"]  # "Spanish (limited)"
    assert walk_in["phones"] == [{"number": "+1 312-555-0110", "type": "voice",
                                  "description": "Front desk"}]
    assert walk_in["source"] == {"system": "lakeside-211", "id": "svc-walkin"}
    grief = services(target)["svc-grief"]
    assert grief["hours"] == "Tu,Th 18:00-20:00"  # read from "Tues & Thurs 6pm-8pm"
    assert grief["phones"][0]["number"] == "+1 773-555-0111 ext. 22"
    assert grief["description"] == "Meet others who lost someone close & share what helps."
    org = organizations(target)["org-lakeside"]
    assert org["url"] == "https://www.lakeside-counseling.example.org"
    assert "email" not in org  # "not an email"
    locations = {location["id"]: location for location in org["locations"]}
    assert "latitude" not in locations["loc-lakefront"]  # (0, 0)
    assert "latitude" not in locations["loc-far"]  # New York: outside the region
    assert locations["loc-lakefront"]["address"]["state_province"] == "IL"  # "IL "
    assert locations["loc-lakefront"]["accessibility"] == ["wheelchair"]


def test_3_0_report_counts_every_quirk_with_file_and_row(tmp_path, target):
    report = report_of(tmp_path, FIXTURES / "v3", target)
    counts = report["counts"]
    assert counts["missing-file"] == 1 and counts["duplicate-id"] == 1
    assert lines(report, "extra-column") == [
        "services.csv:1 legacy_code: is not an HSDS column; its values are not imported"]
    assert counts["contact-skipped"] == 2  # the contact and their direct line
    assert counts["defunct"] == 1 and counts["no-category"] == 1
    assert report["left_out_by_top_level_term"] == {"Tax Organizations and Services": 1}
    assert lines(report, "duplicate-id") == [
        'services.csv:7 id: "svc-walkin" is already used at services.csv:2; this row is left out']
    assert lines(report, "phone-dropped") == [
        'phones.csv:4 number: "call us" is not a phone number; dropped']
    assert lines(report, "organization-made")[0].startswith(
        'services.csv:4 organization_id: "org-gone" is not an organization in this export')
    assert lines(report, "unjoined") == [
        'phones.csv:9 location_id: "loc-nowhere" is not a location in this export; the phones '
        "row is left out",
        'service_at_location.csv:5 service_id: "svc-missing" is not a service in this export; '
        "the service_at_location row is left out"]
    grief = services(target)["svc-grief"]  # at loc-uptown: its reception phone too
    assert [phone["number"] for phone in grief["phones"]] == ["+1 773-555-0111 ext. 22",
                                                              "+1 773-555-0118"]
    assert lines(report, "hours-kept-as-text") == [
        'schedules.csv:7 description: "call for hours" is not hours this directory can read; '
        "kept in the description"]
    assert lines(report, "language-dropped") == [
        'languages.csv:5 name: "other languages available upon request" is not one language '
        "with an ISO 639-1 code; dropped"]
    assert len(lines(report, "coordinates-dropped")) == 2
    warmline = services(target)["svc-warmline"]
    assert "hours" not in warmline and warmline["description"].endswith("Hours: call for hours")
    assert not any("Pat Example" in path.read_text()
                   for path in (target / "organizations").glob("*.yaml"))


def test_3_0_imported_services_are_found_by_words_and_near_their_address(tmp_path, target):
    import_hsds(tmp_path, FIXTURES / "v3", target)
    found = search(tmp_path, target, "q=bereavement")
    assert "GRIEF SUPPORT GROUP FOR ADULTS" in found
    near = search(tmp_path, target, "near=41.9659,-87.6553&radius=1")
    assert "GRIEF SUPPORT GROUP FOR ADULTS" in near


def test_fix_case_leaves_acronyms_alone(tmp_path, target):
    report = report_of(tmp_path, FIXTURES / "v3", target, "--fix-case")
    assert organizations(target)["org-lakeside"]["name"] == "Lakeside Counseling Association"
    assert services(target)["svc-grief"]["name"] == "Grief Support Group for Adults"
    assert report["counts"]["case-fixed"] == 2


def test_without_fix_case_upper_case_names_are_kept(tmp_path, target):
    import_hsds(tmp_path, FIXTURES / "v3", target)
    assert organizations(target)["org-lakeside"]["name"] == "LAKESIDE COUNSELING ASSOCIATION"


def test_all_imports_unmapped_services_under_categories_from_their_terms(tmp_path, target):
    report = report_of(tmp_path, FIXTURES / "v3", target, "--all")
    validate(tmp_path, target)
    assert services(target)["svc-tax"]["categories"] == ["tax-preparation-assistance"]
    taxonomy = yaml.safe_load((target / "taxonomy.yaml").read_text())
    assert {"id": "tax-preparation-assistance", "name": {"en": "Tax Preparation Assistance"}} in \
        taxonomy["categories"]
    assert report["counts"]["category-created"] == 1


def test_a_taxonomy_map_extends_the_default(tmp_path, target):
    own = tmp_path / "map.yaml"
    own.write_text("codes:\n  BT-8300: housing-support\n")
    import_hsds(tmp_path, FIXTURES / "v3", target, "--taxonomy-map", own)
    assert services(target)["svc-tax"]["categories"] == ["housing-support"]
    assert services(target)["svc-walkin"]["categories"] == ["counselling"]  # default still there


def test_a_taxonomy_map_can_replace_the_default(tmp_path, target):
    own = tmp_path / "map.yaml"
    own.write_text("replace: true\nnames:\n  warm lines: peer-support\n")
    import_hsds(tmp_path, FIXTURES / "v3", target, "--taxonomy-map", own)
    assert set(services(target)) == {"svc-warmline"}


def test_a_bad_taxonomy_map_is_one_clear_line(tmp_path, target):
    own = tmp_path / "map.yaml"
    own.write_text("codes:\n  RP: [Counselling Services]\n")
    result = run(tmp_path, "import", "hsds", FIXTURES / "v3", "--into", target,
                 "--taxonomy-map", own)
    assert result.exit_code == 1
    assert "map.yaml: codes: RP: ['Counselling Services'] is not a category id" in result.output
    assert "Traceback" not in result.output


# --- HSDS 1.x tabular -------------------------------------------------------------------


def test_1_x_tabular_with_integer_ids_weekday_numbers_and_free_text_hours(tmp_path, target):
    report = report_of(tmp_path, FIXTURES / "v1", target, "--fix-case")
    validate(tmp_path, target)
    assert report["version"] == "1.x"
    assert report["rows_read"]["regular_schedules.csv"] == 6
    ptsd = services(target)["veterans-ptsd-counseling"]
    assert ptsd["name"] == "Veterans PTSD Counseling"
    assert ptsd["hours"] == "Mo-We,Fr 09:00-17:00; Th 09:00-19:00"  # weekday numbers 1-5
    assert [str(day) for day in ptsd["closed"]] == ["2026-11-26"]  # holiday_schedules.csv
    assert {str(day): times for day, times in ptsd["special"].items()} == \
        {"2026-12-24": "10:00-14:00"}
    assert ptsd["audience"] == ["veterans"]  # eligibility.csv
    assert ptsd["cost"] == "free" and ptsd["source"] == {"system": "riverbend-legacy", "id": "10"}
    family = services(target)["family-support-group"]
    assert family["hours"] == "Sa 10:00-12:00"  # weekday "Saturday", "10:00 AM"
    assert family["eligibility_description"] == "Must live in Cook County"
    drop_in = services(target)["recovery-drop-in"]
    assert drop_in["hours"] == "Mo-Fr 08:00-17:00"  # "8:00am-5:00pm, Mon-Fri"
    assert drop_in["categories"] == ["substance-use"] and "phones" not in drop_in  # "555-01"
    assert lines(report, "hours-read") == [
        'services.csv:4 hours: "8:00am-5:00pm, Mon-Fri" → "Mo-Fr 08:00-17:00"']
    assert lines(report, "missing-file") == [
        "service_area.csv:0 : is listed in datapackage.json but missing; imported without it"]
    storefront = organizations(target)["southside-recovery-alliance"]["locations"][0]
    assert storefront["accessibility"] == ["wheelchair"]  # "wheelchair ramp at side door"
    assert storefront["address"]["state_province"] == "IL"
    assert report["counts"]["contact-skipped"] == 2
    found = search(tmp_path, target, "q=ptsd")
    assert "Veterans PTSD Counseling" in found
    assert "Veterans PTSD Counseling" in search(tmp_path, target,
                                                "near=41.8318,-87.6270&radius=1")


def test_1_x_from_a_zip(tmp_path, target):
    archive = shutil.make_archive(str(tmp_path / "export"), "zip", FIXTURES / "v1")
    report = report_of(tmp_path, archive, target)
    assert report["version"] == "1.x"
    assert "veterans-ptsd-counseling" in services(target)


# --- HSDS 3.0 JSON and API --------------------------------------------------------------


def test_3_0_json_with_nested_organizations_and_locations(tmp_path, target):
    report = report_of(tmp_path, FIXTURES / "services.json", target)
    validate(tmp_path, target)
    assert report["written"] == {"organizations": 1, "locations": 1, "services": 2}
    text_line = services(target)["harborview-crisis-text-line"]
    assert text_line["categories"] == ["crisis-hotline"]
    assert text_line["hours"] == "Mo-Su 16:00-24:00"  # closes_at 00:00:00 is midnight
    assert text_line["languages"] == ["en", "tl"]  # "tgl"
    drop_in = services(target)["edgewater-peer-drop-in"]
    assert drop_in["categories"] == ["drop-in", "peer-support"]  # Open Eligibility names
    assert drop_in["hours"] == "Tu,Th 12:00-18:00"
    assert [str(day) for day in drop_in["closed"]] == ["2026-12-31"]
    assert report["left_out_by_top_level_term"] == {"FT": 1}
    assert "Edgewater peer drop-in" in search(tmp_path, target, "q=living+room")
    assert "Edgewater peer drop-in" in search(tmp_path, target, "near=41.9837,-87.6600&radius=1")


class _Api(BaseHTTPRequestHandler):
    """An HSDS 3.0 API: /services pages one short service per page, /services/{id} the full."""

    services: list[dict] = []
    requests: list[str] = []
    busy_once = False  # answer the first request with 429 Retry-After: 0

    def do_GET(self):  # noqa: N802 - the name http.server calls
        parts = urlsplit(self.path)
        self.requests.append(self.path)
        if _Api.busy_once:
            _Api.busy_once = False
            self.send_response(429)
            self.send_header("Retry-After", "0")
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        by_id = {service["id"]: service for service in self.services}
        if parts.path == "/api/services":
            page = int(parse_qs(parts.query).get("page", ["1"])[0])
            item = self.services[page - 1] if page <= len(self.services) else None
            short = {key: item[key] for key in ("id", "name", "description")} if item else None
            body = {"total_items": len(self.services), "total_pages": len(self.services),
                    "page_number": page, "size": 1, "first_page": page == 1,
                    "last_page": page == len(self.services), "empty": item is None,
                    "contents": [short] if short else []}
        elif parts.path.startswith("/api/services/") and parts.path[14:] in by_id:
            body = by_id[parts.path[14:]]
        else:
            self.send_error(404)
            return
        data = json.dumps(body).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args):
        pass


@pytest.fixture
def api(monkeypatch):
    """The fixture services behind a local HSDS API; only loopback connections are allowed."""

    def loopback_only(sock, address):
        if address[0] not in ("127.0.0.1", "localhost"):
            raise AssertionError(f"a test tried to connect to {address}")
        return REAL_CONNECT(sock, address)

    def create_loopback(address, *args, **kwargs):
        if address[0] not in ("127.0.0.1", "localhost"):
            raise AssertionError(f"a test tried to connect to {address}")
        return REAL_CREATE_CONNECTION(address, *args, **kwargs)

    monkeypatch.setattr(socket.socket, "connect", loopback_only)
    monkeypatch.setattr(socket, "create_connection", create_loopback)
    _Api.services = json.loads((FIXTURES / "services.json").read_text())
    _Api.requests = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Api)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_port}/api"
    server.shutdown()


def test_3_0_api_is_paged_through_and_each_full_service_fetched(tmp_path, target, api):
    _Api.busy_once = True  # and a "slow down" is waited out, not an error
    report = report_of(tmp_path, api, target)
    validate(tmp_path, target)
    pages = [path for path in _Api.requests if path.startswith("/api/services?")]
    assert len(pages) == 4 and pages[0] == pages[1] and "page=3" in pages[-1]
    assert sum(path.startswith("/api/services/") for path in _Api.requests) == 3
    assert set(services(target)) == {"harborview-crisis-text-line", "edgewater-peer-drop-in"}
    assert services(target)["edgewater-peer-drop-in"]["source"]["system"] == "127-0-0-1"
    assert report["rows_read"] == {"services?page=1": 1, "services?page=2": 1,
                                   "services?page=3": 1}
    assert "Edgewater peer drop-in" in search(tmp_path, target, "q=peer+supporter")
    assert "Edgewater peer drop-in" in search(tmp_path, target, "near=41.9837,-87.6600&radius=1")


def test_an_api_that_cannot_be_reached_is_one_clear_line(tmp_path, target, api):
    result = run(tmp_path, "import", "hsds", api.replace("/api", "/nothing"), "--into", target,
                 "--delay", "0")
    assert result.exit_code == 1
    assert "/nothing/services?page=1&per_page=100 answered 404" in result.output


# --- re-imports and hand-written listings ------------------------------------------------


def test_a_second_identical_import_changes_no_file(tmp_path, target):
    import_hsds(tmp_path, FIXTURES / "v3", target)
    before = {path: (path.read_bytes(), path.stat().st_mtime_ns)
              for path in target.rglob("*") if path.is_file()}
    result = import_hsds(tmp_path, FIXTURES / "v3", target)
    after = {path: (path.read_bytes(), path.stat().st_mtime_ns)
             for path in target.rglob("*") if path.is_file()}
    assert after == before
    assert "files: 2 unchanged" in result.output


def test_a_changed_export_updates_only_what_changed_and_retires_what_left(tmp_path, target):
    hand = target / "organizations" / "hand-written-helpline.yaml"
    hand.write_text("id: hand-written-helpline\nname: Hand-written helpline\nservices:\n"
                    "  - id: hand-line\n    name: A line typed in by a maintainer\n"
                    "    categories: [crisis-hotline]\n"
                    "    phones: [{number: \"+1 312 555 0150\"}]\n"
                    "    last_verified: 2026-11-01\n")
    import_hsds(tmp_path, FIXTURES / "v3", target)
    old = tmp_path / "old"
    shutil.copytree(target, old)
    hand_before = hand.read_bytes()
    newer = tmp_path / "newer"
    shutil.copytree(FIXTURES / "v3", newer)
    services_csv = newer / "services.csv"
    services_csv.write_text(services_csv.read_text().replace(
        "Talk to a counselor the same day.", "Talk to a counselor within the hour.")
        .replace("svc-warmline,org-gone", "svc-warmline,org-lakeside"))
    phones = newer / "phones.csv"
    phones.write_text(phones.read_text().replace("(312) 555-0110", "(312) 555-0114"))
    result = import_hsds(tmp_path, newer, target)
    assert "files: 1 changed, 1 removed" in result.output
    assert hand.read_bytes() == hand_before  # hand-written: never touched
    moved = services(target)["svc-warmline"]
    assert moved["source"] == {"system": "lakeside-211", "id": "svc-warmline"}  # same id kept
    retired = yaml.safe_load((target / "retired.yaml").read_text())
    assert retired["organizations"] == [{"id": "peer-warmline-organization-org-gone",
                                         "retired": retired["organizations"][0]["retired"],
                                         "reason": "No longer in the lakeside-211 export"}]
    diff = run(tmp_path, "diff", old, target)
    assert diff.exit_code == 0, diff.output
    assert "Talk to a counselor within the hour." in diff.output
    assert "(312) 555-0114" in diff.output
    validate(tmp_path, target)


def test_ids_of_hand_written_and_retired_records_are_never_taken(tmp_path, target):
    (target / "organizations" / "org-lakeside.yaml").write_text(
        "id: org-lakeside\nname: Someone else's organization\n")
    (target / "retired.yaml").write_text(
        "services:\n  - {id: svc-walkin, retired: 2026-01-01}\norganizations: []\n"
        "locations: []\n")
    import_hsds(tmp_path, FIXTURES / "v3", target)
    assert (target / "organizations" / "org-lakeside.yaml").read_text().startswith(
        "id: org-lakeside\nname: Someone else's")
    assert "walk-in-counseling" in services(target)
    validate(tmp_path, target)


def test_a_new_folder_gets_site_settings_and_the_taxonomy(tmp_path):
    folder = tmp_path / "fresh"
    import_hsds(tmp_path, FIXTURES / "services.json", folder, "--region", "Edgewater",
                "--timezone", "America/Chicago")
    site = yaml.safe_load((folder / "site.yaml").read_text())
    assert site["region"] == "Edgewater" and site["timezone"] == "America/Chicago"
    validate(tmp_path, folder)


def test_a_new_folder_without_region_is_told_what_to_give(tmp_path):
    result = run(tmp_path, "import", "hsds", FIXTURES / "services.json", "--into",
                 tmp_path / "fresh")
    assert result.exit_code == 1
    assert "has no site.yaml: give --region and --timezone" in result.output


@pytest.mark.parametrize("source, message", [
    ("nowhere/", "does not exist"),
    ("not-hsds", "no HSDS files found"),
    ("broken.json", "broken.json is not valid JSON"),
])
def test_sources_that_cannot_be_read_are_one_clear_line(tmp_path, target, source, message):
    (tmp_path / "not-hsds").mkdir()
    (tmp_path / "not-hsds" / "notes.txt").write_text("hello")
    (tmp_path / "broken.json").write_text("{")
    result = run(tmp_path, "import", "hsds", tmp_path / source, "--into", target)
    assert result.exit_code == 1
    assert message in result.output and "Traceback" not in result.output


def test_markdown_report_explains_each_kind(tmp_path, target):
    report = tmp_path / "report.md"
    import_hsds(tmp_path, FIXTURES / "v3", target, "--report", report)
    text = report.read_text()
    assert "| services.csv | 6 |" in text
    assert "| phone-dropped | 1 | a phone number that is not one; dropped |" in text
    assert "| Tax Organizations and Services | 1 |" in text
    assert '- `phones.csv:4` number: "call us" is not a phone number; dropped (phone-dropped)' \
        in text


def test_a_location_shared_by_two_organizations_is_written_once(tmp_path, target):
    shared = tmp_path / "shared"
    shutil.copytree(FIXTURES / "v3", shared)
    links = shared / "service_at_location.csv"
    links.write_text(links.read_text() + "sal-5,svc-warmline,loc-uptown,\n")
    import_hsds(tmp_path, shared, target)
    validate(tmp_path, target)
    warmline = services(target)["svc-warmline"]
    assert warmline["at"] == ["loc-uptown"]
    owners = [org["id"] for org in organizations(target).values()
              if any(location["id"] == "loc-uptown" for location in org.get("locations", []))]
    assert owners == ["org-lakeside"]


# --- messy input never crashes -----------------------------------------------------------

from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

VALUES = st.one_of(st.none(), st.text(max_size=20), st.integers(-5, 200),
                   st.floats(allow_nan=True), st.booleans(), st.lists(st.text(max_size=5),
                                                                     max_size=2))
KEYS = ["id", "name", "description", "status", "phones", "number", "schedules", "byday",
        "opens_at", "closes_at", "valid_from", "valid_to", "organization", "languages", "code",
        "attributes", "taxonomy_term", "service_at_locations", "location", "addresses",
        "address_1", "city", "latitude", "longitude", "minimum_age", "url", "email"]
NESTED = st.recursive(st.dictionaries(st.sampled_from(KEYS), VALUES, max_size=6),
                      lambda inner: st.dictionaries(st.sampled_from(KEYS),
                                                    st.one_of(inner, st.lists(inner, max_size=2)),
                                                    max_size=6), max_leaves=12)


@settings(max_examples=60, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(st.lists(NESTED, max_size=4))
def test_any_json_shape_is_imported_or_reported_never_a_traceback(tmp_path, target, items):
    from directory.hsds import importer

    source = tmp_path / "messy.json"
    source.write_text(json.dumps(items, default=str))
    outcome = importer.run(importer.Settings(source=str(source), into=target,
                                             include_all=True))
    assert not outcome.validation.errors, [str(p) for p in outcome.validation.errors]


CELLS = st.text(alphabet=st.characters(blacklist_categories=["Cs"], blacklist_characters="\x00"),
                max_size=25)
FILES = ["services.csv", "phones.csv", "schedules.csv", "locations.csv", "addresses.csv",
         "languages.csv", "attributes.csv", "taxonomy_terms.csv", "service_at_location.csv"]


@settings(max_examples=40, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(st.sampled_from(FILES), st.integers(0, 5), st.lists(CELLS, min_size=1, max_size=12))
def test_any_cell_of_a_csv_export_is_imported_or_reported(tmp_path, target, name, row, cells):
    import csv

    from directory.hsds import importer

    export = tmp_path / "export"
    shutil.rmtree(export, ignore_errors=True)
    shutil.copytree(FIXTURES / "v3", export)
    with (export / name).open(newline="", encoding="utf-8") as handle:
        rows = list(csv.reader(handle))
    index = 1 + row % (len(rows) - 1)
    rows[index] = [cells[i % len(cells)] if i % 2 == row % 2 else cell
                   for i, cell in enumerate(rows[index])]
    with (export / name).open("w", newline="", encoding="utf-8") as handle:
        csv.writer(handle).writerows(rows)
    outcome = importer.run(importer.Settings(source=str(export), into=target))
    assert not outcome.validation.errors, [str(p) for p in outcome.validation.errors]
