"""Inventory checks (资产清查) and safety inspections (安全生产检查): each counted item that
differs from the registry raises its differences, each hazard its item (立行立改 by default),
all through the one records-raise-items mechanism, linked both ways."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation

from gongxiao.assets import models as m
from gongxiao.assets import services
from gongxiao.assets.tests import factories as f
from gongxiao.org.roles import Role
from gongxiao.org.tests.factories import user_with
from gongxiao.rectification import services as rect

D = datetime.date


@pytest.fixture(autouse=True)
def chinese():
    with translation.override("zh-hans"):
        yield


@pytest.fixture
def officer(federation):
    return user_with(Role.ASSET, federation.county_a)


def _count(check, unit, officer, **kw):
    return services.record_count(
        count=m.InventoryCount(
            inventory_check=check, counted_unit=unit, counted_on=D(2023, 9, 5), **kw
        ),
        user=officer,
    )


def test_each_difference_from_the_registry_is_a_rectification_item(federation, officer):
    check = f.make_inventory_check(federation.county_a)
    shop = f.make_property(federation.a1, name="解放路门面")
    f.make_certificate(federation.a1, property=shop)
    same = _count(check, federation.a1, officer, property=shop, status_found="vacant")
    assert not same.differences.exists()  # as registered: nothing raised

    gone = f.make_property(federation.a1, name="老仓库")
    f.make_certificate(federation.a1, property=gone)
    _count(check, federation.a1, officer, property=gone, present=False)
    _count(check, federation.a1, officer, found_name="后院简易棚")
    leased = f.make_property(federation.a1, name="车站路门面")  # no certificate
    _count(check, federation.a1, officer, property=leased, status_found="leased")

    diffs = {d.kind: d for d in check.differences.all()}
    assert set(diffs) == {"shortage", "surplus", "status", "certificate"}
    assert "盘亏" in diffs["shortage"].get_kind_display()
    assert "老仓库" in diffs["shortage"].description
    assert "后院简易棚" in diffs["surplus"].description
    assert "登记为空置" in diffs["status"].description and "出租" in diffs["status"].description
    assert "无权属证书" in diffs["certificate"].description
    for d in diffs.values():
        item = d.item
        assert item.source == "asset_inventory" and item.category == "assets"
        assert item.unit == federation.a1 and item.deadline == D(2023, 11, 4)
        assert list(rect.items_raised_by(d)) == [item]
        assert item.source_record == d


def test_a_closed_out_item_is_heard_by_its_difference(federation, officer):
    check = f.make_inventory_check(federation.county_a)
    _count(check, federation.a1, officer, found_name="闲置地磅")
    diff = check.differences.get()
    item = diff.item
    rect.add_progress(
        item=item, user=officer, text="已入账", files=[SimpleUploadedFile("入账.pdf", b"%PDF-1.4")]
    )
    rect.transition(item=item, step="request_close_out", user=officer)
    leader = user_with(Role.LEADER, federation.county_a)
    rect.transition(
        item=m.InventoryDifference.objects.get(pk=diff.pk).item, step="close_out", user=leader
    )
    diff.refresh_from_db()
    assert diff.item_closed_on is not None


def test_a_hazard_is_an_item_to_rectify_at_once_unless_given_a_deadline(federation, officer):
    ins = f.make_safety_inspection(federation.county_a, date=D(2023, 3, 15))
    hazard = services.add_hazard(
        hazard=m.Hazard(
            inspection=ins, responsible_unit=federation.a1, description="仓库灭火器过期"
        ),
        user=officer,
    )
    item = hazard.item
    assert item.source == "safety" and item.category == "safety" and item.kind == "immediate"
    assert item.deadline == D(2023, 3, 22)  # 立行立改: a week
    assert item.source_record == hazard
    later = services.add_hazard(
        hazard=m.Hazard(
            inspection=ins,
            responsible_unit=federation.a2,
            description="冷库电线老化需更换",
            immediate=False,
            deadline=D(2023, 5, 31),
        ),
        user=officer,
    )
    assert later.item.kind == "deadline" and later.item.deadline == D(2023, 5, 31)
    with pytest.raises(Exception) as e:
        services.add_hazard(
            hazard=m.Hazard(
                inspection=ins, responsible_unit=federation.a2, description="x", immediate=False
            ),
            user=officer,
        )
    assert "不能立行立改的隐患须填写整改期限" in str(e.value)
    assert m.Hazard.objects.count() == 2


def test_the_generic_create_raises_the_items_too(federation, officer):
    from rest_framework.test import APIClient

    ins = f.make_safety_inspection(federation.county_a)
    api = APIClient()
    api.force_authenticate(officer)
    resp = api.post(
        "/api/assets/hazards/",
        {"inspection": ins.pk, "responsible_unit": federation.a1.pk, "description": "配电箱未上锁"},
        format="json",
    )
    assert resp.status_code == 201, resp.content
    assert m.Hazard.objects.get(pk=resp.json()["id"]).item.source == "safety"
    check = f.make_inventory_check(federation.county_a)
    prop = f.make_property(federation.a1, book_value=Decimal("1000"))
    resp = api.post(
        "/api/assets/inventory-counts/",
        {
            "inventory_check": check.pk,
            "counted_unit": federation.a1.pk,
            "property": prop.pk,
            "counted_on": "2023-09-05",
            "present": False,
        },
        format="json",
    )
    assert resp.status_code == 201, resp.content
    assert check.differences.get().kind == "shortage"


def test_quarterly_coverage_shows_who_was_not_inspected_and_never_the_sibling_county(federation):
    from django.test import Client

    from gongxiao.supervision.tests.factories import make_letter

    inspected = f.make_property(federation.a1, name="已检查的门面")
    missed = f.make_property(federation.a2, name="未检查的仓库")
    foreign = f.make_property(federation.b1, name="乙县的门面")
    ins = f.make_safety_inspection(federation.county_a, date=D(2023, 5, 10))
    ins.inspected_units.add(federation.a1)
    ins.properties.add(inspected)
    f.make_safety_inspection(federation.county_a, date=D(2023, 2, 1)).inspected_units.add(
        federation.a2
    )  # the quarter before
    make_letter(federation.county_a, kind="safety", year=2023, signer_unit=federation.a1)
    user = user_with(Role.ASSET, federation.county_a)
    c = Client()
    c.force_login(user)
    html = c.get("/assets/safety/coverage/", {"period": "2023Q2"}).content.decode()
    a1_row = html.split(f'data-unit="{federation.a1.pk}"')[1].split("</tr>")[0]
    a2_row = html.split(f'data-unit="{federation.a2.pk}"')[1].split("</tr>")[0]
    assert "✓" in a1_row and "✓" not in a2_row
    assert f'data-property="{inspected.pk}"' in html and f'data-property="{missed.pk}"' in html
    prop_row = html.split(f'data-property="{missed.pk}"')[1].split("</tr>")[0]
    assert "✓" not in prop_row
    assert foreign.name not in html and federation.b1.name not in html
    assert a1_row.count("✓") == 1  # the asset role does not read the letters: no such column
    leader = user_with(Role.LEADER, federation.county_a)  # reads supervision: letters shown
    c.force_login(leader)
    html = c.get("/assets/safety/coverage/", {"period": "2023Q2"}).content.decode()
    a1_row = html.split(f'data-unit="{federation.a1.pk}"')[1].split("</tr>")[0]
    a2_row = html.split(f'data-unit="{federation.a2.pk}"')[1].split("</tr>")[0]
    assert a1_row.count("✓") == 2 and a2_row.count("✓") == 0
    c.force_login(user_with(Role.PARTY, federation.county_a))  # no assets right
    assert c.get("/assets/safety/coverage/").status_code == 403


def test_the_coverage_page_exports_to_excel_with_both_tables(federation):
    import io
    import zipfile

    from django.test import Client

    from gongxiao.core.excel import read_rows

    inspected = f.make_property(federation.a1, name="已检查的门面")
    missed = f.make_property(federation.a2, name="未检查的仓库")
    f.make_property(federation.b1, name="乙县的门面")
    ins = f.make_safety_inspection(federation.county_a, date=D(2023, 5, 10))
    ins.inspected_units.add(federation.a1)
    ins.properties.add(inspected)
    c = Client()
    c.force_login(user_with(Role.ASSET, federation.county_a))
    html = c.get("/assets/safety/coverage/", {"period": "2023Q2"}).content.decode()
    assert 'id="export-xlsx"' in html and "format=xlsx" in html
    resp = c.get("/assets/safety/coverage/", {"period": "2023Q2", "format": "xlsx"})
    assert resp.status_code == 200
    assert "attachment" in resp["Content-Disposition"]
    data = b"".join(resp.streaming_content)
    rows = read_rows(data)
    assert rows[1] == ["单位", "已检查"]  # the asset role reads no letters: no such column
    by_name = {r[0]: r for r in rows[2:]}
    assert by_name[federation.a1.name][1] == "✓"
    assert by_name[federation.a2.name][1] == "未检查"
    assert federation.b1.name not in by_name
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        assert len([n for n in z.namelist() if n.startswith("xl/worksheets/sheet")]) == 2
        strings = z.read("xl/sharedStrings.xml").decode()
    assert missed.name in strings and inspected.name in strings and "乙县的门面" not in strings
    c.force_login(user_with(Role.PARTY, federation.county_a))  # no assets right
    assert c.get("/assets/safety/coverage/", {"format": "xlsx"}).status_code == 403
