"""Community resource directory: curated data files → one build → a private, accessible site.

The package is grouped by area, on one-way floors (``tests/test_layout.py`` holds them):
``records < geo, hours < data < search < build < web, review, tools, hsds < cli``.
``create_app`` is imported on first use, so the search engine and the build can run from a
script without loading Flask.
"""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def __getattr__(name: str):
    if name == "create_app":
        from .web.app import create_app

        return create_app
    raise AttributeError(f"module 'directory' has no attribute {name!r}")
