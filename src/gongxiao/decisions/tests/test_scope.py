"""The procedure's steps (the kit's actions of meetings and matters) and the pages outside the
kit keep to the user's scope."""

import pytest
from django.test import Client

from gongxiao.decisions.models import Attendance, Matter, Meeting, Statement
from gongxiao.org.roles import Role
from gongxiao.org.tests.factories import PersonFactory, user_with


def act(c, obj, name, data=None, **kw):
    """Post the action `name` on `obj` through its page door, with the row's current version."""
    slug = "meetings" if isinstance(obj, Meeting) else "matters"
    version = type(obj).objects.get(pk=obj.pk).version
    url = f"/ledgers/decisions/{slug}/{obj.pk}/actions/{name}/"
    return c.post(url, {"version": version, **(data or {})}, **kw)


@pytest.mark.parametrize("role", [Role.LEADER, Role.SYSADMIN, Role.PARTY, Role.READ_ONLY])
def test_a_county_b_user_cannot_touch_county_a_meetings(board, role):
    outsider = user_with(role, board.f.county_b)
    c = Client()
    c.force_login(outsider)
    m, matter = board.meeting, board.matter
    p = board.members[0]
    assert act(c, m, "attendance", {"person": p.pk}).status_code == 404
    assert act(c, m, "seal").status_code == 404
    assert act(c, m, "amend", {"text": "x"}).status_code == 404
    assert c.get(f"/decisions/meetings/{m.pk}/minutes.docx").status_code == 404
    assert act(c, matter, "state", {"person": p.pk, "position": "agree"}).status_code == 404
    assert act(c, matter, "defer", {"reason": "x"}).status_code == 404
    assert act(c, matter, "follow_up", {"text": "x"}).status_code == 404
    assert act(c, matter, "decide", {"text": "x"}).status_code == 404
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
    resp = act(c, board.meeting, "attendance", {"person": stranger.pk, "present": "on"})
    assert resp.status_code == 400  # not a choice of the form
    assert not Attendance.objects.filter(person=stranger).exists()


def test_the_procedure_through_the_page(board):
    c = Client()
    c.force_login(board.secretary)
    state = {"person": board.principal.pk, "position": "agree"}
    resp = act(c, board.matter, "state", state, follow=True)
    assert any(
        m.level_tag == "error" and "最后表态" in str(m) for m in resp.context["messages"]
    )  # principal leader first: refused
    for p in board.present_members:
        assert (
            act(c, board.matter, "state", {"person": p.pk, "position": "agree"}).status_code == 302
        )
    act(c, board.matter, "state", state)
    board.matter.refresh_from_db()
    assert board.matter.outcome == "passed"
    assert Matter.objects.get(pk=board.matter.pk).decided_on == board.meeting.date
    act(c, board.meeting, "seal")
    board.meeting.refresh_from_db()
    assert board.meeting.sealed_at
    html = c.get(f"/ledgers/decisions/meetings/{board.meeting.pk}/").content.decode()
    assert 'data-sealed="true"' in html and 'id="btn-edit"' not in html and 'id="seals"' in html
