"""The rectification pages outside the generic kit keep to the user's scope."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from gongxiao.core.tests.helpers import read_xlsx, response_bytes
from gongxiao.org.roles import Role
from gongxiao.org.tests.factories import PersonFactory, user_with
from gongxiao.rectification import services
from gongxiao.rectification.models import Evidence, Measure, RectificationItem, Status


@pytest.fixture
def foreign(cast):
    """An item of county B with a measure and an evidence file."""
    b_person = PersonFactory(unit=cast.f.b1, name="乙县人员")
    item = cast.item(
        unit=cast.f.b1, title="乙县的问题", responsible_person=b_person, responsible_leader=None
    )
    b_user = user_with(Role.SYSADMIN, cast.f.county_b)
    measure = services.add_measure(item=item, user=b_user, description="乙县措施")
    services.add_progress(
        item=item, user=b_user, text="乙县进展", files=[SimpleUploadedFile("b.pdf", b"%PDF-1.4")]
    )
    item.refresh_from_db()
    return item, measure, Evidence.objects.get(entry__item=item)


def _client(user):
    c = Client()
    c.force_login(user)
    return c


@pytest.mark.parametrize(
    "role", [Role.LEADER, Role.DISCIPLINE, Role.SYSADMIN, Role.DATA_ENTRY, Role.READ_ONLY]
)
def test_a_county_a_user_cannot_reach_county_b_items(cast, foreign, role):
    item, measure, evidence = foreign
    unit = cast.f.a1 if role == Role.DATA_ENTRY else cast.f.county_a
    c = _client(user_with(role, unit))
    version = item.version
    for name, data in (
        ("start", {}),
        ("request_close_out", {}),
        ("close_out", {}),
        ("reject_close_out", {"reason": "x"}),
        ("reopen", {"reason": "x"}),
        ("add_measure", {"description": "x"}),
        ("add_progress", {"text": "x", "on": "2023-01-01"}),
        ("set_measure_state", {"measure": measure.pk, "state": "done"}),
    ):
        url = f"/ledgers/rectification/items/{item.pk}/actions/{name}/"
        assert c.post(url, {**data, "version": item.version}).status_code == 404
    assert c.get(f"/rectification/evidence/{evidence.pk}/").status_code == 404
    item.refresh_from_db()
    measure.refresh_from_db()
    assert item.version == version and measure.state == Measure.State.PLANNED
    assert item.measures.count() == 1 and item.progress.count() == 1
    for kind in ("problems", "rectification", "responsibility"):
        resp = c.get(f"/rectification/lists/{kind}.xlsx")
        if resp.status_code == 200:
            text = str(read_xlsx(response_bytes(resp)))
            assert "乙县" not in text
    html = c.get("/rectification/dashboard/").content.decode()
    assert "乙县" not in html


def test_the_create_form_offers_no_person_of_another_county(cast, foreign):
    html = _client(cast.leader).get("/ledgers/rectification/items/new/").content.decode()
    assert "乙县人员" not in html and "领导乙" in html
    html = _client(cast.leader).get("/ledgers/rectification/items/").content.decode()
    assert "乙县" not in html


def test_own_evidence_downloads(cast):
    item = cast.item()
    services.add_progress(
        item=item, user=cast.owner, text="x", files=[SimpleUploadedFile("a.pdf", b"%PDF-1.4")]
    )
    ev = Evidence.objects.get(entry__item=item)
    resp = _client(cast.leader).get(f"/rectification/evidence/{ev.pk}/")
    assert resp.status_code == 200 and response_bytes(resp) == b"%PDF-1.4"


def test_the_step_page_refuses_with_a_message_and_changes_nothing(cast):
    item = cast.item()
    c = _client(cast.owner)
    resp = c.post(
        f"/ledgers/rectification/items/{item.pk}/actions/request_close_out/",
        {"version": item.version},
        follow=True,
    )
    assert any(m.level_tag == "error" for m in resp.context["messages"])
    item.refresh_from_db()
    assert item.status == Status.OPEN


def test_modules_without_rights_are_refused(cast):
    from gongxiao.org.tests.factories import UserFactory

    nobody = UserFactory()
    c = _client(nobody)
    assert c.get("/rectification/dashboard/").status_code == 403
    assert c.get("/rectification/lists/problems.xlsx").status_code == 403
    assert c.get("/rectification/lists/import/").status_code == 403
    assert c.get("/rectification/lists/import/template.xlsx").status_code == 403
    assert RectificationItem.objects.count() == 0
