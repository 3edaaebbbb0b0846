"""The ``directory`` command: a thin click layer over the pipeline (also ``flask --app directory``)."""

from __future__ import annotations

import sys
import time
from pathlib import Path

import click
from flask import current_app
from flask.cli import FlaskGroup, with_appcontext

from . import pipeline
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
def build_command(data_dir, if_changed, watch, quiet):
    """Validate the data, write a new build and switch the site to it.

    A build with errors changes nothing: the site keeps serving the previous build.

    \b
    Examples:
      directory build
      directory build --if-changed --watch   # while editing data/
    """
    data_dir, instance = _data_dir(data_dir), Path(current_app.instance_path)
    ok = _build_once(data_dir, instance, if_changed, quiet)
    if not watch:
        if not ok:
            raise click.exceptions.Exit(1)
        return
    click.echo(f"watching {data_dir} for changes (Ctrl+C to stop)")
    while True:
        time.sleep(2)
        _build_once(data_dir, instance, if_changed=True, quiet=True)


def _build_once(data_dir: Path, instance: Path, if_changed: bool, quiet: bool) -> bool:
    started = time.perf_counter()
    outcome = pipeline.run(data_dir, instance, if_changed=if_changed)
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
@click.option("--output", "-o", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="The PDF file to write; - writes to standard output.")
@with_appcontext
def sheet_command(ids, note, street, category, query, paper, output):
    """Write a referral sheet, or a street sheet, as a PDF: the same page the site's PDF links give.

    Unknown or retired ids are printed as "no longer listed" and named here. The QR code opens
    DIRECTORY_PUBLIC_URL (set it to the site's address) or else http://localhost:5000.

    \b
    Examples:
      directory sheet --ids harbour-youth-drop-in,northside-warmline -o sheet.pdf
      directory sheet --street --category drop-in -o drop-in.pdf
    """
    from werkzeug.exceptions import BadRequest

    from . import sheets
    from .store import NoBuild

    if not street and not ids:
        raise click.UsageError("give --ids a,b,c for a referral sheet, or --street")
    args = {"category": category, "q": query} if street else {"ids": ids, "note": note}
    args = {key: value for key, value in {**args, "paper": paper}.items() if value}
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


COMMANDS = [validate_command, build_command, sheet_command]


def init_app(app) -> None:
    for command in COMMANDS:
        app.cli.add_command(command)


def main() -> None:
    from . import create_app

    cli = FlaskGroup(create_app=create_app, help="Community resource directory: data, build, serve.")
    cli.main(args=sys.argv[1:], prog_name="directory")
