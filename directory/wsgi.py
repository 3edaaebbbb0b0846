"""Production entry point: ``gunicorn -c python:directory.gunicorn_conf directory.wsgi:app``."""

from . import create_app

app = create_app()
