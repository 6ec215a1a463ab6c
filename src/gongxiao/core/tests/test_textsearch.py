"""The bigram search index (core/textsearch.py, issue 21 item 5): the indexed search gives the
very rows `icontains` gives (mixed Chinese and ASCII, one-, two- and longer words, case, the
LIKE wildcards), keeps giving them while rows are written, and never a row out of scope."""

from __future__ import annotations

import pytest
from django.db import connection
from rest_framework.test import APIClient

from gongxiao.core import search, textsearch
from gongxiao.core.ledgers import all_ledgers, get_ledger
from gongxiao.org.roles import Role
from gongxiao.org.tests.factories import user_with
from gongxiao.rectification.models import RectificationItem
from gongxiao.rectification.tests.factories import ItemFactory

ITEMS = get_ledger("rectification", "items")
FIELDS = ITEMS.search_fields

TEXTS = [
    ("仓库消防ABC通道堵塞", "消防检查发现问题", "安全科"),
    ("固定资产处置不规范", "资产Abc台账缺失", ""),
    ("合同管理台账缺失", "", "财务科"),
    ("整改不到位", "限期整改", "纪检组"),
    ("Été 检查 abc", "50%_完成\\率", "Office"),
    ("x", "消", "防"),  # one character each: no pair crosses the fields
    ("资产", "", ""),
]
WORDS = [
    # one character
    "消",
    "a",
    "C",
    # two characters: Chinese, ASCII in every case, mixed
    "消防",
    "资产",
    "台账",
    "ab",
    "AB",
    "aB",
    "c通",
    "C通",
    "消防",
    "防检",
    "x消",  # across two fields: no row holds it
    # longer
    "消防ABC",
    "消防abc",
    "资产abc台账",
    "合同管理台账缺失",
    "不存在的词",
    "整改",
    # case beyond ASCII (icontains folds it on PostgreSQL, not on SQLite: the same either way)
    "été",
    "ÉTÉ",
    # LIKE's own characters, spaces
    "%_",
    "0%",
    "_完",
    "\\率",
    " 检查",
    "检查 ",
]


@pytest.fixture
def rows(federation):
    made = []
    for unit in (federation.a1, federation.a2, federation.b1):
        for title, description, department in TEXTS:
            made.append(
                ItemFactory(
                    unit=unit, title=title, description=description, lead_department=department
                )
            )
    return made


def _icontains(words):
    return set(
        RectificationItem.objects.filter(textsearch.icontains_q(FIELDS, words)).values_list(
            "pk", flat=True
        )
    )


def _indexed(words, qs=None):
    qs = RectificationItem.objects.all() if qs is None else qs
    return set(textsearch.filter_words(qs, FIELDS, words).values_list("pk", flat=True))


def test_the_rectification_ledger_and_plain_text_ledgers_are_indexed():
    assert textsearch.spec_for(RectificationItem, FIELDS) is not None
    for ledger in all_ledgers():
        through_relation = any("__" in n for n in ledger.search_fields)
        if through_relation:  # these stay on icontains alone
            assert textsearch.spec_for(ledger.model, ledger.search_fields) is None


@pytest.mark.parametrize("words", WORDS)
def test_the_index_gives_the_rows_icontains_gives(rows, words):
    if len(words) >= 2:
        assert textsearch.plan(RectificationItem.objects.all(), FIELDS, words) == "index"
    assert _indexed(words) == _icontains(words)
    if textsearch.nothing_matches(RectificationItem, FIELDS, words):
        assert not _icontains(words)  # the cross-module search skips the ledger then


def test_nothing_matches_only_when_no_row_holds_the_words(rows):
    for words in ("不存在的词", "x消"):
        assert textsearch.nothing_matches(RectificationItem, FIELDS, words)
    for words in ("消防", "ab", "消"):
        assert not textsearch.nothing_matches(RectificationItem, FIELDS, words)
    # A row written since the index was brought up to date counts (SQLite's queue).
    ItemFactory(unit=rows[0].unit, title="刚写入不存在的词")
    assert not textsearch.nothing_matches(RectificationItem, FIELDS, "不存在的词")


def test_some_words_find_rows_and_the_pairs_never_cross_fields(rows):
    assert len(_icontains("消防")) == 3 and len(_indexed("消防")) == 3
    assert _indexed("x消") == set()  # "x" and "消" are in two fields of the same rows
    assert len(_indexed("ab")) == 9  # ABC, Abc, abc: ASCII letters fold on both databases


def test_the_scan_is_taken_for_a_common_word_and_gives_the_same_rows(rows, monkeypatch):
    monkeypatch.setattr(textsearch, "THRESHOLD", 2)
    if connection.vendor == "postgresql":  # the planner's statistics say how common a pair is
        monkeypatch.setattr(textsearch, "_pg_estimate", lambda *a: 6.0)
    assert textsearch.plan(RectificationItem.objects.all(), FIELDS, "消防") == "scan"
    for words in WORDS:
        assert _indexed(words) == _icontains(words)


def test_rows_written_since_are_found_and_rows_changed_away_are_not(rows):
    first = rows[0]
    RectificationItem.objects.filter(pk=first.pk).update(title="新写入的标题")  # no kit path
    added = ItemFactory(unit=first.unit, title="另一条新写入")
    gone = rows[1]
    RectificationItem.objects.filter(pk=gone.pk).delete()
    for words in ("新写", "写入", "消防", "资产", "仓库"):
        assert _indexed(words) == _icontains(words)
    assert added.pk in _indexed("新写入") and first.pk in _indexed("新写入")
    assert first.pk not in _indexed("仓库")
    # Worked off into the index, the answers stay the same (SQLite's queue; nothing to do on
    # PostgreSQL, whose expression index the database keeps).
    textsearch.flush_all()
    if connection.vendor == "sqlite":
        with connection.cursor() as c:
            c.execute(f"SELECT count(*) FROM {textsearch.DIRTY}")  # noqa: S608
            assert c.fetchone()[0] == 0
    for words in ("新写", "写入", "消防", "资产", "仓库"):
        assert _indexed(words) == _icontains(words)


def test_a_rebuild_keeps_the_answers(rows):
    built = textsearch.sync(rebuild=True)
    assert "rectification_rectificationitem" in built
    assert textsearch.sync() == []  # nothing missing afterwards
    for words in WORDS:
        assert _indexed(words) == _icontains(words)


def test_out_of_scope_rows_never_come_back(rows, federation):
    county = user_with(Role.LEADER, federation.county_a)
    in_reach = set(ITEMS.queryset_for(county).values_list("pk", flat=True))
    theirs = {r.pk for r in rows if r.unit_id == federation.b1.pk}
    assert theirs and not theirs & in_reach
    api = APIClient()
    api.force_authenticate(county)
    for words in ("消防", "资产", "ab", "消防abc", "整改"):
        expected = _icontains(words) & in_reach
        assert expected
        scoped = ITEMS.queryset_for(county)
        assert _indexed(words, scoped) == expected
        listed = api.get("/api/rectification/items/", {"q": words}).json()
        assert {r["id"] for r in listed["results"]} == expected
        assert listed["count"] == len(expected)
        hits = {
            h.obj.pk
            for g in search.search(county, words, per_ledger=100)
            if g.ledger is ITEMS
            for h in g.hits
        }
        assert hits == expected


def test_the_list_page_search_is_the_indexed_one(rows, federation, client):
    client.force_login(user_with(Role.LEADER, federation.county_a))
    html = client.get("/ledgers/rectification/items/", {"q": "资产abc"}).content.decode()
    assert html.count("固定资产处置不规范") == 2  # a1 and a2, not b1


def test_the_command_works_off_the_queue_and_rebuilds(rows):
    import io

    from django.core.management import call_command

    RectificationItem.objects.filter(pk=rows[0].pk).update(title="命令写入的标题")  # queued
    out = io.StringIO()
    call_command("search_index", stdout=out)
    assert "indexes built" in out.getvalue()
    if connection.vendor == "sqlite":
        assert "1 queued rows indexed" in out.getvalue()
    assert _indexed("命令") == _icontains("命令") == {rows[0].pk}
    out = io.StringIO()
    call_command("search_index", "--rebuild", stdout=out)
    assert "0 indexes built" not in out.getvalue()  # every index built again
    assert _indexed("命令") == {rows[0].pk}
    assert textsearch.daily() is not None  # the daily job: the same work, idempotent
    assert _indexed("命令") == {rows[0].pk}
