"""Production entry point: ``gunicorn -c python:directory.gunicorn_conf directory.wsgi:app``."""

from .web.app import create_app

app = create_app()
