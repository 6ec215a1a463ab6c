"""The list's fast paths answer exactly what the general ones did: the API's reading plan what
DRF's ModelSerializer gives, the orjson renderer DRF's JSON bytes, the two-step page the rows
of one query, the table body built in Python the template's cells."""

import datetime
import decimal

import pytest
from django.test import Client, override_settings
from django.utils.translation import gettext_lazy
from rest_framework import renderers, serializers

from gongxiao.core.ledgers import all_ledgers, get_ledger
from gongxiao.core.pagination import CappedPaginator
from gongxiao.core.renderers import JSONRenderer
from gongxiao.core.testing import row_factory
from gongxiao.org.roles import Role
from gongxiao.org.tests.factories import PersonFactory, user_with

LEDGERS = [lg for lg in all_ledgers() if row_factory(lg.model)]


@pytest.mark.parametrize("ledger", LEDGERS, ids=[lg.key for lg in LEDGERS])
def test_the_reading_plan_gives_what_drf_gives(federation, ledger):
    obj = row_factory(ledger.model)(federation.a1)
    obj = ledger.model.objects.get(pk=obj.pk)
    ours = ledger.serializer_class(obj).data
    theirs = serializers.ModelSerializer.to_representation(ledger.serializer_class(obj), obj)
    if ledger.pii_fields:
        # The plan's output is masked afterwards, as DRF's was: compare before the mask.
        ours = {k: v for k, v in ours.items() if k not in ledger.pii_fields}
        theirs = {k: v for k, v in theirs.items() if k not in ledger.pii_fields}
    assert ours == dict(theirs)
    assert list(ours) == list(theirs)  # the same keys in the same order


def test_the_renderer_writes_drfs_bytes():
    data = {
        "text": "整改 <b>&\u2028\u2029",
        "n": 12345678901234,
        "f": 1.5,
        "none": None,
        "when": datetime.datetime(2025, 3, 1, 8, 30, 15, 123456, tzinfo=datetime.UTC),
        "day": datetime.date(2025, 3, 1),
        "money": decimal.Decimal("12.30"),
        "lazy": gettext_lazy("Select"),
        "nested": [{"a": 1, 2: "int key"}],
    }
    assert JSONRenderer().render(data) == renderers.JSONRenderer().render(data)
    indented = "application/json; indent=2"
    assert JSONRenderer().render(data, indented) == renderers.JSONRenderer().render(data, indented)


@override_settings(GONGXIAO_LIST_COUNT_CAP=10_000)
def test_a_page_read_in_two_steps_holds_the_rows_of_one_query(federation):
    for i in range(23):
        PersonFactory(unit=federation.a1 if i % 2 else federation.a2, name=f"人{i:02d}")
    user = user_with(Role.PARTY, federation.county_a)
    rows = get_ledger("org", "people").queryset_for(user).order_by("name", "-pk")
    for number in (1, 2, 3):
        two_steps = CappedPaginator(rows, 10).page(number).object_list
        assert [o.pk for o in two_steps] == [o.pk for o in rows[(number - 1) * 10 : number * 10]]
        assert all(o.unit.name for o in two_steps)  # the joined rows came along


def test_the_table_body_escapes_every_cell(federation):
    p = PersonFactory(unit=federation.a1, name="<script>x</script>")
    party = user_with(Role.PARTY, federation.county_a)
    c = Client()
    c.force_login(party)
    html = c.get("/ledgers/org/people/").content.decode()
    assert "&lt;script&gt;x&lt;/script&gt;" in html and "<script>x</script>" not in html
    assert f'href="/ledgers/org/people/{p.pk}/"' in html


def test_the_unfiltered_api_list_skips_the_filter_set_but_a_filter_applies(federation):
    from rest_framework.test import APIClient

    PersonFactory(unit=federation.a1, name="甲")
    PersonFactory(unit=federation.a2, name="乙")
    party = user_with(Role.PARTY, federation.county_a)
    api = APIClient()
    api.force_authenticate(party)
    everyone = api.get("/api/org/people/").json()
    assert {r["name"] for r in everyone["results"]} == {"甲", "乙"}
    only = api.get("/api/org/people/", {"unit": federation.a1.pk}).json()
    assert [r["name"] for r in only["results"]] == ["甲"]
    refused = api.get("/api/org/people/", {"unit": federation.county_b.pk})
    assert refused.status_code == 400
