"""``/volunteer``: ways to help (volunteer roles, peer-supporter trainings), with the filters
of ``/events``; residents' searches for help never mix them in unless asked
(``/search?kind=volunteer`` comes here)."""

from __future__ import annotations

from flask import Blueprint, render_template

from ..search import queries, roles
from . import params
from .current import all_categories
from .events import chosen
from .store import get_build, get_db

bp = Blueprint("volunteer", __name__)


@bp.get("/volunteer")
def listing():
    filters, q = chosen(), params.text("q")
    every = get_build().memo("volunteer_roles", lambda: queries.volunteer_roles(get_db()))
    found = roles.find(every, q, categories=filters.categories, language=filters.language,
                       point=filters.point, radius_km=filters.radius_km)
    languages = sorted({code for role in every for code in role["languages"]})
    return render_template("volunteer.html", roles=found, total=len(found), q=q,
                           filters=filters, where=filters.place, languages=languages,
                           category_names=filters.names, categories=all_categories(),
                           category=filters.category, near_endpoint="volunteer.listing")


def init_app(app) -> None:
    app.register_blueprint(bp)
