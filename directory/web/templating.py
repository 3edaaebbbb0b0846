"""The templates' environment: Flask's, with each template's globals in a plain dict.

Jinja keeps a template's globals as a ``ChainMap`` over the environment's, and every
``{% from "…" import … %}`` compares the page's globals with the imported template's:
through a ChainMap, a Python loop over some two hundred names, five times a service page
(issue #19). A dict made when the template loads compares in C. All globals are set while
the app is made (``create_app``), before any template loads, as Jinja asks of them anyway.
"""

from __future__ import annotations

from flask.templating import Environment


class PageEnvironment(Environment):
    def make_globals(self, d):
        return {**self.globals, **(d or {})}


def init_app(app) -> None:
    """Call before anything reads ``app.jinja_env`` (it is made on first use)."""
    app.jinja_environment = PageEnvironment
