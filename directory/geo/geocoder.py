"""The geocoder's settings in ``site.yaml`` and connecting to it through geopy.

The ``geocoder`` block names a geopy provider and its options; each option is checked
against the provider's own signature so a typo is a validation error with file and line,
not a failed lookup at build time. ``connect`` makes a rate-limited geocoder from them.
"""

from __future__ import annotations

import difflib
import inspect
from collections.abc import Callable
from dataclasses import dataclass

from ..records.fields import At, is_mapping, show
from ..records.problems import Report

DEFAULT_PROVIDER = "nominatim"
DEFAULT_DELAY = 1.0  # seconds between requests: Nominatim's usage policy
OWN_OPTIONS = ("provider", "min_delay_seconds")  # ours; everything else goes to geopy
# geopy is imported where a geocoder is named or made, not with this module: its geocoders
# and their HTTP stack (~15 MB) would otherwise load into every web worker, which checks
# request parameters with the data schema (that imports this module) but never geocodes.


def check_settings(value, at: At, report: Report) -> dict | None:
    """The ``geocoder`` block of site.yaml: a geopy provider by name and its options.

    Every option is checked against the provider's own signature, and the provider is
    constructed once (no request is made) so its own configuration errors show up here.
    """
    if not is_mapping(value, at, report, "a mapping",
                      "expected e.g. {provider: nominatim, user_agent: my-directory}"):
        return None
    from geopy.exc import ConfigurationError, GeocoderNotFound
    from geopy.geocoders import SERVICE_TO_GEOCODER, get_geocoder_for_service

    line_of = getattr(value, "line_of", lambda key: at.line)
    provider = str(value.get("provider") or DEFAULT_PROVIDER).strip().lower()
    try:
        cls = get_geocoder_for_service(provider)
    except GeocoderNotFound:
        close = difflib.get_close_matches(provider, list(SERVICE_TO_GEOCODER), n=1)
        hint = f'; did you mean "{close[0]}"?' if close else \
            f" (geopy knows: {', '.join(sorted(SERVICE_TO_GEOCODER))})"
        report.error(at.file, line_of("provider"), f"{at.path}.provider",
                     f"{show(value.get('provider'))} is not a geocoder geopy knows{hint}")
        return None
    delay = value.get("min_delay_seconds", DEFAULT_DELAY)
    if isinstance(delay, bool) or not isinstance(delay, int | float) or not 0 <= delay <= 60:
        report.error(at.file, line_of("min_delay_seconds"), f"{at.path}.min_delay_seconds",
                     f"{show(delay)} is not a number of seconds (expected 0 to 60, e.g. 1)")
        return None
    options = {k: v for k, v in value.items() if k not in OWN_OPTIONS}
    if not _check_options(cls, provider, options, at, line_of, report):
        return None
    try:
        cls(**options)
    except (ConfigurationError, TypeError, ValueError) as error:
        report.error(at.file, at.line, at.path, f"geopy's {cls.__name__} refused these "
                     f"settings: {str(error).split('. ')[0]}")
        return None
    return {"provider": provider, "min_delay_seconds": float(delay), **options}


def _check_options(cls, provider: str, options: dict, at: At, line_of, report: Report) -> bool:
    parameters = {name: p for name, p in inspect.signature(cls.__init__).parameters.items()
                  if name != "self" and p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD)}
    ok = True
    for name in options:
        if name not in parameters:
            close = difflib.get_close_matches(str(name), list(parameters), n=1)
            hint = f'did you mean "{close[0]}"?' if close else \
                f"{cls.__name__} takes: {', '.join([*OWN_OPTIONS, *parameters])}"
            report.error(at.file, line_of(name), f"{at.path}.{name}",
                         f"is not an option of geopy's {cls.__name__}; {hint}")
            ok = False
    required = [name for name, p in parameters.items() if p.default is p.empty]
    if provider == "nominatim":
        required.append("user_agent")  # its usage policy: say who is asking
    for name in required:
        if not options.get(name):
            report.error(at.file, at.line, f"{at.path}.{name}",
                         f"is missing; geopy's {cls.__name__} needs it "
                         f"(e.g. {name}: {'my-directory' if name == 'user_agent' else '...'})")
            ok = False
    return ok


@dataclass
class RateLimited:
    """A geopy geocoder whose ``geocode`` waits ``min_delay_seconds`` between requests."""

    provider: str
    geocode: Callable


def connect(settings: dict | None) -> RateLimited:
    """The geocoder site.yaml asks for, rate limited. Makes no request until used."""
    from geopy.extra.rate_limiter import RateLimiter
    from geopy.geocoders import get_geocoder_for_service

    settings = dict(settings or {"provider": DEFAULT_PROVIDER})
    provider = settings.pop("provider", DEFAULT_PROVIDER)
    delay = settings.pop("min_delay_seconds", DEFAULT_DELAY)
    geocoder = get_geocoder_for_service(provider)(**settings)
    return RateLimited(provider, RateLimiter(
        geocoder.geocode, min_delay_seconds=delay, max_retries=1, error_wait_seconds=2.0,
        swallow_exceptions=False))
