"""HSDS ids: UUID v5 of the site's namespace and a stable name, so an id never changes.

Every HSDS object needs a UUID. Ours are derived, never stored: ``uuid5(namespace,
"<kind>:<key>")`` where the namespace is ``hsds_namespace`` in ``site.yaml`` and the key is
the listing's slug (``service:harbour-youth-drop-in``), or the slugs of what an object links
(``service_at_location:harbour-youth-drop-in/harbour-main``). The same data gives the same ids
in every build, so a 211 that pulls the export nightly sees the same records change in place.
``Ids.slug_of`` answers the other way for the kinds the API looks up.
"""

from __future__ import annotations

import hashlib
import uuid

# Used only when site.yaml sets no hsds_namespace; a site should set its own (README).
DEFAULT_NAMESPACE = uuid.UUID("9d2c4b8e-7f4e-5d5c-9a8e-3c1f0b6a2e71")
# The kinds the API finds by id, with the slug the site uses in its own URLs.
LOOKUP_KINDS = ("service", "organization", "location", "taxonomy", "taxonomy_term",
                "service_at_location")


def namespace_of(site: dict) -> uuid.UUID:
    value = site.get("hsds_namespace")
    return uuid.UUID(str(value)) if value else DEFAULT_NAMESPACE


class Ids:
    """Deterministic HSDS ids for one site."""

    def __init__(self, namespace: uuid.UUID):
        self.namespace = namespace
        self._prefix = hashlib.sha1(namespace.bytes)  # the part every id's hash starts with
        self._cache: dict[tuple[str, str], str] = {}

    def of(self, kind: str, *key: object) -> str:
        """The UUID of the ``kind`` object named by ``key`` (slugs, then positions)."""
        name = key[0] if len(key) == 1 and type(key[0]) is str else "/".join(map(str, key))
        if kind not in _LOOKUP:  # made once per export: a cache would only grow
            return self._uuid5(f"{kind}:{name}")
        found = self._cache.get((kind, name))
        if found is None:
            found = self._cache[(kind, name)] = self._uuid5(f"{kind}:{name}")
        return found

    def _uuid5(self, name: str) -> str:
        """``str(uuid.uuid5(namespace, name))``, without building UUID objects: an export
        makes about twenty ids per service."""
        digest = self._prefix.copy()
        digest.update(name.encode())
        text = digest.hexdigest()
        # The version (5) and the RFC 4122 variant (10xx) written over their hex digits.
        return (f"{text[:8]}-{text[8:12]}-5{text[13:16]}-{_VARIANT[text[16]]}{text[17:20]}-"
                f"{text[20:32]}")


_LOOKUP = frozenset(LOOKUP_KINDS)
_VARIANT = {digit: "89ab"[int(digit, 16) & 3] for digit in "0123456789abcdef"}


def is_uuid(value: str) -> bool:
    try:
        return str(uuid.UUID(value)) == value.lower()
    except ValueError:
        return False
