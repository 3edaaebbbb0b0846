"""The ``directory`` command (``directory.cli:main``): Flask's group plus the maintainers' commands.

The commands live on this group, not on the app, so the application factory never imports
the command line (the floors run one way: ``cli`` is the top).
"""

from __future__ import annotations

import sys

from flask.cli import FlaskGroup

from .commands import COMMANDS


def group() -> FlaskGroup:
    """Flask's command group (``run``, ``routes``...) with every maintainers' command on it."""
    from ..web.app import create_app

    cli = FlaskGroup(create_app=create_app,
                     help="Community resource directory: data, build, serve.")
    for command in COMMANDS:
        cli.add_command(command)
    return cli


def main() -> None:
    group().main(args=sys.argv[1:], prog_name="directory")
