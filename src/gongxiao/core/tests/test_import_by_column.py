"""The import checked by column (issue 21, item 1) reports what the row-by-row check through
the ledger's form reports, message for message, row and column included: for a file with one
error of every kind, and for every importable ledger with each of its columns spoiled."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from gongxiao.core import excel
from gongxiao.core.ledgers import get_ledger
from gongxiao.core.models import ChangeRecord
from gongxiao.core.testing import row_factory
from gongxiao.decisions.models import Matter
from gongxiao.decisions.tests.factories import MeetingFactory
from gongxiao.org.models import Person
from gongxiao.org.roles import Role
from gongxiao.org.tests.factories import PersonFactory, user_with
from gongxiao.rectification.models import RectificationItem

from .helpers import xlsx_for
from .test_import_existing import IMPORTABLE, _importer_role

MATTERS = get_ledger("decisions", "matters")
ITEMS = get_ledger("rectification", "items")
PEOPLE = get_ledger("org", "people")


def _both(ledger, data, user):
    by_column = excel.check_import(ledger, data, user)
    by_row = excel.check_import(ledger, data, user, by_row=True)
    return by_column, by_row


def _same(by_column, by_row):
    assert by_column.as_result(limit=10_000) == by_row.as_result(limit=10_000)
    assert [o._import_row for o in by_column.objects] == [o._import_row for o in by_row.objects]


def test_every_importable_ledger_but_two_is_checked_by_column():
    """The two left on the row path need a file in a required field, which no import gives."""
    on_rows = {lg.key for lg in IMPORTABLE if excel._column_plan(lg, lg.form_class()) is None}
    assert on_rows == set()


SPOILED = ["✗无此值✗", "", "长" * 300, "2023-13-45", -5, 1.5, "abc", "是否"]


@pytest.mark.parametrize("ledger", IMPORTABLE, ids=[lg.key for lg in IMPORTABLE])
def test_each_spoiled_column_gets_the_row_paths_messages(ledger, federation):
    user = user_with(_importer_role(ledger), federation.county_a)
    row = row_factory(ledger.model)(federation.a1)
    names = ledger.import_field_names
    objs, overrides = [row, row], {}
    for name in names:
        for value in SPOILED:
            objs.append(row)
            overrides[(len(objs), name)] = value
    by_column, by_row = _both(ledger, xlsx_for(ledger, objs, overrides=overrides), user)
    assert by_row.errors, "the spoiled file passed"
    _same(by_column, by_row)


@pytest.mark.parametrize("ledger", IMPORTABLE, ids=[lg.key for lg in IMPORTABLE])
def test_a_clean_file_checks_alike_and_commits_with_history(ledger, federation):
    user = user_with(_importer_role(ledger), federation.county_a)
    kept = row_factory(ledger.model)(federation.a1)
    data = xlsx_for(ledger, [kept])
    by_column, by_row = _both(ledger, data, user)
    _same(by_column, by_row)
    assert by_column.ok and [e["pk"] for e in by_column.existing] == [kept.pk]


def test_one_error_of_every_kind(federation):
    """A file of 三重一大 matters with one error of every kind, each on its own row."""
    user = user_with(_importer_role(MATTERS), federation.county_a)
    # Seeing county B's meetings without the right to record there: the unit out of scope.
    from gongxiao.org.models import RoleAssignment

    RoleAssignment.objects.create(user=user, unit=federation.county_b, role=Role.READ_ONLY)
    meeting = MeetingFactory(unit=federation.a1, date=datetime.date(2025, 3, 1))
    sealed = MeetingFactory(unit=federation.a1, date=datetime.date(2025, 3, 2))
    sealed.sealed_at = timezone.now()
    sealed.save()
    elsewhere = MeetingFactory(unit=federation.b1, date=datetime.date(2025, 3, 3))
    Matter.objects.create(meeting=meeting, category="decision", title="已有议题")
    base = Matter(meeting=meeting, category="decision", title="议题", amount=10)

    def cells(**changes):
        obj = Matter(**{**{f: getattr(base, f) for f in ("meeting", "category", "title")}})
        obj.amount = base.amount
        for k, v in changes.items():
            setattr(obj, k, v)
        return obj

    objs = [
        cells(title="正常一"),  # 2
        cells(title="正常一"),  # 3 the same row again
        cells(title="金额错"),  # 4 amount: not a number
        cells(title="次序错"),  # 5 order: not a whole number
        cells(title="类别错"),  # 6 category: not a choice
        cells(title=""),  # 7 title missing
        cells(title="长" * 400),  # 8 title too long
        cells(title="会议错"),  # 9 meeting unknown
        cells(title="封存", meeting=sealed),  # 10 sealed meeting
        cells(title="外单位", meeting=elsewhere),  # 11 out of scope
        cells(title="负数", amount=-1),  # 12 a negative amount (the model's field)
        cells(title="是否错"),  # 13 a yes/no cell that is neither
    ]
    overrides = {
        (3, "amount"): "一百",
        (4, "order"): 1.5,
        (5, "category"): "无此类别",
        (8, "meeting"): "不存在的会议",
        (12, "legal_review"): "也许",
    }
    if "order" not in MATTERS.import_field_names:
        overrides.pop((4, "order"))
    data = xlsx_for(MATTERS, objs, overrides=overrides)
    by_column, by_row = _both(MATTERS, data, user)
    _same(by_column, by_row)
    label = {n: excel.header_label(MATTERS, n) for n in MATTERS.import_field_names}
    assert [(e["row"], e["column"]) for e in by_column.errors] == [
        (3, ""),  # the same as row 2
        (4, label["amount"]),  # not a number
        (5, label["order"]),  # not a whole number
        (6, label["category"]),  # not one of the choices
        (7, label["title"]),  # required
        (8, label["title"]),  # too long
        (9, label["meeting"]),  # no such meeting among the user's
        (10, ""),  # the meeting is sealed
        (11, ""),  # a meeting the user sees but may not record for
        (12, label["amount"]),  # below the field's minimum
        (13, label["legal_review"]),  # neither 是 nor 否
    ]
    assert by_column.errors[8]["message"] == "您无权为该单位录入数据。"


def test_rules_across_fields_and_uniqueness(federation):
    """The model's clean() (a deadline before the date found), an identical ID number twice in
    the file, and one clashing with a person kept."""
    user = user_with(_importer_role(ITEMS), federation.county_a)
    good = RectificationItem(
        unit=federation.a1,
        title="问题一",
        source="inspection",
        category="finance",
        found_date=datetime.date(2025, 3, 1),
        kind="deadline",
        deadline=datetime.date(2025, 5, 1),
    )
    late = RectificationItem(**{**_fields(good), "title": "问题二"})
    late.deadline = datetime.date(2025, 1, 1)
    bad_date = RectificationItem(**{**_fields(good), "title": "问题三"})
    data = xlsx_for(ITEMS, [good, late, bad_date], overrides={(3, "found_date"): "2025年2月30日"})
    by_column, by_row = _both(ITEMS, data, user)
    _same(by_column, by_row)
    assert [e["row"] for e in by_column.errors] == [3, 4]

    party = user_with(_importer_role(PEOPLE), federation.county_a)
    kept = PersonFactory(unit=federation.a1, name="已有")
    number = PersonFactory.build().id_number
    twice = Person(unit=federation.a1, name="甲", id_number=number)
    again = Person(unit=federation.a1, name="乙", id_number=number)
    by_column, by_row = _both(PEOPLE, xlsx_for(PEOPLE, [twice, again]), party)
    _same(by_column, by_row)
    assert [(e["row"], e["column"]) for e in by_column.errors] == [
        (3, excel.header_label(PEOPLE, "id_number"))
    ]
    clash = Person(unit=federation.a1, name="丙", id_number=kept.id_number)
    by_column, by_row = _both(PEOPLE, xlsx_for(PEOPLE, [clash]), party)
    _same(by_column, by_row)
    assert [e["row"] for e in by_column.errors] == [2], by_column.errors


def _fields(obj):
    return {
        f.name: getattr(obj, f.name)
        for f in obj._meta.concrete_fields
        if not f.primary_key and f.name not in ("created_at", "updated_at")
    }


def test_commit_writes_every_row_and_its_history(federation):
    user = user_with(_importer_role(ITEMS), federation.county_a)
    objs = [
        RectificationItem(
            unit=federation.a1,
            title=f"问题{i}",
            source="inspection",
            category="finance",
            found_date=datetime.date(2025, 3, 1),
            kind="immediate",
        )
        for i in range(30)
    ]
    check = excel.check_import(ITEMS, xlsx_for(ITEMS, objs), user)
    assert check.ok, check.errors
    assert ITEMS.importer().commit(check, user) == 30
    items = RectificationItem.objects.filter(title__startswith="问题")
    assert items.count() == 30
    # The model's clean() filled the deadline of an immediate item (a week on).
    assert set(items.values_list("deadline", flat=True)) == {datetime.date(2025, 3, 8)}
    records = ChangeRecord.objects.filter(
        object_pk__in=[str(pk) for pk in items.values_list("pk", flat=True)]
    )
    assert records.count() == 30
    assert all(r.after["title"].startswith("问题") and r.source == "import" for r in records)
