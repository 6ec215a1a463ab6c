"""Supervision's changes are actions of its ledgers: no other door (the old POST routes are
gone; a client write of what only an action changes is refused), the items point at the record
that raised them, the record hears of the close-out, and the API reads the links and dates."""

import datetime

import pytest
from django.test import Client
from rest_framework.test import APIClient

from gongxiao.org.roles import Role
from gongxiao.org.tests.factories import user_with
from gongxiao.rectification import services as rect
from gongxiao.supervision import models as m
from gongxiao.supervision import services
from gongxiao.supervision.tests import factories as f

API = "/api/supervision/"


@pytest.fixture
def officer(federation):
    return user_with(Role.DISCIPLINE, federation.county_a)


def _api(user):
    c = APIClient()
    c.force_authenticate(user)
    return c


@pytest.mark.parametrize(
    ("slug", "field", "value", "label"),
    [
        ("recommendations", "adopted", True, "是否采纳"),
        ("recommendations", "item", 1, "整改问题"),
        ("recommendations", "decided_at", "2023-06-01", "决定日期"),
        ("opinions", "item", 1, "整改问题"),
        ("opinions", "raised_on", "2023-06-01", "转为整改问题日期"),
        ("findings", "item", 1, "整改问题"),
    ],
)
def test_a_client_may_not_set_what_only_an_action_changes(
    federation, officer, slug, field, value, label
):
    make = {
        "recommendations": f.make_recommendation,
        "opinions": f.make_opinion,
        "findings": f.make_finding,
    }[slug]
    obj = make(federation.county_a)
    resp = _api(officer).patch(
        f"{API}{slug}/{obj.pk}/", {field: value, "version": obj.version}, format="json"
    )
    assert resp.status_code == 400, resp.content
    message = " ".join(resp.json()[field])
    assert label in message and "操作" in message
    after = type(obj).objects.get(pk=obj.pk)
    assert after.version == obj.version and getattr(after, field) == getattr(obj, field)


def test_the_old_post_routes_are_gone(federation, officer):
    rec = f.make_recommendation(federation.county_a)
    op = f.make_opinion(federation.county_a)
    c = Client()
    c.force_login(officer)
    assert (
        c.post(f"/supervision/recommendations/{rec.pk}/decide/", {"adopted": "yes"}).status_code
        == 404
    )
    assert (
        c.post(f"/supervision/opinions/{op.pk}/raise/", {"unit": federation.a1.pk}).status_code
        == 404
    )
    assert not m.Recommendation.objects.filter(adopted__isnull=False).exists()


def test_the_api_adopts_and_reads_the_link_and_dates_and_hears_the_close_out(federation, officer):
    rec = f.make_recommendation(federation.county_a, responsible_unit=federation.a1)
    c = _api(officer)
    resp = c.post(
        f"{API}recommendations/{rec.pk}/actions/adopt/",
        {"version": rec.version, "on": "2023-06-01"},
        format="json",
    )
    assert resp.status_code == 200, resp.content
    got = c.get(f"{API}recommendations/{rec.pk}/").json()
    rec.refresh_from_db()
    assert got["adopted"] is True and got["decided_at"] == "2023-06-01"
    assert got["item"] == rec.item_id and got["item_closed_on"] is None
    item = rec.item
    assert item.source_record == rec and list(rect.items_raised_by(rec)) == [item]
    assert item.deadline == datetime.date(2023, 6, 1) + datetime.timedelta(days=60)
    # The item closes: the recommendation hears it, and says so on its page and in the API.
    from gongxiao.rectification.tests.factories import _someone

    admin = _someone(federation.a1, Role.SYSADMIN)
    leader = _someone(federation.a1, Role.LEADER)
    from django.core.files.uploadedfile import SimpleUploadedFile

    rect.add_progress(
        item=item, user=admin, text="已整改", files=[SimpleUploadedFile("a.pdf", b"%PDF")]
    )
    item.refresh_from_db()
    rect.transition(item=item, step="request_close_out", user=admin)
    item.refresh_from_db()
    rect.transition(item=item, step="close_out", user=leader)
    item.refresh_from_db()
    got = c.get(f"{API}recommendations/{rec.pk}/").json()
    assert got["item_closed_on"] == item.closed_on.isoformat()
    web = Client()
    web.force_login(officer)
    page = web.get(f"/ledgers/supervision/recommendations/{rec.pk}/").content.decode()
    closed = f"{item.closed_on.year}年{item.closed_on.month}月{item.closed_on.day}日"
    assert "整改已销号" in page and closed in page


def test_the_opinion_and_finding_apis_read_their_links(federation, officer):
    op = f.make_opinion(federation.county_a)
    services.raise_opinion(opinion=op, user=officer, unit=federation.a1)
    op.refresh_from_db()
    got = _api(officer).get(f"{API}opinions/{op.pk}/").json()
    assert got["item"] == op.item_id and got["raised_on"] == op.raised_on.isoformat()
    assert op.item.source_record == op


def test_a_notice_reads_its_year_and_number(federation, officer):
    notice = f.make_notice(federation.county_a)
    got = _api(officer).get(f"{API}notices/{notice.pk}/").json()
    assert (got["year"], got["number"]) == (notice.year, notice.number)
