"""Regression tests for close-out rules found in review."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from gongxiao.org.roles import Role
from gongxiao.org.tests.factories import user_with
from gongxiao.rectification import services
from gongxiao.rectification.models import Status
from gongxiao.rectification.services import TransitionRefused


def test_who_requests_a_close_out_does_not_grant_it(cast):
    item = cast.item(responsible_person=None)
    services.add_progress(
        item=item, user=cast.leader, text="完成", files=[SimpleUploadedFile("a.pdf", b"%PDF-1.4")]
    )
    services.transition(item=item, step="request_close_out", user=cast.leader)
    with pytest.raises(TransitionRefused):
        services.transition(item=item, step="close_out", user=cast.leader)
    services.transition(item=item, step="close_out", user=cast.discipline_a)
    item.refresh_from_db()
    assert item.status == Status.CLOSED


def test_a_closed_item_is_locked_against_edits(cast):
    item = cast.item()
    type(item).objects.filter(pk=item.pk).update(status=Status.CLOSED)
    c = Client()
    c.force_login(cast.leader)
    resp = c.get(f"/ledgers/rectification/items/{item.pk}/edit/", follow=True)
    assert any(m.level_tag == "error" for m in resp.context["messages"])
    assert 'id="btn-edit"' not in c.get(f"/ledgers/rectification/items/{item.pk}/").content.decode()


def test_a_clerks_imported_done_row_arrives_as_a_close_out_request(cast):
    from gongxiao.core.models import Job
    from gongxiao.rectification.models import RectificationItem
    from gongxiao.rectification.tests.test_lists import _ledger_file

    data = _ledger_file(
        [["问题", "", "", cast.f.a1.name, "", "2023年6月底", "", "已完成", "2023年6月20日"]]
    )
    c = Client()
    c.force_login(cast.owner)
    c.post("/rectification/lists/import/", {"file": SimpleUploadedFile("l.xlsx", data)})
    c.post(f"/jobs/{Job.objects.latest('created_at').pk}/confirm/")
    assert RectificationItem.objects.get().status == Status.REQUESTED
    reviewer = user_with(Role.DISCIPLINE, cast.f.county_a)
    assert reviewer  # a reviewer then decides, as for any other request
