"""The Flask site: the app factory, the served build, the blueprints and the template helpers."""
