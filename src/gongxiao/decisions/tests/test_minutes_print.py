"""The printable minutes: the same record as the Word file (members, matters, statements,
votes, decisions, amendments, seals), for whoever may see the meeting; nobody of another county."""

import pytest
from django.test import Client

from gongxiao.decisions import services
from gongxiao.org.roles import Role
from gongxiao.org.tests.factories import user_with


def _client(user):
    c = Client()
    c.force_login(user)
    return c


def test_the_print_page_carries_the_minutes_with_matters_and_statements(board):
    board.all_agree()
    services.seal_meeting(meeting=board.meeting, user=board.secretary)
    services.amend(meeting=board.meeting, user=board.secretary, text="更正一处笔误")
    c = _client(board.secretary)
    detail = c.get(f"/ledgers/decisions/meetings/{board.meeting.pk}/").content.decode()
    assert f"/decisions/meetings/{board.meeting.pk}/minutes/" in detail
    page = c.get(f"/decisions/meetings/{board.meeting.pk}/minutes/").content.decode()
    assert "会议记录" in page and board.matter.title in page
    assert f"{board.principal.name}：同意" in page
    assert "表决情况" in page and "更正一处笔误" in page and "封存 #1" in page
    assert 'id="btn-print"' in page and "minutes.docx" in page
    assert '<nav class="navbar' not in page  # the page prints without the application around it


@pytest.mark.parametrize("role", [Role.LEADER, Role.READ_ONLY])
def test_another_county_cannot_print_the_minutes(board, role):
    outsider = _client(user_with(role, board.f.county_b))
    assert outsider.get(f"/decisions/meetings/{board.meeting.pk}/minutes/").status_code == 404
