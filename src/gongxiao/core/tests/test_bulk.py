"""core/bulk.py stores what bulk_create would, for the rows of every ledger (dates, decimals,
JSON, files, choices, foreign keys), on both databases."""

from __future__ import annotations

import copy

import pytest
from django.db import models

from gongxiao.core import bulk
from gongxiao.core.ledgers import all_ledgers
from gongxiao.core.models import ChangeRecord
from gongxiao.core.testing import row_factory

_SKIP = {"id", "created_at", "updated_at"}


def _values(model, pk) -> dict:
    row = model._base_manager.filter(pk=pk).values().get()
    return {k: v for k, v in row.items() if k not in _SKIP}


def _fresh_copy(obj):
    new = copy.copy(obj)
    new.__dict__ = {
        k: v for k, v in obj.__dict__.items() if k != "_state" and not k.startswith("_prefetched")
    }
    new._state = type(obj._state)()
    new.pk = None
    return new


@pytest.fixture
def by_column(monkeypatch):
    """The column path for any number of rows (it starts at FAST_FROM rows)."""
    monkeypatch.setattr(bulk, "FAST_FROM", 1)


@pytest.mark.django_db
def test_insert_stores_what_bulk_create_stores_for_every_ledger(federation, by_column):
    checked = 0
    for ledger in all_ledgers():
        make = row_factory(ledger.model)
        if make is None:
            continue
        model = ledger.model
        meta = model._meta.concrete_model._meta
        unique = [
            f
            for f in meta.concrete_fields
            if f.unique and not f.primary_key or isinstance(f, models.OneToOneField)
        ]
        if (
            unique
            or meta.unique_together
            or any(isinstance(c, models.UniqueConstraint) for c in meta.constraints)
        ):
            continue  # a copy would clash with its original; the import tests cover these
        original = make(federation.a1)
        ours, theirs = _fresh_copy(original), _fresh_copy(original)
        bulk.insert(model, [ours])
        model._base_manager.bulk_create([theirs])
        assert ours.pk and not ours._state.adding
        assert ours.pk != theirs.pk
        assert _values(model, ours.pk) == _values(model, theirs.pk), ledger.key
        stored = model._base_manager.get(pk=ours.pk)
        assert stored.created_at is not None
        checked += 1
    assert checked >= 20


@pytest.mark.django_db
def test_insert_gives_consecutive_rows_their_own_ids(federation, django_assert_max_num_queries):
    from gongxiao.org.models import Person

    people = [Person(unit=federation.a1, name=f"批量{i}") for i in range(2500)]
    with django_assert_max_num_queries(4):  # the first row, then the others in one go
        bulk.insert(Person, people)
    ids = [p.pk for p in people]
    assert len(set(ids)) == 2500
    stored = dict(Person.objects.filter(pk__in=ids).values_list("pk", "name"))
    assert stored == {p.pk: p.name for p in people}


@pytest.mark.django_db
def test_insert_columns_fills_the_defaults_and_the_time(federation, by_column):
    from django.contrib.contenttypes.models import ContentType

    from gongxiao.org.models import Person

    ct = ContentType.objects.get_for_model(Person)
    n = bulk.insert_columns(
        ChangeRecord,
        {
            "content_type_id": [ct.pk, ct.pk],
            "object_pk": ["1", "2"],
            "object_repr": ["甲", "乙"],
            "kind": ["create", "create"],
            "after": [{"name": "甲", "amount": "1.50"}, {"name": "乙"}],
        },
    )
    assert n == 2
    recs = list(ChangeRecord.objects.filter(content_type=ct).order_by("object_pk"))
    assert [r.object_repr for r in recs] == ["甲", "乙"]
    assert recs[0].after == {"name": "甲", "amount": "1.50"}
    assert recs[0].source == "web"  # the field's default
    assert recs[0].before is None
    assert recs[0].at is not None
