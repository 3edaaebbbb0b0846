"""Production entry point: ``gunicorn -c python:directory.gunicorn_conf directory.wsgi:app``.

It refuses to serve without ``DIRECTORY_PUBLIC_URL`` or ``DIRECTORY_TRUSTED_HOSTS`` (see
``web.hosts``): links must never be made from a ``Host`` header nobody checked.
"""

import sys

from .web.app import create_app
from .web.hosts import unsafe_config

app = create_app()
if (problem := unsafe_config(app.config)) is not None:
    print(f"directory: cannot start: {problem}", file=sys.stderr, flush=True)
    sys.exit(1)
