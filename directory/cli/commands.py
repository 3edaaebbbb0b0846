"""The maintainers' commands: a thin click layer over the pipeline, the reports and the sheets."""

from __future__ import annotations

import io
import sys
import time
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext

from ..build import artifact as artifact_file
from ..build import pipeline
from ..build.layout import BuildError, current_path
from ..data import stale
from ..geo import geocoder
from ..hsds import export as hsds_export
from ..records.problems import Report
from ..review import diff, report_formats, revisions
from ..review import unmet as unmet_report
from . import progress

DATA_DIR = click.argument("data_dir", required=False, type=click.Path(path_type=Path))


def _data_dir(data_dir: Path | None) -> Path:
    return data_dir or Path(current_app.config["DATA_DIR"])


def _print_report(report: Report, quiet: bool = False) -> None:
    for problem in report.sorted():
        if problem.is_error or not quiet:
            click.echo(str(problem), err=True)


def _summary(counts: dict) -> str:
    return f"{counts['organizations']} organizations, {counts['services']} services"


def _pretend_today():
    """The date in DIRECTORY_TODAY (YYYY-MM-DD) when set, else None for the real today."""
    value = current_app.config.get("TODAY")
    if not value:
        return None
    try:
        return stale.local_today(pretend=value)
    except ValueError:
        raise click.ClickException(
            f'DIRECTORY_TODAY "{value}" is not a date (expected YYYY-MM-DD)') from None


@click.command("validate")
@DATA_DIR
@with_appcontext
@click.option("--quiet", "-q", is_flag=True, help="Show errors only, not warnings.")
@click.option("--format", "output_format", type=click.Choice(report_formats.FORMATS),
              default="text", show_default=True,
              help="text for people; github for annotations on a pull request; json for tools.")
def validate_command(data_dir, quiet, output_format):
    """Check the data files and list every problem with file, line and field.

    Exits 1 when there are errors; warnings alone do not fail.

    \b
    Examples:
      directory validate data/
      directory validate --format github   # in GitHub Actions: problems show on the PR
      directory validate --format json > problems.json
    """
    catalogue, report, _ = pipeline.check(_data_dir(data_dir), _pretend_today())
    if quiet:
        report = Report(report.errors)
    if output_format != "text":
        if output_format == "github":
            for line in report_formats.github_annotations(report):
                click.echo(line)
            click.echo(f"{report_formats.counts_line(report)} in "
                       f"{_summary(catalogue.counts())}")
        else:
            click.echo(report_formats.as_json(report, catalogue.counts()))
        if report.errors:
            raise click.exceptions.Exit(1)
        return
    _print_report(report, quiet)
    if report.errors:
        raise click.ClickException(
            f"{len(report.errors)} errors, {len(report.warnings)} warnings; nothing was changed")
    click.echo(f"ok: {_summary(catalogue.counts())}"
               + (f" ({len(report.warnings)} warnings)" if report.warnings else ""))


@click.command("build")
@DATA_DIR
@with_appcontext
@click.option("--if-changed", is_flag=True, help="Do nothing when the data has not changed.")
@click.option("--watch", is_flag=True, help="Keep running and rebuild whenever data/ changes.")
@click.option("--quiet", "-q", is_flag=True, help="Show errors only, not warnings.")
@click.option("--offline", is_flag=True,
              help="Never call the geocoder: use data/geocodes.csv and places.csv only.")
@click.option("--strict", is_flag=True,
              help="A location that cannot be placed exactly is an error, not a warning.")
@click.option("--artifact", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Also write the build as one file into this folder, for replicas "
                   "(directory install-build).")
def build_command(data_dir, if_changed, watch, quiet, offline, strict, artifact):
    """Validate the data, geocode new addresses, write a new build and switch the site to it.

    A build with errors changes nothing: the site keeps serving the previous build.
    Addresses missing from data/geocodes.csv are looked up with the geocoder in site.yaml
    (and saved there) unless --offline is given.

    \b
    Examples:
      directory build
      directory build --offline --strict     # CI: every address must be in geocodes.csv
      directory build --if-changed --watch   # while editing data/
      directory build --artifact dist/       # one file for replicas to install
    """
    data_dir, instance = _data_dir(data_dir), Path(current_app.instance_path)
    geocoding = {"offline": offline, "strict": strict}
    ok = _build_once(data_dir, instance, if_changed, quiet, **geocoding)
    if not watch:
        if not ok:
            raise click.exceptions.Exit(1)
        if artifact is not None:
            path, digest = artifact_file.pack(current_path(instance), artifact)
            click.echo(f"artifact {path} sha256 {digest}")
        return
    click.echo(f"watching {data_dir} for changes (Ctrl+C to stop)")
    while True:
        time.sleep(2)
        _build_once(data_dir, instance, if_changed=True, quiet=True, **geocoding)


def _build_once(data_dir: Path, instance: Path, if_changed: bool, quiet: bool, *,
                offline: bool = False, strict: bool = False) -> bool:
    started = time.perf_counter()
    try:
        with progress.progress("build", stages=pipeline.STAGES, enabled=not quiet) as meter:
            outcome = pipeline.run(data_dir, instance, if_changed=if_changed, strict=strict,
                                   geocoder=None if offline else _Geocoder(data_dir),
                                   progress=_geocode_progress, today=_pretend_today(),
                                   on_stage=meter.stage)
    except (BuildError, OSError) as error:  # e.g. the disk is full: say so, keep serving
        click.echo(f"build failed: {error}; the site keeps serving the previous build",
                   err=True)
        return False
    if outcome.unchanged:
        return True
    _print_report(outcome.report, quiet)
    if outcome.report.errors:
        click.echo(f"build failed: {len(outcome.report.errors)} errors; "
                   "the site keeps serving the previous build", err=True)
        return False
    click.echo(f"built {outcome.build.name}: {_summary(outcome.catalogue.counts())} "
               f"in {time.perf_counter() - started:.1f}s")
    return True


@click.command("sheet")
@click.option("--ids", default="", help="Service ids, comma-separated, in the order to print them.")
@click.option("--note", default="", help="A note printed at the top of the referral sheet.")
@click.option("--street", is_flag=True, help="A street sheet of every matching service instead.")
@click.option("--category", default="", help="With --street: one kind of help, e.g. drop-in.")
@click.option("--query", "-q", default="",
              help="With --street: only services matching these words.")
@click.option("--paper", type=click.Choice(["a4", "letter"]), default=None,
              help="Paper size (default: what the site's country uses).")
@click.option("--lang", "language", default=None,
              help="The sheet's language, one of site.yaml's languages (default: the first).")
@click.option("--output", "-o", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="The PDF file to write; - writes to standard output.")
@with_appcontext
def sheet_command(ids, note, street, category, query, paper, language, output):
    """Write a referral sheet, or a street sheet, as a PDF: the same page the site's PDF links give.

    Unknown or retired ids are printed as "no longer listed" and named here. The QR code opens
    DIRECTORY_PUBLIC_URL (set it to the site's address) or else http://localhost:5000.

    \b
    Examples:
      directory sheet --ids harbour-youth-drop-in,northside-warmline -o sheet.pdf
      directory sheet --street --category drop-in -o drop-in.pdf
      directory sheet --ids cfu-walk-in-counseling --lang es -o hoja.pdf
    """
    from werkzeug.exceptions import BadRequest

    from ..build.layout import NoBuild
    from ..web import sheets

    if not street and not ids:
        raise click.UsageError("give --ids a,b,c for a referral sheet, or --street")
    args = {"category": category, "q": query} if street else {"ids": ids, "note": note}
    args = {key: value for key, value in
            {**args, "paper": paper, "sheet_lang": language}.items() if value}
    try:
        sheet = sheets.pdf_outside_request(current_app, street=street, args=args)
    except BadRequest as error:
        raise click.ClickException(error.description) from None
    except NoBuild as error:
        raise click.ClickException(str(error)) from None
    for missing in sheet.missing:
        click.echo(f'warning: "{missing}" is not listed; the sheet says "no longer listed"',
                   err=True)
    if str(output) == "-":
        sys.stdout.buffer.write(sheet.pdf)
    else:
        output.write_bytes(sheet.pdf)
    if not current_app.config.get("PUBLIC_URL"):
        click.echo("note: the QR code opens http://localhost:5000; set DIRECTORY_PUBLIC_URL to "
                   "the site's address", err=True)
    click.echo(f"wrote {output} ({len(sheet.pdf) // 1024 + 1} KB)", err=str(output) == "-")


@click.command("diff")
@click.argument("base")
@click.argument("head")
@with_appcontext
@click.option("--format", "output_format", type=click.Choice(["text", "markdown"]),
              default="text", show_default=True, help="markdown for a pull request comment.")
@click.option("--data", "data_path", metavar="PATH",
              help="For git revisions: the data folder inside the repository "
                   "(default: the configured data folder, usually data).")
def diff_command(base, head, output_format, data_path):
    """Say what changed in the data between BASE and HEAD, for people.

    Each of BASE and HEAD is a data folder or a git revision of this repository (a branch,
    tag or commit; its data folder is read with git archive, without a checkout). Lists
    services, organizations and locations added, removed and renamed, and what changed in
    each, field by field.

    \b
    Examples:
      directory diff main HEAD
      directory diff origin/main HEAD --format markdown   # a pull request comment
      directory diff old-data/ data/
    """
    try:
        changes = diff.compare_sides(base, head, data_path=data_path,
                                     data_dir=Path(current_app.config["DATA_DIR"]))
    except revisions.RevisionError as error:
        raise click.ClickException(str(error)) from None
    render = diff.to_markdown if output_format == "markdown" else diff.to_text
    click.echo(render(changes, base, head))


@click.command("stale")
@DATA_DIR
@with_appcontext
@click.option("--days", type=click.IntRange(1, 3650),
              help="Older than this many days counts as stale "
                   f"(default: stale_after_days in site.yaml, else {stale.DEFAULT_DAYS}).")
@click.option("--csv", "as_csv", is_flag=True, help="Write CSV (one row per service).")
@click.option("--output", "-o", type=click.Path(dir_okay=False, path_type=Path),
              help="Write to this file instead of the terminal.")
def stale_command(data_dir, days, as_csv, output):
    """List services not verified in the last N days, or never, with whom to call.

    Services are grouped by organization, with the organization's phone and email; inactive
    services are left out.

    \b
    Examples:
      directory stale
      directory stale --days 90
      directory stale --csv -o calls.csv   # a sheet for the next round of calls
    """
    catalogue, report, _ = pipeline.check(_data_dir(data_dir), _pretend_today())
    if report.errors:
        click.echo(f"note: the data has {len(report.errors)} errors (directory validate lists "
                   "them); records with errors may be missing below", err=True)
    days = days or catalogue.site.get("stale_after_days") or stale.DEFAULT_DAYS
    today = _pretend_today() or stale.local_today(catalogue.site.get("timezone"))
    groups = stale.find_stale(catalogue, days, today)
    if as_csv:
        buffer = io.StringIO()
        stale.write_csv(groups, buffer)
        text = buffer.getvalue()
    else:
        text = stale.format_table(groups, days, today) + "\n"
    if output is None:
        click.echo(text, nl=False)
        return
    output.write_text(text, encoding="utf-8")
    count = sum(len(group.services) for group in groups)
    click.echo(f"wrote {count} stale services to {output}", err=True)


@click.command("install-build")
@click.argument("source")
@click.option("--sha256", default=None, metavar="HEX",
              help="The artifact's SHA-256 as `directory build --artifact` printed it.")
@with_appcontext
def install_build_command(source, sha256):
    """Verify a build artifact (a file, or an https:// URL) and switch the site to it.

    Every file's checksum is checked and the build is opened before anything changes; a bad
    artifact leaves the site serving its current build. Replicas behind a load balancer each
    install the same artifact, so they all serve the same build.

    \b
    Examples:
      directory install-build dist/20261201T101500123456-ab12cd.build.tar.gz
      directory install-build https://builds.example.org/latest.build.tar.gz --sha256 9f2c...
    """
    instance = Path(current_app.instance_path)
    try:
        build = artifact_file.install(source, instance, sha256)
    except artifact_file.ArtifactError as error:
        click.echo(f"install failed: {error}; the site keeps serving the previous build",
                   err=True)
        raise click.exceptions.Exit(1) from None
    click.echo(f"installed {build.name}; the site now serves it")


class _Geocoder:
    """The geocoder from site.yaml, connected on the first lookup: a build whose addresses
    are all cached never even constructs one."""

    def __init__(self, data_dir: Path):
        self.data_dir = data_dir
        self._connected = None

    @property
    def provider(self) -> str:
        return self._connect().provider

    def geocode(self, address: str):
        return self._connect().geocode(address)

    def _connect(self):
        if self._connected is None:
            catalogue, _, _ = pipeline.check(self.data_dir)
            self._connected = geocoder.connect(catalogue.site.get("geocoder"))
        return self._connected


def _geocode_progress(addresses: list[str]):
    """Addresses to look up, shown as a bar on a terminal and as lines in CI logs."""
    if addresses:
        click.echo(f"geocoding {_addresses(len(addresses))} not in geocodes.csv yet", err=True)
    return progress.track(addresses, "geocoding")


@click.command("geocode")
@DATA_DIR
@with_appcontext
@click.option("--strict", is_flag=True, help="Exit 1 when any location cannot be placed exactly.")
def geocode_command(data_dir, strict):
    """Look up every address missing from data/geocodes.csv and save the answers there.

    Uses the geocoder in site.yaml (Nominatim by default, one request a second). Commit
    data/geocodes.csv afterwards so builds need no network. Nothing is built.

    \b
    Example:
      directory geocode && git add data/geocodes.csv
    """
    data_dir = _data_dir(data_dir)
    outcome = pipeline.geocode_only(data_dir, _Geocoder(data_dir), progress=_geocode_progress,
                                    strict=strict)
    _print_report(outcome.report)
    if outcome.report.errors:
        raise click.ClickException(f"{len(outcome.report.errors)} errors")
    done = outcome.geocoding
    click.echo(f"looked up {_addresses(done.looked_up)}; of the locations without coordinates, "
               f"{done.placed} placed from geocodes.csv, {done.approximate} approximate "
               f"(postcode or city centre), {done.unplaced} without a point")


def _addresses(count: int) -> str:
    return f"{count} address" if count == 1 else f"{count} addresses"


@click.group("report")
def report_group():
    """Reports for maintainers and partners.

    \b
    Examples:
      directory report unmet --since 30d   # what people searched for and did not find
    """


@report_group.command("unmet")
@with_appcontext
@click.option("--since", default="30d", show_default=True,
              help="The last N days (e.g. 30d, today included) or a first date (2026-11-01).")
@click.option("--format", "output_format", type=click.Choice(unmet_report.FORMATS),
              default="markdown", show_default=True, help="markdown to read; csv for sheets.")
@click.option("--counts", "counts_file", type=click.Path(dir_okay=False, path_type=Path),
              help="The counts file (default: unmet-need.sqlite in the instance folder).")
@click.option("--output", "-o", type=click.Path(dir_okay=False, path_type=Path),
              help="Write to this file instead of the terminal.")
def unmet_command(since, output_format, counts_file, output):
    """What residents searched for and did not find, without tracking anyone.

    Counts exist only where site.yaml has count_unmet_need: true. A phrase is shown only
    once it was counted at least 10 times in the period; the README says what is counted.

    \b
    Examples:
      directory report unmet --since 30d
      directory report unmet --since 2026-11-01 --format csv -o unmet.csv
    """
    instance = Path(current_app.instance_path)
    today = _pretend_today() or unmet_report.site_today(instance)
    try:
        first = unmet_report.since_date(since, today)
    except ValueError:
        raise click.BadParameter(f'"{since}" is not a number of days such as 30d or a date '
                                 "such as 2026-11-01", param_hint="--since") from None
    path = counts_file or unmet_report.counts_file(
        instance, current_app.config.get("UNMET_NEED_PATH"))
    if not path.exists():
        click.echo(f"note: no counts at {path}; counting is on only where site.yaml has "
                   "count_unmet_need: true", err=True)
    report = unmet_report.build_report(path, instance, first, today)
    text = unmet_report.to_csv(report) if output_format == "csv" \
        else unmet_report.to_markdown(report)
    if output is None:
        click.echo(text, nl=False)
        return
    output.write_text(text, encoding="utf-8")
    click.echo(f"wrote {len(report.rows)} rows to {output}", err=True)


@click.group("export")
def export_group():
    """Write the served build in an exchange format (Open Referral HSDS 3.0).

    \b
    Examples:
      directory export hsds -o hsds/
      directory export hsds --format json -o -
    """


@export_group.command("hsds")
@click.option("--output", "-o", type=click.Path(path_type=Path), default=Path("hsds"),
              show_default=True,
              help="The folder to write into; with --format json, - writes to standard output.")
@click.option("--format", "output_format", type=click.Choice(hsds_export.FORMATS),
              default="datapackage", show_default=True,
              help="datapackage: CSV files and datapackage.json; json: services.json, an "
                   "array of fully nested services.")
@with_appcontext
def export_hsds_command(output, output_format):
    """Export the current build as Open Referral HSDS 3.0, as the site's /api/export gives it.

    Reads the build the site serves (run `directory build` first). Ids are UUID v5 of
    hsds_namespace in site.yaml and each listing's id, so they never change between exports.

    \b
    Examples:
      directory export hsds -o hsds/                      # datapackage.json + CSVs
      directory export hsds --format json -o - > services.json
    """
    from ..build.layout import NoBuild, open_current
    from ..hsds.source import Source

    started = time.perf_counter()
    try:
        build = open_current(Path(current_app.instance_path))
    except NoBuild as error:
        raise click.ClickException(str(error)) from None
    db = build.connect()
    try:
        source = Source(db, build.site)
        if output_format == "json":
            if str(output) == "-":
                count = hsds_export.write_json(source, sys.stdout)
                return
            output.mkdir(parents=True, exist_ok=True)
            with (output / hsds_export.JSON_NAME).open("w", encoding="utf-8") as out:
                count = hsds_export.write_json(source, out)
            written = f"{output / hsds_export.JSON_NAME}: {count} services"
        else:
            files = hsds_export.write_datapackage(source, output)
            written = (f"{len(files)} files in {output}/ "
                       f"(datapackage.json and {len(files) - 1} CSVs)")
    except OSError as error:
        raise click.ClickException(f"cannot write {output}: {error}") from None
    finally:
        db.close()
    click.echo(f"wrote {written} from build {build.id} in {time.perf_counter() - started:.1f}s")


PRINTED_LINES = 500  # a big import's report lines go to --report FILE, not all to the terminal


@click.group("import")
def import_group():
    """Bring in listings from another system's export (see README, "Moving your data in").

    \b
    Example:
      directory import hsds export.zip --into data/ --report import-report.md
    """


@import_group.command("hsds")
@click.argument("source")
@click.option("--into", "into", type=click.Path(file_okay=False, path_type=Path),
              help="The data folder to write into (default: the configured data folder).")
@click.option("--taxonomy-map", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="A YAML map of taxonomy codes and names to category ids; extends the "
                   "shipped map, or replaces it when the file says replace: true.")
@click.option("--all", "include_all", is_flag=True,
              help="Also import services with no mapped term, with categories made from the "
                   "source's own terms (added to taxonomy.yaml).")
@click.option("--fix-case", is_flag=True,
              help="Write UPPER CASE names in title case (acronyms such as YMCA stay).")
@click.option("--report", "report_file", type=click.Path(dir_okay=False, path_type=Path),
              help="Also write the full report to this file: .json for tools, else Markdown.")
@click.option("--system", default="",
              help="The source system's name kept in each record's source: (default: from "
                   "datapackage.json, the file or folder name, or the API's host).")
@click.option("--region", default="", help="For a new data folder: the region's name.")
@click.option("--timezone", default="", help="For a new data folder: e.g. America/Chicago.")
@click.option("--delay", type=click.FloatRange(0, 60), default=0.5, show_default=True,
              help="Seconds between requests to an API.")
@with_appcontext
def import_hsds_command(source, into, taxonomy_map, include_all, fix_case, report_file, system,
                        region, timezone, delay):
    """Import an Open Referral HSDS export into organization files that pass validation.

    SOURCE is a folder or .zip of an HSDS tabular data package (3.0 or 1.x, detected), a
    .json file of HSDS 3.0 services, or the base URL of an HSDS 3.0 API. Records keep their
    origin in source:, so importing a newer export of the same system updates those files,
    moves what disappeared to retired.yaml, and never touches hand-written listings.

    \b
    Examples:
      directory import hsds export.zip --into data/ --report import-report.md
      directory import hsds hsds-1.x-folder/ --fix-case
      directory import hsds https://api.example.org/hsds --system example-211
      directory import hsds export/ --into new-data/ --region "Lake County" \\
          --timezone America/Chicago
    """
    from ..hsds import importer, reader, target
    from ..hsds.paging import ApiError
    from ..hsds.taxonomy_map import MapError

    settings = importer.Settings(
        source=source, into=into or _data_dir(None), taxonomy_map=taxonomy_map,
        include_all=include_all, fix_case=fix_case, system=system, region=region,
        timezone=timezone, today=_pretend_today(), delay=delay)
    try:
        outcome = importer.run(settings)
    except (reader.SourceError, ApiError, MapError, target.ImportFailure) as error:
        raise click.ClickException(str(error)) from None
    except OSError as error:
        raise click.ClickException(f"could not write into {settings.into}: {error}") from None
    report = outcome.report
    for line in report.lines[:PRINTED_LINES]:
        click.echo(str(line), err=True)
    if len(report.lines) > PRINTED_LINES:
        click.echo(f"... and {len(report.lines) - PRINTED_LINES} more lines"
                   + ("" if report_file else "; --report FILE writes every one of them"),
                   err=True)
    click.echo(report.summary())
    if report_file:
        text = report.to_json() if report_file.suffix.lower() == ".json" else \
            report.to_markdown()
        report_file.write_text(text, encoding="utf-8")
        click.echo(f"report written to {report_file}")
    validation = outcome.validation
    if validation.errors:
        _print_report(Report(validation.errors))
        raise click.ClickException(
            f"directory validate finds {len(validation.errors)} errors in {settings.into}; "
            "fix them above (the import report says where each value came from)")
    click.echo(f"directory validate: 0 errors ({len(validation.warnings)} warnings) in "
               f"{settings.into}; next: directory geocode, then directory build")


COMMANDS = [validate_command, build_command, geocode_command, diff_command, stale_command,
            sheet_command, install_build_command, report_group, export_group, import_group]
