"""The decision pages outside the generic kit keep to the user's scope."""

import pytest
from django.test import Client

from gongxiao.decisions.models import Attendance, Statement
from gongxiao.org.roles import Role
from gongxiao.org.tests.factories import PersonFactory, user_with


@pytest.mark.parametrize("role", [Role.LEADER, Role.SYSADMIN, Role.PARTY, Role.READ_ONLY])
def test_a_county_b_user_cannot_touch_county_a_meetings(board, role):
    outsider = user_with(role, board.f.county_b)
    c = Client()
    c.force_login(outsider)
    m, matter = board.meeting, board.matter
    p = board.members[0]
    assert c.post(f"/decisions/meetings/{m.pk}/attendance/", {"person": p.pk}).status_code == 404
    assert c.post(f"/decisions/meetings/{m.pk}/seal/").status_code == 404
    assert c.post(f"/decisions/meetings/{m.pk}/amendments/", {"text": "x"}).status_code == 404
    assert c.get(f"/decisions/meetings/{m.pk}/minutes.docx").status_code == 404
    assert (
        c.post(
            f"/decisions/matters/{matter.pk}/statements/", {"person": p.pk, "position": "agree"}
        ).status_code
        == 404
    )
    assert c.post(f"/decisions/matters/{matter.pk}/defer/", {"reason": "x"}).status_code == 404
    assert c.post(f"/decisions/matters/{matter.pk}/follow-ups/", {"text": "x"}).status_code == 404
    assert not Statement.objects.exists()
    assert matter.outcome == "pending" and not m.sealed_at
    if c.get("/decisions/filing/").status_code == 200:
        assert matter.title not in c.get("/decisions/filing/").content.decode()


def test_attendance_page_offers_only_people_in_reach(board):
    PersonFactory(unit=board.f.b1, name="乙县人员")
    c = Client()
    c.force_login(board.secretary)
    html = c.get(f"/ledgers/decisions/meetings/{board.meeting.pk}/").content.decode()
    assert "乙县人员" not in html and "委员1" in html
    stranger = PersonFactory(unit=board.f.b1)
    c.post(
        f"/decisions/meetings/{board.meeting.pk}/attendance/",
        {"person": stranger.pk, "present": "on"},
    )
    assert not Attendance.objects.filter(person=stranger).exists()


def test_the_procedure_through_the_page(board):
    c = Client()
    c.force_login(board.secretary)
    url = f"/decisions/matters/{board.matter.pk}/statements/"
    resp = c.post(url, {"person": board.principal.pk, "position": "agree"}, follow=True)
    assert any(
        m.level_tag == "error" for m in resp.context["messages"]
    )  # principal leader first: refused
    for p in board.present_members:
        c.post(url, {"person": p.pk, "position": "agree"})
    c.post(url, {"person": board.principal.pk, "position": "agree"})
    board.matter.refresh_from_db()
    assert board.matter.outcome == "passed"
    c.post(f"/decisions/meetings/{board.meeting.pk}/seal/")
    board.meeting.refresh_from_db()
    assert board.meeting.sealed_at
    html = c.get(f"/ledgers/decisions/meetings/{board.meeting.pk}/").content.decode()
    assert 'data-sealed="true"' in html and 'id="btn-edit"' not in html and 'id="seals"' in html
