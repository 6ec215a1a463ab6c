"""The built-in report skeletons, after the seed reports: yearly 全面从严治党（治社） report,
half-year party-building summary, yearly work summary and next-year plan, special-campaign
report. They are documents in Chinese, so they live as data (skeletons/*.json): a title, an
addressee and sections of [level, heading, text with placeholders]."""

import json
from functools import cache
from pathlib import Path

from .models import Kind

FOLDER = Path(__file__).parent / "skeletons"


@cache
def skeleton(kind: str) -> dict:
    if kind == Kind.BLANK:
        return {"kind": kind, "title": "", "addressee": "", "sections": []}
    return json.loads((FOLDER / f"{kind}.json").read_text(encoding="utf-8"))


def all_skeletons() -> list[dict]:
    return [skeleton(k) for k in Kind.values]
