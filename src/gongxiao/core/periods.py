"""Periods as users write them: 2022, 2022H1, 2022Q3, 2022-07."""

from __future__ import annotations

import calendar
import datetime
import re
from dataclasses import dataclass

from django.utils.translation import gettext as _

_RE = re.compile(r"^(?P<y>\d{4})(?:(?P<h>H[12])|(?P<q>Q[1-4])|-(?P<m>\d{2}))?$")


@dataclass(frozen=True)
class Period:
    code: str
    start: datetime.date
    end: datetime.date  # inclusive

    def __str__(self):
        return self.label

    @property
    def label(self) -> str:
        m = _RE.match(self.code)
        y = m["y"]
        if m["h"]:
            return (
                _("%(y)s first half") % {"y": y}
                if m["h"] == "H1"
                else _("%(y)s second half") % {"y": y}
            )
        if m["q"]:
            return _("%(y)s Q%(q)s") % {"y": y, "q": m["q"][1]}
        if m["m"]:
            return _("%(y)s-%(m)s") % {"y": y, "m": int(m["m"])}
        return _("Year %(y)s") % {"y": y}

    def previous_year(self) -> Period:
        m = _RE.match(self.code)
        return _build(f"{int(m['y']) - 1:04d}{self.code[4:]}")


def parse_period(code: str) -> Period:
    """A period as a user writes it, or ValueError with a message to show."""
    code = (code or "").strip().upper()
    m = _RE.match(code)
    if not m:
        raise ValueError(
            _("“%(code)s” is not a period; write 2022, 2022H1, 2022Q3 or 2022-07.") % {"code": code}
        )
    if not 1949 <= int(m["y"]) <= 2100:
        raise ValueError(_("The year of a period must be between 1949 and 2100."))
    return _build(code)


def _build(code: str) -> Period:
    m = _RE.match(code)
    y = int(m["y"])
    if m["h"]:
        first = 1 if m["h"] == "H1" else 7
        last = first + 5
    elif m["q"]:
        first = (int(m["q"][1]) - 1) * 3 + 1
        last = first + 2
    elif m["m"]:
        first = last = int(m["m"])
        if not 1 <= first <= 12:
            raise ValueError(
                _("“%(code)s” is not a period; write 2022, 2022H1, 2022Q3 or 2022-07.")
                % {"code": code}
            )
    else:
        first, last = 1, 12
    start = datetime.date(y, first, 1)
    end = datetime.date(y, last, calendar.monthrange(y, last)[1])
    return Period(code=code, start=start, end=end)


def period_choices(today: datetime.date | None = None, years: int = 3) -> list[Period]:
    today = today or datetime.date.today()
    out = []
    for y in range(today.year, today.year - years, -1):
        out.append(parse_period(str(y)))
        out += [parse_period(f"{y}H{h}") for h in (1, 2)]
        out += [parse_period(f"{y}Q{q}") for q in (1, 2, 3, 4)]
    return out
