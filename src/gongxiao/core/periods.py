"""Periods as users write them: 2022, 2022H1, 2022Q3, 2022-07, and as the interface prints them:
2022年, 2022年上半年, 2022年第三季度 (第3季度, 三季度), 2022年7月."""

from __future__ import annotations

import calendar
import datetime
import re
from dataclasses import dataclass

from django.utils.translation import gettext as _

_RE = re.compile(r"^(?P<y>\d{4})(?:(?P<h>H[12])|(?P<q>Q[1-4])|-(?P<m>\d{2}))?$")
# The forms the interface prints (Period.label in Chinese), and their spoken variants.
_ZH = re.compile(
    r"^(?P<y>\d{4})\s*年?\s*(?:(?P<h>[上下])半年|第?\s*(?P<q>[1-4一二三四])\s*季度?"
    r"|(?P<m>\d{1,2})\s*月(?:份)?)?(?:度)?$"
)
# The English labels: Year 2022, 2022 first half, 2022 Q3 (upper-cased by then).
_EN = [
    (re.compile(r"^YEAR (\d{4})$"), r"\1"),
    (re.compile(r"^(\d{4}) FIRST HALF$"), r"\1H1"),
    (re.compile(r"^(\d{4}) SECOND HALF$"), r"\1H2"),
    (re.compile(r"^(\d{4}) ?Q([1-4])$"), r"\1Q\2"),
]
_ZH_DIGITS = {"一": "1", "二": "2", "三": "3", "四": "4"}


def _normalise(code: str) -> str:
    """2022年第三季度 → 2022Q3, 2022年7月 → 2022-07, 2022年 → 2022; other text unchanged."""
    code = " ".join(code.replace("\u3000", " ").split())
    for pattern, repl in _EN:
        if pattern.match(code):
            return pattern.sub(repl, code)
    code = code.replace(" ", "")
    m = _ZH.match(code)
    if not m or (code.isdigit() and len(code) == 4):
        return code
    if m["h"]:
        return f"{m['y']}H{1 if m['h'] == '上' else 2}"
    if m["q"]:
        return f"{m['y']}Q{_ZH_DIGITS.get(m['q'], m['q'])}"
    if m["m"]:
        return f"{m['y']}-{int(m['m']):02d}"
    return m["y"]


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
    typed = (code or "").strip()
    code = _normalise(typed.upper())
    m = _RE.match(code)
    if not m:
        raise ValueError(
            _(
                "“%(code)s” is not a period; write 2022 (2022年), 2022H1 (2022年上半年), "
                "2022Q3 (2022年第三季度) or 2022-07 (2022年7月)."
            )
            % {"code": typed}
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
                _(
                    "“%(code)s” is not a period; write 2022 (2022年), 2022H1 (2022年上半年), "
                    "2022Q3 (2022年第三季度) or 2022-07 (2022年7月)."
                )
                % {"code": code}
            )
    else:
        first, last = 1, 12
    start = datetime.date(y, first, 1)
    end = datetime.date(y, last, calendar.monthrange(y, last)[1])
    return Period(code=code, start=start, end=end)


def period_choices(
    today: datetime.date | None = None, years: int = 3, first_year: int | None = None
) -> list[Period]:
    """The periods the selector offers: every year from this one back to `first_year` (the
    earliest year that holds data), at least the last `years`, each with its halves and
    quarters."""
    today = today or datetime.date.today()
    last = today.year - years + 1
    if first_year is not None:
        last = max(1949, min(last, first_year))
    out = []
    for y in range(today.year, last - 1, -1):
        out.append(parse_period(str(y)))
        out += [parse_period(f"{y}H{h}") for h in (1, 2)]
        out += [parse_period(f"{y}Q{q}") for q in (1, 2, 3, 4)]
    return out
