"""The templates' environment (web/templating.py) answers as Jinja's own: a dict's items and
methods, what is missing, functions that take the context, macros, whatever path it takes."""

from __future__ import annotations

import pytest
from flask import Flask
from jinja2 import (
    Environment,
    StrictUndefined,
    UndefinedError,
    pass_context,
    pass_environment,
    pass_eval_context,
)

from directory.web.templating import PageEnvironment

SOURCES = {
    "items": "{{ row.name }}|{{ row.get('name') }}|{{ row.missing }}|"
             "{{ row.missing is defined }}|{{ row['name'] }}|{{ row.items() | list }}",
    # A key named like a dict's method: the attribute first, as Jinja has it.
    "shadowed": "{{ row.keys is callable }}|{{ row['keys'] }}|{{ row.values is callable }}",
    "objects": "{{ obj.real }}|{{ obj.nothing is defined }}|{{ text.upper() }}|"
               "{{ none.x is defined }}",
    "calls": "{{ plain(1) }}|{{ with_context() }}|{{ with_environment() }}|{{ marked(1) }}|"
             "{{ obj_call(2) }}|{{ context_method() }}|"
             "{{ with_eval() }}|{{ builtin([3, 1]) }}|{{ method(2) }}|{{ stops() is defined }}",
    "macros": "{% macro m(x, y=2) %}[{{ x }}{{ y }}{{ caller() if caller }}]{% endmacro %}"
              "{{ m(1) }}{{ m(1, y=3) }}{% call m(0) %}c{% endcall %}"
              "{% for i in [1] %}{{ m(i) }}{% endfor %}",
    "loop": "{% for i in [1, 2] %}{% set j = i * 2 %}{{ seen(j) }}{% endfor %}"
            "{% for i in [1] %}{{ marked(i) }}{% endfor %}",
}


class Holder:
    def twice(self, x):
        return x * 2

    @pass_context
    def page_text(self, context):
        return context["text"]

    def __call__(self, x):
        return x * 3


def _stops():
    raise StopIteration


def _values():
    return {
        "row": {"name": "Drop-in", "keys": "k", "n": 1},
        "obj": 3, "text": "abc", "none": None,
        "plain": lambda x: x + 1,
        "with_context": pass_context(lambda context: context["text"]),
        "with_environment": pass_environment(lambda env: type(env).__name__ != ""),
        "with_eval": pass_eval_context(lambda ctx: ctx.autoescape),
        "builtin": sorted, "method": Holder().twice, "stops": _stops,
        "marked": pass_context(lambda context, x: f"{context['obj']}{x}"),
        "obj_call": Holder(), "context_method": Holder().page_text,
        "seen": pass_context(lambda context, j: f"{j}:{context.get('j', '-')}"),
    }


def _ours(**options) -> PageEnvironment:
    return PageEnvironment(Flask(__name__), **options)


@pytest.mark.parametrize("name", sorted(SOURCES))
def test_pages_read_as_with_jinjas_own_environment(name):
    expected = Environment(autoescape=True).from_string(SOURCES[name]).render(_values())
    assert _ours(autoescape=True).from_string(SOURCES[name]).render(_values()) == expected
    assert expected.strip()


def test_a_missing_item_is_undefined_as_jinja_has_it():
    template = _ours(undefined=StrictUndefined).from_string("{{ row.missing }}")
    with pytest.raises(UndefinedError, match="'dict object' has no attribute 'missing'"):
        template.render(row={})
