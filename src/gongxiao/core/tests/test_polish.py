"""Chinese everywhere a user looks: the words of the admin, empty choices, refusals naming field
labels, history sources, API errors, error pages, one date format on pages and notifications
(ISO in files), people named by name, no internal fields on a row's page."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.template.loader import render_to_string
from django.test import Client
from django.utils import translation
from rest_framework.test import APIClient

from gongxiao.core import services
from gongxiao.core.models import ChangeRecord, Notification
from gongxiao.org.roles import Role
from gongxiao.org.tests.factories import PersonFactory, UserFactory, user_with

from .helpers import read_xlsx, response_bytes

D = datetime.date


def _client(user):
    c = Client()
    c.force_login(user)
    return c


def test_change_is_a_metric_word_only_in_its_context():
    with translation.override("zh-hans"):
        assert translation.pgettext("metric", "Change") == "同比"
        assert translation.gettext("Change") == "修改"


def test_the_admin_reads_modify_not_year_on_year(federation):
    boss = UserFactory(is_superuser=True, is_staff=True)
    page = _client(boss).get("/admin/").content.decode()
    assert "修改" in page and "同比" not in page
    axes = _client(boss).get("/admin/axes/accessattempt/").content.decode()
    assert "登录失败记录" in axes and "access attempt" not in axes


def test_an_empty_choice_reads_chinese(federation):
    clerk = user_with(Role.DATA_ENTRY, federation.a1)
    page = _client(clerk).get("/ledgers/rectification/items/new/").content.decode()
    assert "Select an option" not in page and "—请选择—" in page


def test_a_refusal_names_the_field_by_its_label():
    with translation.override("zh-hans"):
        exc = ValidationError({"absence_reason": ["请填写缺席原因。"], "__all__": ["整体错误。"]})
        messages = services.validation_messages(exc)
    assert messages[0] == "缺席原因：请填写缺席原因。"
    assert messages[1] == "整体错误。"


def test_the_history_names_its_source_and_the_person_in_chinese(federation):
    clerk = user_with(
        Role.DATA_ENTRY,
        federation.a1,
        username="wxm",
        person=PersonFactory(unit=federation.a1, name="王小明"),
    )
    person = services.create_row(obj=PersonFactory.build(unit=federation.a1), user=clerk)
    services.record_change(obj=person, kind="update", user=clerk, source="import")
    record = ChangeRecord.objects.filter(object_pk=str(person.pk)).latest("pk")
    assert record.user_repr == "王小明"
    with translation.override("zh-hans"):
        assert record.source_label == "导入"
        assert ChangeRecord(source="workflow").source_label == "流程"
    page = _client(clerk).get(f"/ledgers/org/people/{person.pk}/").content.decode()
    assert "· 导入" in page and "· import" not in page
    # Names, not login names; no version of the row.
    assert "王小明" in page and ">wxm<" not in page and "（wxm）" not in page
    assert "版本" not in page


def test_api_errors_are_chinese(federation):
    api = APIClient()
    api.force_authenticate(user_with(Role.LEADER, federation.county_a))
    resp = api.get("/api/decisions/matters/999999/")
    assert resp.status_code == 404
    assert "matches the given query" not in resp.json()["detail"]
    assert resp.json()["detail"] == "没有这条记录。"
    assert APIClient().get("/api/org/people/").json()["detail"] == "身份认证信息未提供。"


def test_error_pages_are_chinese(federation):
    leader = _client(user_with(Role.LEADER, federation.county_a))
    missing = leader.get("/no/such/page/")
    assert missing.status_code == 404 and "页面不存在（404）" in missing.content.decode()
    refused = leader.get("/org/units/")
    assert refused.status_code == 403
    body = refused.content.decode()
    assert "无权访问（403）" in body and "只有系统管理员才能管理单位和用户" in body
    with translation.override("zh-hans"):
        assert "系统出错（500）" in render_to_string("500.html")


def test_one_date_format_on_pages_and_notifications_iso_in_files(federation):
    from gongxiao.rectification.services import run_escalation
    from gongxiao.rectification.tests.factories import ItemFactory

    owner = UserFactory()
    owner.person = PersonFactory(unit=federation.a1)
    owner.save()
    user_with(Role.LEADER, federation.county_a, username="ld")
    item = ItemFactory(
        unit=federation.a1,
        found_date=D(2026, 3, 1),
        deadline=D(2026, 12, 5),
        responsible_person=owner.person,
    )
    viewer = _client(user_with(Role.LEADER, federation.county_a))
    page = viewer.get(f"/ledgers/rectification/items/{item.pk}/").content.decode()
    assert "2026年3月1日" in page and "2026年12月5日" in page
    assert "2026-03-01" not in page.split('id="history"')[0]
    with translation.override("zh-hans"):
        run_escalation(today=D(2026, 12, 1), remind_days=7)
    note = Notification.objects.get(recipient=owner)
    assert "2026年12月5日" in note.body and "2026-12-05" not in note.body
    export = viewer.get("/ledgers/rectification/items/export/")
    assert export.status_code == 200
    cells = [c for row in read_xlsx(response_bytes(export)) for c in row]
    assert any(
        c == D(2026, 3, 1) or (isinstance(c, datetime.datetime) and c.date() == D(2026, 3, 1))
        for c in cells
    )
    assert not any(isinstance(c, str) and "2026年3月1日" in c for c in cells)


@pytest.mark.parametrize("name", ["403.html", "404.html", "500.html"])
def test_error_templates_need_no_request(name):
    with translation.override("zh-hans"):
        html = render_to_string(name)
    assert "返回首页" in html and 'lang="zh-hans"' in html
