"""The item's actions through every door: the API takes evidence files as the page does, a
client may not set what only an action changes, refusals keep the user's input, and the item's
page and each action run a bounded number of queries however many rows hang on the item."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone
from rest_framework.test import APIClient

from gongxiao.core.models import ActionRecord, ChangeRecord
from gongxiao.rectification import services
from gongxiao.rectification.models import Evidence, Measure, RectificationItem, Status

API = "/api/rectification/items/"


def _api(user):
    c = APIClient()
    c.force_authenticate(user)
    return c


def _page(user):
    c = Client()
    c.force_login(user)
    return c


def test_progress_with_evidence_through_the_api_then_a_close_out_request(cast):
    item = cast.item()
    c = _api(cast.owner)
    resp = c.post(
        f"{API}{item.pk}/actions/add_progress/",
        {
            "version": item.version,
            "text": "已整改",
            "files": [
                SimpleUploadedFile("前.jpg", b"\xff\xd8a"),
                SimpleUploadedFile("后.pdf", b"%PDF-1.4"),
            ],
        },
        format="multipart",
    )
    assert resp.status_code == 200, resp.content
    assert sorted(Evidence.objects.filter(entry__item=item).values_list("name", flat=True)) == [
        "前.jpg",
        "后.pdf",
    ]
    record = ActionRecord.objects.get(object_pk=str(item.pk), action="add_progress")
    assert record.data["files"] == ["前.jpg", "后.pdf"] and record.on == timezone.localdate()
    resp = c.post(
        f"{API}{item.pk}/actions/request_close_out/",
        {"version": resp.json()["version"]},
        format="json",
    )
    assert resp.status_code == 200 and resp.json()["status"] == Status.REQUESTED


def test_a_bad_evidence_file_through_the_api_is_400_and_writes_nothing(cast):
    item = cast.item()
    resp = _api(cast.owner).post(
        f"{API}{item.pk}/actions/add_progress/",
        {"version": item.version, "text": "x", "files": [SimpleUploadedFile("a.exe", b"MZ")]},
        format="multipart",
    )
    assert resp.status_code == 400 and "a.exe" in str(resp.json())
    assert not item.progress.exists() and not ActionRecord.objects.exists()


@pytest.mark.parametrize(
    ("field", "value", "label"),
    [("status", "closed", "状态"), ("closed_at", "2026-01-01T00:00:00Z", "销号录入时间")],
)
def test_a_client_may_not_set_what_only_an_action_changes(cast, field, value, label):
    item = cast.item()
    c = _api(cast.leader)
    resp = c.patch(f"{API}{item.pk}/", {field: value, "version": 1}, format="json")
    assert resp.status_code == 400
    message = " ".join(resp.json()[field])
    assert label in message and "操作" in message
    item.refresh_from_db()
    assert (item.status, item.closed_at, item.version) == (Status.OPEN, None, 1)
    # What a client read and sends back unchanged is not a write to refuse.
    got = c.get(f"{API}{item.pk}/").json()
    got["title"] = "改了标题"
    assert c.put(f"{API}{item.pk}/", got, format="json").status_code == 200
    item.refresh_from_db()
    assert item.title == "改了标题" and item.status == Status.OPEN


def test_a_field_outside_the_api_is_refused_not_ignored(cast):
    item = cast.item()
    resp = _api(cast.leader).patch(
        f"{API}{item.pk}/", {"closed_by": cast.leader.pk, "version": 1}, format="json"
    )
    assert resp.status_code == 400 and "closed_by" in resp.json()


def test_a_measure_of_a_closed_item_is_refused_through_the_api(cast):
    from gongxiao.rectification.tests.factories import closed_item

    item = closed_item(cast.f.a1)
    measure = Measure.objects.create(item=item, description="措施")
    resp = _api(cast.owner).post(
        f"{API}{item.pk}/actions/set_measure_state/",
        {"version": item.version, "measure": measure.pk, "state": "done"},
        format="json",
    )
    assert resp.status_code == 409 and "销号" in resp.json()["detail"]
    measure.refresh_from_db()
    assert measure.state == Measure.State.PLANNED


def test_a_measure_of_another_item_is_not_reached_through_this_one(cast):
    item, other = cast.item(), cast.item()
    measure = Measure.objects.create(item=other, description="别的问题的措施")
    resp = _api(cast.owner).post(
        f"{API}{item.pk}/actions/set_measure_state/",
        {"version": item.version, "measure": measure.pk, "state": "done"},
        format="json",
    )
    assert resp.status_code == 400 and "measure" in resp.json()
    measure.refresh_from_db()
    assert measure.state == Measure.State.PLANNED


def test_the_action_page_shows_refused_input_again_with_what_was_typed(cast):
    item = cast.item()
    c = _page(cast.owner)
    future = (timezone.localdate() + datetime.timedelta(days=3)).isoformat()
    url = f"/ledgers/rectification/items/{item.pk}/actions/add_progress/"
    resp = c.post(url, {"version": item.version, "text": "我写的进展", "on": future})
    assert resp.status_code == 400
    html = resp.content.decode()
    assert "我写的进展" in html and future in html and "今天" in html
    assert not item.progress.exists()


def test_a_reason_is_required_where_the_step_needs_one(cast):
    from gongxiao.rectification.tests.factories import requested_item

    item = requested_item(cast.f.a1)
    resp = _page(cast.leader).post(
        f"/ledgers/rectification/items/{item.pk}/actions/reject_close_out/",
        {"version": item.version},
    )
    assert resp.status_code == 400 and 'id="action-form"' in resp.content.decode()
    item.refresh_from_db()
    assert item.status == Status.REQUESTED


def _busy_item(cast, n):
    item = cast.item()
    for i in range(n):
        services.add_measure(item=item, user=cast.owner, description=f"措施{i}")
        services.add_progress(
            item=item,
            user=cast.owner,
            text=f"进展{i}",
            files=[SimpleUploadedFile(f"{i}.pdf", b"%PDF-1.4")],
        )
    return RectificationItem.objects.get(pk=item.pk)


@pytest.mark.parametrize("n", [1, 6])
def test_the_item_page_runs_a_bounded_number_of_queries(cast, n, django_assert_max_num_queries):
    item = _busy_item(cast, n)
    c = _page(cast.leader)
    c.get(f"/ledgers/rectification/items/{item.pk}/")  # session and caches warmed
    with django_assert_max_num_queries(24):
        resp = c.get(f"/ledgers/rectification/items/{item.pk}/")
    assert resp.status_code == 200
    assert resp.content.decode().count('name="measure"') == n  # a state form per measure


@pytest.mark.parametrize("n", [1, 6])
def test_an_action_runs_a_bounded_number_of_queries(cast, n, django_assert_max_num_queries):
    item = _busy_item(cast, n)
    changes = ChangeRecord.objects.count()
    with django_assert_max_num_queries(35):
        resp = _api(cast.owner).post(
            f"{API}{item.pk}/actions/request_close_out/", {"version": item.version}, format="json"
        )
    assert resp.status_code == 200 and ChangeRecord.objects.count() == changes + 1


def test_each_evidence_file_has_its_change_record(cast):
    from django.contrib.contenttypes.models import ContentType

    item = cast.item()
    services.add_progress(
        item=item,
        user=cast.owner,
        text="x",
        files=[SimpleUploadedFile("a.pdf", b"%PDF-1.4"), SimpleUploadedFile("b.pdf", b"%PDF")],
    )
    records = ChangeRecord.objects.filter(content_type=ContentType.objects.get_for_model(Evidence))
    assert sorted(r.after["name"] for r in records) == ["a.pdf", "b.pdf"]
    assert {r.user_id for r in records} == {cast.owner.pk}
    assert {r.unit_id for r in records} == {item.unit_id}


def test_a_record_that_raises_an_item_gives_its_defaults_and_hears_of_its_close_out(
    cast, monkeypatch
):
    """The one mechanism for records that raise items: defaults from the record, the link
    found back from the record, the record told when its item closes and reopens."""
    from gongxiao.org.models import Person
    from gongxiao.rectification.tests.factories import requested_item

    heard = []
    record = cast.owner_person
    today = timezone.localdate()
    monkeypatch.setattr(
        Person,
        "item_defaults",
        lambda self: {"category": "safety", "kind": "deadline", "deadline": today},
        raising=False,
    )
    monkeypatch.setattr(
        Person, "item_closed", lambda self, **kw: heard.append(("closed", kw["on"])), raising=False
    )
    monkeypatch.setattr(
        Person,
        "item_reopened",
        lambda self, **kw: heard.append(("reopened", kw["on"])),
        raising=False,
    )
    item = services.create_item_from(
        record=record,
        user=cast.leader,
        unit=cast.f.a1,
        title="来自记录",
        source="inspection",
        found_date=today,
    )
    assert (item.category, item.deadline) == ("safety", today)
    assert list(services.items_raised_by(record)) == [item]
    # Steps on another item are not heard.
    services.transition(item=requested_item(cast.f.a1), step="close_out", user=cast.leader)
    assert heard == []
    services.add_progress(
        item=item, user=cast.owner, text="x", files=[SimpleUploadedFile("a.pdf", b"%PDF")]
    )
    services.transition(item=item, step="request_close_out", user=cast.owner)
    services.transition(item=item, step="close_out", user=cast.leader)
    services.transition(item=item, step="reopen", user=cast.leader, reason="反弹")
    assert heard == [("closed", today), ("reopened", today)]


def test_a_close_out_request_is_withdrawn_and_the_review_keeps_its_opinion(cast):
    """The responsible side takes its request back (the item is in rectification again, and
    the record form shows no pending request); asked again, the reviewer closes it out with
    his opinion (销号意见), which the 问题销号审批表 prints."""
    from gongxiao.rectification.printing import record
    from gongxiao.rectification.tests.factories import item_with_evidence

    item = item_with_evidence(cast.f.a1)
    services.transition(item=item, step="request_close_out", user=cast.owner)
    c = _page(cast.owner)
    page = c.get(f"/ledgers/rectification/items/{item.pk}/").content.decode()
    assert 'id="step-withdraw_close_out"' in page
    item.refresh_from_db()
    resp = c.post(
        f"/ledgers/rectification/items/{item.pk}/actions/withdraw_close_out/",
        {"version": item.version, "reason": "补充整改佐证后再申请"},
    )
    assert resp.status_code == 302
    item.refresh_from_db()
    assert item.status == Status.IN_PROGRESS
    step = item.transitions.order_by("-id").first()
    assert (step.action, step.reason) == ("withdraw_close_out", "补充整改佐证后再申请")
    assert record(item)["request"] is None
    # A reviewer cannot withdraw what he did not ask for: only the responsible side's right.
    services.transition(item=item, step="request_close_out", user=cast.owner)
    item.refresh_from_db()
    resp = _api(cast.leader).post(
        f"{API}{item.pk}/actions/close_out/",
        {"version": item.version, "reason": "整改到位，同意销号"},
        format="json",
    )
    assert resp.status_code == 200, resp.content
    item.refresh_from_db()
    assert item.status == Status.CLOSED
    printed = record(item)
    assert printed["request"] is not None
    assert printed["review"]["text"] == "整改到位，同意销号"
    assert printed["review"]["result"] == "同意销号"


def test_a_withdrawal_is_refused_once_decided_or_by_a_reader(cast):
    from gongxiao.core.actions import ActionRefused
    from gongxiao.rectification.tests.factories import requested_item

    item = requested_item(cast.f.a1)
    with pytest.raises(PermissionDenied):
        services.transition(item=item, step="withdraw_close_out", user=cast.reader)
    services.transition(item=item, step="close_out", user=cast.leader)
    with pytest.raises(ActionRefused) as exc:
        services.transition(item=item, step="withdraw_close_out", user=cast.owner)
    assert "已销号" in str(exc.value) or "撤回" in str(exc.value)
    assert RectificationItem.objects.get(pk=item.pk).status == Status.CLOSED
