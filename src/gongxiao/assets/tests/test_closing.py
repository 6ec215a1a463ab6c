"""Closing an inventory check (资产清查): refused, with the units not yet counted named and the
differences not yet settled counted, until every unit is counted and every difference's
rectification closed out; nothing written when refused; closed, nothing more is counted in it."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation
from rest_framework.test import APIClient

from gongxiao.assets import models as m
from gongxiao.assets import services
from gongxiao.assets.tests import factories as f
from gongxiao.core.actions import ActionRefused
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


def _campaign(federation):
    check = f.make_inventory_check(federation.county_a, title="2023年度资产清查")
    check.checked_units.set([federation.a1, federation.a2])
    return check


def _count(check, unit, officer, **kw):
    return services.record_count(
        count=m.InventoryCount(
            inventory_check=check, counted_unit=unit, counted_on=D(2023, 9, 5), **kw
        ),
        user=officer,
    )


def _settle(diff, officer, federation):
    item = diff.item
    rect.add_progress(
        item=item, user=officer, text="已处理", files=[SimpleUploadedFile("a.pdf", b"%PDF-1.4")]
    )
    rect.transition(item=item, step="request_close_out", user=officer)
    rect.transition(
        item=m.InventoryDifference.objects.get(pk=diff.pk).item,
        step="close_out",
        user=user_with(Role.LEADER, federation.county_a),
    )


def test_closing_names_the_units_not_counted_and_the_differences_undecided(federation, officer):
    check = _campaign(federation)
    shop = f.make_property(federation.a1, name="解放路门面")
    f.make_certificate(federation.a1, property=shop)
    _count(check, federation.a1, officer, property=shop, status_found="vacant")
    version = check.version
    with pytest.raises(ActionRefused) as e:
        services.close_check(check=check, user=officer, on=D(2023, 9, 30))
    message = str(e.value)
    assert "资产清查不能结束" in message and federation.a2.name in message
    assert federation.a1.name not in message  # counted: not named
    check.refresh_from_db()
    assert check.closed_on is None and check.end_date is None and check.version == version

    _count(check, federation.a2, officer, found_name="后院简易棚")  # 盘盈: a difference
    with pytest.raises(ActionRefused) as e:
        services.check_closable(check, officer, D(2023, 9, 30))
    assert "1 项差异尚未处理" in str(e.value) and "后院简易棚" in str(e.value)
    assert "尚未盘点" not in str(e.value)  # every unit counted now

    _settle(check.differences.get(), officer, federation)
    services.close_check(check=check, user=officer)
    check.refresh_from_db()
    assert check.closed_on is not None and check.end_date == check.closed_on

    with pytest.raises(ActionRefused) as e:
        services.check_closable(check, officer)
    assert "已经结束" in str(e.value)
    with pytest.raises(ValidationError) as e:
        _count(check, federation.a1, officer, found_name="又一处棚屋")
    assert "资产清查已结束" in str(e.value)
    assert check.counts.count() == 2 and check.differences.count() == 1
    api = APIClient()
    api.force_authenticate(officer)
    check.refresh_from_db()
    resp = api.patch(
        f"/api/assets/inventory-checks/{check.pk}/",
        {"title": "改过的标题", "version": check.version},
        format="json",
    )
    assert resp.status_code >= 400 and "已结束" in resp.content.decode()
    diff = check.differences.get()
    resp = api.patch(
        f"/api/assets/inventory-differences/{diff.pk}/",
        {"description": "改过的描述", "version": diff.version},
        format="json",
    )
    assert resp.status_code >= 400
    check.refresh_from_db()
    diff.refresh_from_db()
    assert check.title == "2023年度资产清查" and diff.description != "改过的描述"


def test_a_difference_settled_after_the_closing_day_keeps_it_open(federation, officer):
    check = _campaign(federation)
    check.checked_units.set([federation.a1])
    _count(check, federation.a1, officer, found_name="闲置地磅")
    _settle(check.differences.get(), officer, federation)
    settled = check.differences.get().item_closed_on
    with pytest.raises(ActionRefused):
        services.check_closable(check, officer, settled - datetime.timedelta(days=1))
    with pytest.raises(ValidationError) as e:
        services.close_check(check=check, user=officer, on=D(2023, 8, 1))
    assert "清查开始" in str(e.value)  # not before the check starts
    services.check_closable(check, officer, settled)


def test_the_close_action_is_declared_in_the_kit_and_refused_with_the_reason(federation, officer):
    check = _campaign(federation)
    api = APIClient()
    api.force_authenticate(officer)
    url = f"/api/assets/inventory-checks/{check.pk}/actions/close/"
    resp = api.post(url, {"version": check.version, "on": "2023-09-30"}, format="json")
    assert resp.status_code in (400, 409), resp.content
    assert federation.a1.name in resp.content.decode()
    check.refresh_from_db()
    assert check.closed_on is None
    # The page names what is missing; the button shows only once nothing is.
    from django.test import Client

    web = Client()
    web.force_login(officer)
    page = f"/ledgers/assets/inventory-checks/{check.pk}/"
    html = web.get(page).content.decode()
    assert "尚未盘点的单位" in html and federation.a2.name in html
    assert 'id="step-close"' not in html
    for unit in (federation.a1, federation.a2):
        f.make_count(unit, inventory_check=check)
    html = web.get(page).content.decode()
    assert "可以结束" in html and 'id="step-close"' in html
    stranger = APIClient()
    stranger.force_authenticate(user_with(Role.ASSET, federation.county_b))
    assert stranger.post(url, {"version": check.version}, format="json").status_code == 404
