"""Chain heads kept outside the rows they cover.

Each seal, once committed, appends one JSON line to the anchors file named by
`settings.GONGXIAO_SEAL_ANCHORS` (by default <data dir>/seal-anchors.jsonl):
{"unit": id, "count": position, "digest": hex, "sealed_at": ISO, "written_at": ISO}. The file
is only ever appended to; `gongxiao verify-seals` compares the chain in the database with it
(and, with --anchors, with a copy sent to the supervising body). The same heads (count and last
digest per unit) are printed on the minutes and on the filing lists."""

from __future__ import annotations

import datetime
import json
import logging
import os
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _

log = logging.getLogger(__name__)


def default_path() -> Path:
    return Path(settings.GONGXIAO_SEAL_ANCHORS)


def _utc(at) -> str:
    return at.astimezone(datetime.UTC).isoformat()


def line(*, unit_id: int, count: int, digest: str, sealed_at) -> dict:
    return {
        "unit": unit_id,
        "count": count,
        "digest": digest,
        "sealed_at": _utc(sealed_at),
        "written_at": _utc(datetime.datetime.now(datetime.UTC).replace(microsecond=0)),
    }


def append(lines: list[dict], path: Path | None = None) -> None:
    """Append whole lines, flushed to disk; O_APPEND keeps concurrent writers' lines whole."""
    path = Path(path or default_path())
    path.parent.mkdir(parents=True, exist_ok=True)
    data = "".join(
        json.dumps(x, ensure_ascii=False, sort_keys=True, separators=(",", ":")) + "\n"
        for x in lines
    ).encode()
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o640)
    try:
        os.write(fd, data)
        os.fsync(fd)
    finally:
        os.close(fd)


def anchor_seal(seal) -> None:
    """Called once the seal is committed. A failed write does not undo the seal: it is logged,
    and verify-seals counts the seal as not yet anchored."""
    try:
        append(
            [
                line(
                    unit_id=seal.unit_id,
                    count=seal.position,
                    digest=seal.digest,
                    sealed_at=seal.sealed_at,
                )
            ]
        )
    except OSError:
        log.exception("Could not append the anchor of seal %s to %s", seal.pk, default_path())


def after_commit(seal) -> None:
    """Anchor the seal once its transaction commits (tests that run inside one transaction
    replace this with `anchor_seal`, as if each seal had been committed)."""
    transaction.on_commit(lambda: anchor_seal(seal))


@dataclass
class Anchors:
    """What an anchors file says: per unit, the digest at each anchored count."""

    path: Path
    exists: bool = True
    by_unit: dict[int, dict[int, str]] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)  # unreadable or self-contradicting lines

    def head(self, unit_id: int) -> tuple[int, str] | None:
        counts = self.by_unit.get(unit_id)
        if not counts:
            return None
        last = max(counts)
        return last, counts[last]


def read(path: Path | None = None) -> Anchors:
    path = Path(path or default_path())
    result = Anchors(path=path)
    if not path.exists():
        result.exists = False
        return result
    with path.open(encoding="utf-8") as fh:
        for number, text in enumerate(fh, start=1):
            if not text.strip():
                continue
            try:
                item = json.loads(text)
                unit, count, digest = int(item["unit"]), int(item["count"]), str(item["digest"])
            except (ValueError, KeyError, TypeError):
                result.errors.append(_("line %(n)s is unreadable") % {"n": number})
                continue
            known = result.by_unit.setdefault(unit, {})
            if known.get(count, digest) != digest:
                result.errors.append(
                    _("line %(n)s gives unit %(u)s seal #%(c)s a second, different digest")
                    % {"n": number, "u": unit, "c": count}
                )
                continue
            known[count] = digest
    return result


def heads(unit_ids=None) -> list[dict]:
    """The chain head of each unit in the database: count of seals and the last digest."""
    from .models import Seal

    qs = Seal.objects.all()
    if unit_ids is not None:
        qs = qs.filter(unit_id__in=list(unit_ids))
    tops = qs.values("unit_id").annotate(last=Max("position"))
    out = []
    for top in tops.order_by("unit_id"):
        last = (
            Seal.objects.filter(unit_id=top["unit_id"], position=top["last"])
            .select_related("unit")
            .first()
        )
        out.append(
            {
                "unit": last.unit,
                "count": last.position,
                "digest": last.digest,
                "sealed_at": last.sealed_at,
            }
        )
    return out
