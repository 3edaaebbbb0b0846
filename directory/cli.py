"""The ``directory`` command: a thin click layer over the pipeline (also ``flask --app directory``)."""

from __future__ import annotations

import sys
import time
from pathlib import Path

import click
from flask import current_app
from flask.cli import FlaskGroup, with_appcontext

from . import geocode, pipeline
from .problems import Report

DATA_DIR = click.argument("data_dir", required=False, type=click.Path(path_type=Path))


def _data_dir(data_dir: Path | None) -> Path:
    return data_dir or Path(current_app.config["DATA_DIR"])


def _print_report(report: Report, quiet: bool = False) -> None:
    for problem in report.sorted():
        if problem.is_error or not quiet:
            click.echo(str(problem), err=True)


def _summary(counts: dict) -> str:
    return f"{counts['organizations']} organizations, {counts['services']} services"


@click.command("validate")
@DATA_DIR
@with_appcontext
@click.option("--quiet", "-q", is_flag=True, help="Show errors only, not warnings.")
def validate_command(data_dir, quiet):
    """Check the data files and list every problem with file, line and field.

    Exits 1 when there are errors; warnings alone do not fail.

    \b
    Example:
      directory validate data/
    """
    catalogue, report, _ = pipeline.check(_data_dir(data_dir))
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
def build_command(data_dir, if_changed, watch, quiet, offline, strict):
    """Validate the data, geocode new addresses, write a new build and switch the site to it.

    A build with errors changes nothing: the site keeps serving the previous build.
    Addresses missing from data/geocodes.csv are looked up with the geocoder in site.yaml
    (and saved there) unless --offline is given.

    \b
    Examples:
      directory build
      directory build --offline --strict     # CI: every address must be in geocodes.csv
      directory build --if-changed --watch   # while editing data/
    """
    data_dir, instance = _data_dir(data_dir), Path(current_app.instance_path)
    geocoding = {"offline": offline, "strict": strict}
    ok = _build_once(data_dir, instance, if_changed, quiet, **geocoding)
    if not watch:
        if not ok:
            raise click.exceptions.Exit(1)
        return
    click.echo(f"watching {data_dir} for changes (Ctrl+C to stop)")
    while True:
        time.sleep(2)
        _build_once(data_dir, instance, if_changed=True, quiet=True, **geocoding)


def _build_once(data_dir: Path, instance: Path, if_changed: bool, quiet: bool, *,
                offline: bool = False, strict: bool = False) -> bool:
    started = time.perf_counter()
    outcome = pipeline.run(data_dir, instance, if_changed=if_changed, strict=strict,
                           geocoder=None if offline else _Geocoder(data_dir),
                           progress=_progress)
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
            self._connected = geocode.connect(catalogue.site.get("geocoder"))
        return self._connected


def _progress(addresses: list[str]):
    """A progress bar on a terminal, one line per address otherwise (CI logs)."""
    if not addresses:
        return addresses
    click.echo(f"geocoding {_addresses(len(addresses))} not in geocodes.csv yet", err=True)
    if sys.stderr.isatty():
        return click.progressbar(addresses, label="geocoding", file=sys.stderr,
                                 item_show_func=lambda a: a or "")
    return _lines(addresses)


def _lines(addresses: list[str]):
    for number, address in enumerate(addresses, 1):
        click.echo(f"geocoding {number}/{len(addresses)}: {address}", err=True)
        yield address


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
    outcome = pipeline.geocode_only(data_dir, _Geocoder(data_dir), progress=_progress,
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


COMMANDS = [validate_command, build_command, geocode_command]


def init_app(app) -> None:
    for command in COMMANDS:
        app.cli.add_command(command)


def main() -> None:
    from . import create_app

    cli = FlaskGroup(create_app=create_app, help="Community resource directory: data, build, serve.")
    cli.main(args=sys.argv[1:], prog_name="directory")
