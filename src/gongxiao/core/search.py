"""One search box across every ledger the user may see (issue 14, item 8): the words are
looked for in each ledger's declared `search_fields` (titles, descriptions, names, codes; never
a masked personal field), among the rows the scoping layer gives the user, and the hits come
back grouped by ledger, a few from each with a link to all of them in the ledger's own list.

The test is `icontains` (alike on SQLite and PostgreSQL, for Chinese too: no word splitting, a
two-character word is found inside any text), read through the bigram index of
core/textsearch.py where the ledger has one, so the rows are the same and a million of them are
not scanned for each ledger."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from gongxiao.core import scoping, textsearch
from gongxiao.core.ledgers import all_ledgers

MIN_LENGTH = 2  # one character matches nearly everything
MAX_LENGTH = 100
PER_LEDGER = 10


@dataclass
class Hit:
    obj: object
    title: str
    url: str
    # The field the words were found in, and its text (shortened around them).
    where: str = ""
    snippet: str = ""


@dataclass
class Group:
    ledger: object
    hits: list[Hit] = field(default_factory=list)
    more: bool = False
    list_url: str = ""


def _snippet(text: str, words: str, width: int = 60) -> str:
    at = text.lower().find(words.lower())
    if at < 0:
        return text[:width] + ("…" if len(text) > width else "")
    start = max(0, at - width // 3)
    end = min(len(text), start + width)
    return ("…" if start else "") + text[start:end] + ("…" if end < len(text) else "")


def _value(obj, path: str):
    """A search field's value on a row, following a path through related rows."""
    for part in path.split("__"):
        obj = getattr(obj, part, None)
        if obj is None:
            return ""
    return obj


def search(user, words: str, *, per_ledger: int = PER_LEDGER) -> list[Group]:
    """The rows of each ledger `user` may see whose search fields hold `words`."""
    words = words.strip()
    groups = []
    for ledger in all_ledgers():
        names = [n for n in ledger.search_fields if n not in ledger.pii_fields]
        if not names or not scoping.can_any(user, ledger.module, "view"):
            continue
        if textsearch.nothing_matches(ledger.model, names, words):
            continue  # the index says no row holds the words: no query to build
        qs = textsearch.filter_words(
            ledger.queryset_for(user, "view", ledger.list_fields[:1]), names, words
        )
        rows = list(qs.order_by("-pk")[: per_ledger + 1])
        if not rows:
            continue
        group = Group(
            ledger=ledger,
            more=len(rows) > per_ledger,
            list_url=reverse(
                "ledger-list", kwargs={"app_label": ledger.app_label, "slug": ledger.slug}
            )
            + "?"
            + urlencode({"q": words}),
        )
        for obj in rows[:per_ledger]:
            title = (
                ledger.display_value(obj, ledger.list_fields[0], user) if ledger.list_fields else ""
            )
            hit = Hit(
                obj=obj,
                title=str(title or obj),
                url=reverse(
                    "ledger-detail",
                    kwargs={"app_label": ledger.app_label, "slug": ledger.slug, "pk": obj.pk},
                ),
            )
            for name in names:
                text = str(_value(obj, name) or "")
                if words.lower() in text.lower():
                    hit.where = ledger.label(name.split("__")[0])
                    hit.snippet = _snippet(text, words)
                    break
            group.hits.append(hit)
        groups.append(group)
    return groups


@login_required
def search_page(request):
    words = request.GET.get("q", "").strip()[:MAX_LENGTH]
    error, groups = "", []
    if words and len(words) < MIN_LENGTH:
        error = _("Type at least %(n)s characters to search.") % {"n": MIN_LENGTH}
    elif words:
        groups = search(request.user, words)
    return render(
        request,
        "core/search.html",
        {"words": words, "error": error, "groups": groups, "searched": bool(words and not error)},
    )
