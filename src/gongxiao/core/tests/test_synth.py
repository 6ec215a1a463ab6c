"""`gongxiao synth`: province-scale data in bulk, the same for the same seed, with a valid tree."""

import pytest
from django.core.management import CommandError, call_command
from django.db import transaction

from gongxiao.core import synth
from gongxiao.org.models import Unit
from gongxiao.rectification.models import RectificationItem
from gongxiao.supervision.models import Talk


class _Undo(Exception):
    pass


def _signature():
    items = RectificationItem.objects.order_by("title").values_list(
        "unit__code", "title", "found_date", "status", "deadline"
    )
    talks = Talk.objects.order_by("pk").values_list("unit__code", "date", "kind")
    return list(items), list(talks)


def _build(**kw):
    return synth.build(rows=400, cities=2, counties=3, grassroots=2, seed=7, **kw)


def test_the_province_tree_rows_and_users(db):
    result = _build()
    assert result.counts["units"] == 1 + 2 + 3 + 3 * 2
    rows = ["rectification items", "talks", "asset rows", "input sales lines", "trusteeships"]
    rows += ["service operations", "party activities", "guarantees", "loans arranged"]
    assert sum(result.counts[k] for k in rows) == 400
    assert RectificationItem.objects.count() == result.counts["rectification items"]
    province = Unit.objects.get(code=synth.PROVINCE_CODE)
    for unit in Unit.objects.filter(path__startswith=province.path):
        # Paths made in bulk are the paths Unit.save would have made.
        assert unit.path == unit._computed_path()
        assert unit.depth == unit.path.count("/") - 1
    assert Unit.objects.filter(path__startswith=province.path).count() == 12
    # Every state is there, and rows spread over both years.
    assert set(RectificationItem.objects.values_list("status", flat=True)) >= {"open", "closed"}
    years = {d.year for d in RectificationItem.objects.values_list("found_date", flat=True)}
    assert years == {2024, 2025}
    assert synth.exists()


def test_the_same_seed_gives_the_same_data(db):
    try:
        with transaction.atomic():
            _build()
            first = _signature()
            raise _Undo
    except _Undo:
        pass
    assert not synth.exists()
    _build()
    assert _signature() == first


def test_the_command_refuses_a_second_province(db):
    call_command("synth", rows=50, counties=1, cities=1, grassroots=1, verbosity=0)
    with pytest.raises(CommandError):
        call_command("synth", rows=50, counties=1, cities=1, grassroots=1, verbosity=0)


def test_the_data_is_the_data_it_always_was(db):
    """Pinned: the rows each app's synth.py builds are the rows core/synth.py built before the
    parts moved to the apps (same seed, same draws, same order), so benchmark runs compare.
    Re-pinned when agri's synth.py took its share (rectification items are the rest, so fewer)."""
    import hashlib

    result = _build()
    items = RectificationItem.objects.order_by("title").values_list(
        "unit__code", "title", "found_date", "status", "deadline", "source", "category", "closed_on"
    )
    talks = Talk.objects.order_by("pk").values_list(
        "unit__code", "date", "kind", "talker__name", "political", "integrity", "work"
    )
    signature = repr((list(items), list(talks), result.counts)).encode()
    assert hashlib.sha256(signature).hexdigest() == (
        # Re-pinned when the assets (2%), agri (5%) and party (3%) synth shares came in, and
        # again for credit's (2%), and when one rectification item in 2,000 got the search
        # benchmark's rare word in its title (no draw added: only those titles differ).
        "40b13ecd739f3e54ce76edc0b3e400a340f755ae25deb702f20108dafba02901"
    )
    assert [m.__name__ for m in synth.synth_modules()] == [
        "gongxiao.rectification.synth",
        "gongxiao.supervision.synth",
        "gongxiao.assets.synth",
        "gongxiao.agri.synth",
        "gongxiao.credit.synth",
        "gongxiao.accounting.synth",
        "gongxiao.party.synth",
    ]
