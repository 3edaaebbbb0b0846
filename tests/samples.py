"""The sample organization and helpers that the data tests share (validate, checks, hours)."""

from __future__ import annotations

import datetime as dt
import textwrap
from pathlib import Path

from directory.build.pipeline import check
from tests.conftest import FIXTURE_DAY

ORG = """\
id: sample-org
name: Sample Org
locations:
  - id: sample-place
    address: {address_1: 1 Main St, city: Testville, postal_code: "60607"}
    latitude: 41.88
    longitude: -87.64
services:
  - id: sample-service
    name: Sample counselling
    categories: [counselling]
    at: [sample-place]
    phones: [{number: "+1 312 555 0150", type: voice}]
    last_verified: 2026-10-01
"""


def messages(data_dir: Path, errors_only: bool = True,
             today: dt.date = FIXTURE_DAY) -> list[str]:
    """What ``directory validate`` prints (errors, or warnings too), with ``data/`` paths;
    checked on the fixture's day (before its listings go stale) unless ``today`` says."""
    _, report, _ = check(data_dir, today)
    found = [p for p in report.sorted() if p.is_error or not errors_only]
    return [str(p).replace(str(data_dir), "data") for p in found]


def write_org(data_dir: Path, text: str, name: str = "sample-org") -> None:
    (data_dir / "organizations" / f"{name}.yaml").write_text(textwrap.dedent(text))
