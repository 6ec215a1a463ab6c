"""Sealing: refused until complete; then no normal path changes the record; verify-seals catches
what changed behind the application's back, and a chain out of order."""

import datetime
import hashlib
import hmac

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.utils import timezone
from rest_framework.test import APIClient

from gongxiao.core import appendonly
from gongxiao.decisions import services
from gongxiao.decisions.models import (
    Amendment,
    Attendance,
    Matter,
    Meeting,
    Seal,
    SealedRecordError,
    Statement,
)
from gongxiao.decisions.services import ProcedureRefused, verify_seals


def _sealed(board):
    board.all_agree()
    return services.seal_meeting(meeting=board.meeting, user=board.secretary)


def test_sealing_is_refused_while_a_matter_lacks_an_outcome(board):
    with pytest.raises(ProcedureRefused, match=board.matter.title):
        services.seal_meeting(meeting=board.meeting, user=board.secretary)
    assert not Meeting.objects.get(pk=board.meeting.pk).sealed_at


def test_sealing_is_refused_without_minutes(board):
    board.all_agree()
    Meeting.objects.filter(pk=board.meeting.pk).update(minutes="  ")
    with pytest.raises(ProcedureRefused):
        services.seal_meeting(meeting=board.meeting, user=board.secretary)
    assert not Seal.objects.exists()


def test_a_seal_is_an_hmac_chained_to_the_units_previous_seal(board, make_board):
    first = _sealed(board)
    assert len(first.digest) == 64 and first.previous == "" and first.position == 1
    assert first.scheme == "hmac-v1"
    at = timezone.localtime(first.sealed_at)  # any time zone: the digest reads it in UTC
    content = services.canonical_meeting(board.meeting)
    assert first.digest == services.digest("", content, at)
    stamp = at.astimezone(datetime.UTC).isoformat()
    message = f"\n{stamp}\n{content}".encode()
    key = settings.GONGXIAO_SEAL_KEY.encode()
    assert first.digest == hmac.new(key, message, hashlib.sha256).hexdigest()
    assert first.digest != hashlib.sha256(message).hexdigest()
    other = make_board()
    second = _sealed(other)
    assert (second.position, second.previous) == (2, first.digest)
    assert verify_seals() == []


def test_the_canonical_form_is_stable(board):
    _sealed(board)
    a = services.canonical_meeting(board.meeting)
    b = services.canonical_meeting(Meeting.objects.get(pk=board.meeting.pk))
    assert a == b and '"amount":null' in a


def test_a_sealed_meeting_cannot_change_through_the_orm(board):
    _sealed(board)
    meeting = Meeting.objects.get(pk=board.meeting.pk)
    meeting.minutes = "改过的记录"
    with pytest.raises(SealedRecordError):
        meeting.save()
    with pytest.raises(SealedRecordError):
        Meeting.objects.filter(pk=meeting.pk).update(minutes="改过的记录")
    with pytest.raises(SealedRecordError):
        Matter.objects.filter(meeting=meeting).update(title="改")
    with pytest.raises(SealedRecordError):
        Statement.objects.filter(matter__meeting=meeting).update(position="disagree")
    with pytest.raises(SealedRecordError):
        Statement.objects.filter(matter__meeting=meeting).delete()
    with pytest.raises(SealedRecordError):
        Attendance.objects.filter(meeting=meeting).update(present=False)
    m = Matter.objects.get(pk=board.matter.pk)
    m.decision_text = "改"
    with pytest.raises(SealedRecordError):
        m.save()
    with pytest.raises(SealedRecordError):
        Matter.objects.create(meeting=meeting, category="decision", title="补加议题")
    with pytest.raises(SealedRecordError):
        services.record_statement(
            matter=m, person=board.members[0], position="agree", user=board.secretary
        )
    assert verify_seals() == []


def test_a_sealed_meeting_cannot_change_through_pages_api_or_admin(board):
    from gongxiao.org.tests.factories import UserFactory

    _sealed(board)
    c = Client()
    c.force_login(board.secretary)
    url = f"/ledgers/decisions/meetings/{board.meeting.pk}/"
    resp = c.post(
        url + "edit/",
        {
            "unit": board.f.county_a.pk,
            "body": "party_group",
            "date": "2023-05-01",
            "minutes": "改",
            "version": board.meeting.version,
        },
        follow=True,
    )
    assert any(m.level_tag == "error" for m in resp.context["messages"])
    c.post(url + "delete/")
    c.post(f"/ledgers/decisions/matters/{board.matter.pk}/edit/", {"title": "改", "version": 1})
    c.post(
        f"/ledgers/decisions/matters/{board.matter.pk}/actions/state/",
        {"person": board.members[0].pk, "position": "agree", "version": board.matter.version},
    )
    api = APIClient()
    api.force_authenticate(board.secretary)
    assert api.patch(
        f"/api/decisions/meetings/{board.meeting.pk}/",
        {"minutes": "改", "version": 1},
        format="json",
    ).status_code in (403, 409)
    assert api.delete(f"/api/decisions/matters/{board.matter.pk}/").status_code in (403, 409)
    admin = UserFactory(is_staff=True, is_superuser=True)
    c.force_login(admin)
    c.post(f"/admin/decisions/meeting/{board.meeting.pk}/change/", {"minutes": "改"})
    assert (
        c.post(f"/admin/decisions/meeting/{board.meeting.pk}/delete/", {"post": "yes"}).status_code
        == 403
    )
    assert Meeting.objects.get(pk=board.meeting.pk).minutes == "会议记录"
    assert verify_seals() == []


def test_amendments_are_appended_and_sealed(board):
    with pytest.raises(ProcedureRefused):
        services.amend(meeting=board.meeting, user=board.secretary, text="x")
    seal = _sealed(board)
    a = services.amend(meeting=board.meeting, user=board.secretary, text="第2项议题金额应为120万元")
    s = Seal.objects.get(amendment=a)
    assert s.previous == seal.digest and s.kind == "amendment"
    with pytest.raises(SealedRecordError):
        a.delete()
    a.text = "改"
    with pytest.raises(SealedRecordError):
        a.save()
    assert verify_seals() == []


def _raw(sql, params):
    """As the database's owner would: past the append-only triggers (dropped, then restored)."""
    with appendonly.suspended(), connection.cursor() as cur:
        cur.execute(sql, params)


def test_verify_seals_catches_a_row_edited_directly_in_the_database(board, capsys):
    _sealed(board)
    call_command("verify-seals")
    assert "BROKEN" not in capsys.readouterr().out
    _raw(
        "UPDATE decisions_statement SET position = %s WHERE matter_id = %s AND person_id = %s",
        ["disagree", board.matter.pk, board.members[0].pk],
    )
    problems = verify_seals()
    assert len(problems) == 1 and problems[0].code == "changed"
    with pytest.raises(SystemExit) as exit_:
        call_command("verify-seals")
    assert exit_.value.code == 1
    out = capsys.readouterr().out
    assert "BROKEN" in out and str(Meeting.objects.get(pk=board.meeting.pk)) in out


def test_verify_seals_catches_an_edited_amendment_and_an_unsealed_meeting(board):
    _sealed(board)
    a = services.amend(meeting=board.meeting, user=board.secretary, text="更正")
    _raw("UPDATE decisions_amendment SET text = %s WHERE id = %s", ["篡改", a.pk])
    assert any(p.code == "changed" for p in verify_seals())
    _raw("UPDATE decisions_amendment SET text = %s WHERE id = %s", ["更正", a.pk])
    assert verify_seals() == []
    _raw("UPDATE decisions_meeting SET sealed_at = NULL WHERE id = %s", [board.meeting.pk])
    assert any(p.code == "unsealed" for p in verify_seals())


def test_verify_seals_catches_a_chain_out_of_order(board, make_board):
    _sealed(board)
    second = _sealed(make_board())
    third = _sealed(make_board())
    assert verify_seals() == []
    # Swap the second and third links.
    _raw("UPDATE decisions_seal SET position = %s WHERE id = %s", [99, second.pk])
    _raw("UPDATE decisions_seal SET position = %s WHERE id = %s", [2, third.pk])
    _raw("UPDATE decisions_seal SET position = %s WHERE id = %s", [3, second.pk])
    codes = {p.code for p in verify_seals()}
    assert "chain" in codes and codes <= {"chain", "anchor"}  # the anchors disagree too


def test_verify_seals_catches_a_removed_link(board, make_board):
    first = _sealed(board)
    _sealed(make_board())
    _raw("DELETE FROM decisions_seal WHERE id = %s", [first.pk])
    assert any(p.code == "chain" for p in verify_seals())
    assert any(p.code == "no_seal" for p in verify_seals())


def test_seals_cannot_be_changed_or_deleted_through_the_orm(board):
    seal = _sealed(board)
    seal.digest = "0" * 64
    with pytest.raises(SealedRecordError):
        seal.save()
    with pytest.raises(SealedRecordError):
        seal.delete()
    assert Amendment.objects.count() == 0


def test_verify_seals_catches_a_moved_sealing_time(board):
    seal = _sealed(board)
    with appendonly.suspended():
        Seal.objects.filter(pk=seal.pk).update(
            sealed_at=seal.sealed_at - datetime.timedelta(days=30)
        )
    assert [p.code for p in verify_seals()] == ["changed"]
