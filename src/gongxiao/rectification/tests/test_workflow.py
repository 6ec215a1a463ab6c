"""Every transition of the close-out workflow, and every refusal."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from gongxiao.core import services as kit
from gongxiao.core.models import ChangeRecord, Notification
from gongxiao.org.roles import Role
from gongxiao.org.tests.factories import user_with
from gongxiao.rectification import services
from gongxiao.rectification.models import Kind, Status, Transition
from gongxiao.rectification.services import TRANSITIONS, TransitionRefused


def _evidence():
    return SimpleUploadedFile("整改照片.jpg", b"\xff\xd8\xff" + b"0" * 100)


def _progress(cast, item, files=True):
    return services.add_progress(
        item=item, user=cast.owner, text="已完成清理", files=[_evidence()] if files else []
    )


def test_the_transition_table_is_explicit():
    assert {k: (set(v.sources), v.target) for k, v in TRANSITIONS.items()} == {
        "start": ({"open"}, "in_progress"),
        "request_close_out": ({"open", "in_progress"}, "requested"),
        "withdraw_close_out": ({"requested"}, "in_progress"),
        "close_out": ({"requested"}, "closed"),
        "reject_close_out": ({"requested"}, "in_progress"),
        "reopen": ({"closed"}, "in_progress"),
    }


def test_the_whole_road_to_close_out(cast):
    item = cast.item()
    services.transition(item=item, step="start", user=cast.owner)
    _progress(cast, item)
    services.transition(item=item, step="request_close_out", user=cast.owner)
    assert item.status == Status.REQUESTED
    # The leader is told a close-out waits for him.
    assert Notification.objects.filter(
        recipient=cast.leader, key__contains="request_close_out"
    ).exists()
    services.transition(item=item, step="close_out", user=cast.leader)
    item.refresh_from_db()
    assert item.status == Status.CLOSED and item.closed_by == cast.leader and item.closed_at
    steps = list(
        Transition.objects.filter(item=item).values_list("from_status", "to_status", "user")
    )
    assert steps == [
        ("open", "in_progress", cast.owner.pk),
        ("in_progress", "requested", cast.owner.pk),
        ("requested", "closed", cast.leader.pk),
    ]
    assert ChangeRecord.objects.filter(object_pk=str(item.pk), source="workflow").count() == 3
    assert Notification.objects.filter(recipient=cast.owner, key__contains="close_out").exists()


def test_first_progress_starts_an_open_item(cast):
    item = cast.item()
    _progress(cast, item, files=False)
    item.refresh_from_db()
    assert item.status == Status.IN_PROGRESS


def test_close_out_request_without_evidence_is_refused(cast):
    item = cast.item()
    _progress(cast, item, files=False)
    with pytest.raises(TransitionRefused, match="佐证|evidence"):
        services.transition(item=item, step="request_close_out", user=cast.owner)
    item.refresh_from_db()
    assert item.status == Status.IN_PROGRESS


def _requested(cast, **kw):
    item = cast.item(**kw)
    _progress(cast, item)
    services.transition(item=item, step="request_close_out", user=cast.owner)
    return item


def test_the_responsible_person_cannot_close_out_his_own_item(cast):
    # Even holding a reviewing role, the responsible person may not review himself.
    item = _requested(cast, responsible_person=cast.leader_person)
    with pytest.raises(TransitionRefused):
        services.transition(item=item, step="close_out", user=cast.leader)
    item.refresh_from_db()
    assert item.status == Status.REQUESTED


def test_a_role_without_review_right_cannot_close_out(cast):
    item = _requested(cast)
    for user in (cast.owner, cast.reader, user_with(Role.PARTY, cast.f.county_a)):
        with pytest.raises(PermissionDenied):
            services.transition(item=item, step="close_out", user=user)
    item.refresh_from_db()
    assert item.status == Status.REQUESTED


def test_a_reviewer_of_another_county_cannot_close_out(cast):
    item = _requested(cast)
    with pytest.raises(PermissionDenied):
        services.transition(item=item, step="close_out", user=cast.outsider)
    item.refresh_from_db()
    assert item.status == Status.REQUESTED


def test_a_stale_version_is_refused(cast):
    item = _requested(cast)
    stale = item.version - 1
    with pytest.raises(kit.StaleEdit):
        services.transition(item=item, step="close_out", user=cast.leader, expected_version=stale)
    item.refresh_from_db()
    assert item.status == Status.REQUESTED


def test_rejection_needs_a_reason_and_returns_the_item(cast):
    item = _requested(cast)
    with pytest.raises(TransitionRefused):
        services.transition(item=item, step="reject_close_out", user=cast.discipline_a, reason="  ")
    services.transition(
        item=item, step="reject_close_out", user=cast.discipline_a, reason="佐证材料不全"
    )
    item.refresh_from_db()
    assert item.status == Status.IN_PROGRESS
    assert Transition.objects.filter(item=item).last().reason == "佐证材料不全"
    note = Notification.objects.get(recipient=cast.owner, key__contains="reject_close_out")
    assert "佐证材料不全" in note.body


def test_follow_up_review_reopens_a_closed_item_with_a_reason(cast):
    item = _requested(cast)
    services.transition(item=item, step="close_out", user=cast.leader)
    with pytest.raises(TransitionRefused):
        services.transition(item=item, step="reopen", user=cast.discipline_city, reason="")
    services.transition(
        item=item, step="reopen", user=cast.discipline_city, reason="回头看发现问题反弹"
    )
    item.refresh_from_db()
    assert item.status == Status.IN_PROGRESS and item.closed_at is None and item.closed_by is None


@pytest.mark.parametrize(
    "status,step",
    [
        ("open", "close_out"),
        ("open", "reopen"),
        ("in_progress", "start"),
        ("in_progress", "close_out"),
        ("requested", "request_close_out"),
        ("closed", "close_out"),
        ("closed", "request_close_out"),
    ],
)
def test_steps_outside_the_table_are_refused(cast, status, step):
    item = cast.item()
    type(item).objects.filter(pk=item.pk).update(status=status)
    item.refresh_from_db()
    with pytest.raises(TransitionRefused):
        services.transition(item=item, step=step, user=cast.discipline_city, reason="x")
    item.refresh_from_db()
    assert item.status == status


def test_unknown_step_is_refused(cast):
    with pytest.raises(TransitionRefused):
        services.transition(item=cast.item(), step="delete_everything", user=cast.leader)


def test_allowed_steps_follow_role_and_state(cast):
    item = _requested(cast)
    # The leader decides (or, on the responsible side too, takes the request back); the owner
    # may only take it back.
    assert [s.name for s in services.allowed_steps(item, cast.leader)] == [
        "withdraw_close_out",
        "close_out",
        "reject_close_out",
    ]
    assert [s.name for s in services.allowed_steps(item, cast.owner)] == ["withdraw_close_out"]
    assert services.allowed_steps(item, cast.outsider) == []


def test_closed_items_take_no_measures_or_progress(cast):
    item = _requested(cast)
    services.transition(item=item, step="close_out", user=cast.leader)
    with pytest.raises(TransitionRefused):
        services.add_measure(item=item, user=cast.owner, description="x")
    with pytest.raises(TransitionRefused):
        services.add_progress(item=item, user=cast.owner, text="x")


def test_progress_refuses_future_dates_bad_files_and_wrong_checkins(cast, today):
    import datetime

    item = cast.item()
    with pytest.raises(ValidationError):
        services.add_progress(
            item=item, user=cast.owner, text="x", date=today + datetime.timedelta(days=1)
        )
    with pytest.raises(ValidationError):
        services.add_progress(
            item=item, user=cast.owner, text="x", files=[SimpleUploadedFile("virus.exe", b"MZ")]
        )
    with pytest.raises(ValidationError):
        services.add_progress(item=item, user=cast.owner, text="x", is_checkin=True)
    with pytest.raises(ValidationError):
        services.add_progress(item=item, user=cast.owner, text="  ")
    assert not item.progress.exists()


def test_measures_have_owner_deadline_and_state(cast, today):
    item = cast.item()
    m = services.add_measure(
        item=item,
        user=cast.owner,
        description="统一合同文本",
        owner=cast.owner_person,
        deadline=today,
    )
    services.set_measure_state(measure=m, state="done", user=cast.owner, expected_version=1)
    m.refresh_from_db()
    assert (m.state, m.version) == ("done", 2)
    with pytest.raises(kit.StaleEdit):
        services.set_measure_state(measure=m, state="planned", user=cast.owner, expected_version=1)


def test_outsiders_cannot_add_measures_or_progress(cast):
    item = cast.item()
    with pytest.raises(PermissionDenied):
        services.add_measure(item=item, user=cast.outsider, description="x")
    with pytest.raises(PermissionDenied):
        services.add_progress(item=item, user=cast.reader, text="x")


def test_ongoing_items_have_periodic_checkins(cast, today):
    import datetime

    item = cast.item(
        kind=Kind.ONGOING,
        deadline=None,
        found_date=today - datetime.timedelta(days=100),
        checkin_every_days=90,
    )
    assert item.next_checkin_due() == today - datetime.timedelta(days=10)
    services.add_progress(item=item, user=cast.owner, text="季度报告", is_checkin=True)
    assert item.next_checkin_due() == today + datetime.timedelta(days=90)
    assert not item.is_overdue()


def test_model_rules_for_kinds_and_dates(cast, today):
    import datetime

    from gongxiao.rectification.models import RectificationItem

    item = RectificationItem(
        unit=cast.f.a1,
        title="x",
        source="other",
        category="other",
        found_date=today,
        kind=Kind.DEADLINE,
    )
    with pytest.raises(ValidationError) as err:
        item.full_clean()
    assert "deadline" in err.value.message_dict
    item.deadline = today - datetime.timedelta(days=1)
    with pytest.raises(ValidationError):
        item.full_clean()
    item.kind, item.deadline = Kind.IMMEDIATE, None
    item.full_clean()
    assert item.deadline == today + datetime.timedelta(days=7)


def test_items_from_other_records_keep_their_source(cast, today):
    # Any Gongxiao record can be the source; a Person stands in until the supervision app lands.
    record = cast.owner_person
    item = services.create_item_from(
        record=record,
        user=cast.leader,
        unit=cast.f.a1,
        title="来自记录",
        source="inspection",
        category="conduct",
        found_date=today,
        kind=Kind.DEADLINE,
        deadline=today,
    )
    item.refresh_from_db()
    assert item.source_record == record
