"""The Flask application factory: config, the served build, blueprints, template helpers."""

from __future__ import annotations

import os

from flask import Flask

from .. import ROOT
from . import (
    api,
    cards,
    carry,
    current,
    distance,
    errors,
    events,
    fragments,
    hosts,
    hours,
    hours_words,
    i18n,
    pagecache,
    privacy,
    sheets,
    site,
    store,
    templating,
    unmet,
    upkeep,
    volunteer,
)


def create_app(test_config: dict | None = None) -> Flask:
    """App factory. Config: defaults → instance/config.py → DIRECTORY_* env → test_config."""
    instance = os.environ.get("DIRECTORY_INSTANCE_PATH", str(ROOT / "instance"))
    app = Flask(
        "directory",
        instance_path=instance,
        instance_relative_config=True,
        template_folder=str(ROOT / "templates"),
        static_folder=str(ROOT / "static"),
    )
    app.config.from_mapping(
        DATA_DIR=str(ROOT / "data"),
        PER_PAGE=20,
        MAX_QUERY_LENGTH=200,
        MAX_PAGE=500,
        # Operators may opt in to client addresses in the access log; the default keeps none.
        LOG_CLIENT_ADDRESS=False,
        # The site's address and names (``hosts``): production needs one of them.
        PUBLIC_URL=None,
        TRUSTED_HOSTS=[],
    )
    app.config.from_pyfile("config.py", silent=True)
    app.config.from_prefixed_env("DIRECTORY")
    if test_config:
        app.config.update(test_config)
    if "INSTANCE_PATH" in app.config:
        app.instance_path = app.config["INSTANCE_PATH"]

    templating.init_app(app)  # first: the others add to its globals
    store.init_app(app)
    hosts.init_app(app)
    i18n.init_app(app)
    upkeep.init_app(app)
    privacy.init_app(app)
    errors.init_app(app)
    hours.init_app(app)
    hours_words.init_app(app)
    distance.init_app(app)
    current.init_app(app)
    fragments.init_app(app)
    carry.init_app(app)
    app.register_blueprint(site.bp)
    app.register_blueprint(sheets.bp)
    events.init_app(app)
    volunteer.init_app(app)
    unmet.init_app(app)
    api.init_app(app)
    cards.init_app(app)
    pagecache.init_app(app)
    return app
