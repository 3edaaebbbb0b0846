"""Pages sent compressed to the browsers that accept it (all of them): a result page of
~22 KB of HTML is ~5 KB in gzip, a quarter of the wait on a slow phone connection.

Kept pages (``pagecache``) are held compressed, so the same memory keeps four times as many;
a client that does not accept gzip gets them unpacked. The fastest level is enough: HTML
compresses well at any level, and a page is packed once, when first made (~0.15 ms).
Compression next to text a person typed can leak a secret held on the same page (BREACH);
public pages hold none (no cookies, sessions or tokens: ``privacy``).
"""

from __future__ import annotations

import gzip

from flask import request

LEVEL = 1
PACKED_TYPES = ("text/html", "application/json")  # PDFs are compressed already


def worth_packing(mimetype: str) -> bool:
    return mimetype in PACKED_TYPES


def pack(body: bytes) -> bytes:
    return gzip.compress(body, compresslevel=LEVEL, mtime=0)


def unpack(body: bytes) -> bytes:
    return gzip.decompress(body)


def accepted() -> bool:
    """Whether this request's client takes gzip (``Accept-Encoding``, q=0 refusing it)."""
    return request.accept_encodings.quality("gzip") > 0


def send_packed(response, packed: bytes) -> None:
    """The response's body as ``packed`` (gzip), saying so."""
    response.set_data(packed)
    response.headers["Content-Encoding"] = "gzip"
