"""The templates' environment: Flask's, made to do less work for what pages do most.

Each of these answers as Jinja's own does; only the path to the answer is shorter (issue #19):

- Globals. Jinja keeps a template's globals as a ``ChainMap`` over the environment's, and
  every ``{% from "…" import … %}`` compares the page's globals with the imported template's:
  through a ChainMap, a Python loop over some two hundred names, five times a service page.
  A dict made when the template loads compares in C. All globals are set while the app is
  made (``create_app``), before any template loads, as Jinja asks of them anyway.
- ``service.name``. The rows pages show are dicts, and Jinja first asks a dict for an
  attribute, which it has only by the names of its methods: every other name raised and
  caught an ``AttributeError`` on the way to the item, some thirty times a result card.
- ``f(x)``. Jinja calls every function and macro through ``Context.call``, which looks for
  ``pass_context`` and its kin on the callable and on its ``__call__``. A macro takes none,
  nor does a built-in; a function or a bound method holds its mark in its own ``__dict__``,
  which is read at once. Anything else (a callable object) goes Jinja's own way.
"""

from __future__ import annotations

from types import BuiltinFunctionType, FunctionType, MethodType

from flask.templating import Environment
from jinja2.runtime import Context, Macro
from jinja2.utils import _PassArg

# What a dict has as attributes: its methods (``names.get``) and the object's own.
_DICT_ATTRIBUTES = frozenset(dir(dict))
_PLAIN = (Macro, BuiltinFunctionType)  # never marked: nothing to look for


class PageContext(Context):
    def call(__self, __obj, *args, **kwargs):  # noqa: N805 (Jinja's own signature)
        kind = type(__obj)
        if kind is FunctionType:
            mark = __obj.__dict__.get("jinja_pass_arg")
        elif kind is MethodType and type(__obj.__func__) is FunctionType:
            mark = __obj.__func__.__dict__.get("jinja_pass_arg")  # a bound method's own
        elif kind in _PLAIN:
            mark = None
        else:  # a callable object, a partial...: Jinja's own way
            return super().call(__obj, *args, **kwargs)
        if mark is _PassArg.context:  # ``_()``: the context, as Jinja passes it
            if kwargs.get("_loop_vars") or kwargs.get("_block_vars"):
                return super().call(__obj, *args, **kwargs)
            args = (__self, *args)
        elif mark is _PassArg.eval_context:
            args = (__self.eval_ctx, *args)
        elif mark is not None:
            return super().call(__obj, *args, **kwargs)
        if kwargs:
            kwargs.pop("_block_vars", None)
            kwargs.pop("_loop_vars", None)
        try:
            return __obj(*args, **kwargs)
        except StopIteration:
            return __self.environment.undefined(
                "value was undefined because a callable raised a StopIteration exception")


class PageEnvironment(Environment):
    context_class = PageContext

    def make_globals(self, d):
        return {**self.globals, **(d or {})}

    def getattr(self, obj, attribute):
        if type(obj) is dict:
            if attribute not in _DICT_ATTRIBUTES:
                try:
                    return obj[attribute]
                except KeyError:
                    return self.undefined(obj=obj, name=attribute)
        else:  # an object's attribute (a filter's option): asked here, not a call deeper
            try:
                return getattr(obj, attribute)
            except AttributeError:
                pass
        return super().getattr(obj, attribute)


def init_app(app) -> None:
    """Call before anything reads ``app.jinja_env`` (it is made on first use)."""
    app.jinja_environment = PageEnvironment
