"""Regression tests for procedure bypasses found in review."""

import datetime

import pytest
from django.test import Client

from gongxiao.core import services as kit
from gongxiao.decisions import services
from gongxiao.decisions.services import ProcedureRefused, verify_seals
from gongxiao.org.tests.factories import PersonFactory


def test_attendance_is_fixed_once_anyone_has_stated(board):
    board.state(board.members[0])
    with pytest.raises(ProcedureRefused):
        services.set_attendance(
            meeting=board.meeting,
            person=PersonFactory(unit=board.f.county_a),
            user=board.secretary,
            present=False,
            absence_reason="后补",
        )
    with pytest.raises(ProcedureRefused):
        services.set_attendance(
            meeting=board.meeting, person=board.members[1], user=board.secretary, is_principal=True
        )


def test_a_matter_cannot_be_edited_once_voting_began(board):
    board.state(board.members[0])
    c = Client()
    c.force_login(board.secretary)
    url = f"/ledgers/decisions/matters/{board.matter.pk}/edit/"
    resp = c.post(
        url,
        {
            "meeting": board.meeting.pk,
            "order": 1,
            "category": "cadre",
            "title": "改",
            "version": board.matter.version,
        },
        follow=True,
    )
    assert any(m.level_tag == "error" for m in resp.context["messages"])
    board.matter.refresh_from_db()
    assert board.matter.category == "decision"


def test_deferral_bumps_the_version_so_an_older_form_is_refused(board):
    old = board.matter.version
    services.defer_matter(matter=board.matter, user=board.secretary, reason="材料不全")
    board.matter.refresh_from_db()
    assert board.matter.version == old + 1
    board.matter.decision_text = "覆盖"
    with pytest.raises(kit.StaleEdit):
        kit.update_row(obj=board.matter, expected_version=old, user=board.secretary)


def test_the_decision_is_written_after_the_vote_with_its_version(board):
    board.all_agree()
    board.matter.refresh_from_db()
    services.set_decision_text(
        matter=board.matter,
        user=board.secretary,
        text="同意实施",
        expected_version=board.matter.version,
    )
    board.matter.refresh_from_db()
    assert board.matter.decision_text == "同意实施"
    with pytest.raises(kit.StaleEdit):
        services.set_decision_text(
            matter=board.matter,
            user=board.secretary,
            text="x",
            expected_version=board.matter.version - 1,
        )


def test_renaming_a_person_does_not_break_a_seal(board):
    board.all_agree()
    services.seal_meeting(meeting=board.meeting, user=board.secretary)
    board.principal.name = "改了名字的书记"
    board.principal.save()
    assert verify_seals() == []


def test_a_meeting_moved_to_another_year_takes_a_new_number(board):
    from gongxiao.decisions.tests.factories import MeetingFactory

    m = MeetingFactory(unit=board.f.county_b, date=datetime.date(2023, 12, 30))
    MeetingFactory(unit=board.f.county_b, date=datetime.date(2024, 1, 10))
    m.date = datetime.date(2024, 1, 3)
    m.save()
    assert (m.year, m.sequence) == (2024, 2)
