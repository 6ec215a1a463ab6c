"""The procedure of collective decision: each refusal, and the outcome rule."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from gongxiao.decisions import services
from gongxiao.decisions.models import Attendance, DecisionRule, Outcome
from gongxiao.decisions.services import ProcedureRefused
from gongxiao.org.roles import Role
from gongxiao.org.tests.factories import PersonFactory, user_with


def test_meetings_are_numbered_per_unit_body_and_year(federation):
    from gongxiao.decisions.tests.factories import MeetingFactory

    a = MeetingFactory(unit=federation.county_a, body="party_group")
    b = MeetingFactory(unit=federation.county_a, body="party_group")
    c = MeetingFactory(unit=federation.county_a, body="board")
    d = MeetingFactory(unit=federation.county_b, body="party_group")
    assert (a.sequence, b.sequence, c.sequence, d.sequence) == (1, 2, 1, 1)
    assert a.year == a.date.year


def test_only_present_voting_members_state(board):
    absent = PersonFactory(unit=board.f.county_a, name="缺席委员")
    services.set_attendance(
        meeting=board.meeting,
        person=absent,
        user=board.secretary,
        present=False,
        absence_reason="病假",
    )
    stranger = PersonFactory(unit=board.f.county_a, name="外人")
    with pytest.raises(ProcedureRefused, match="缺席委员"):
        board.state(absent)
    with pytest.raises(ProcedureRefused):
        board.state(board.attendee)  # 列席: no vote
    with pytest.raises(ProcedureRefused):
        board.state(stranger)
    assert not board.matter.statements.exists()


def test_the_principal_leader_states_last(board):
    board.state(board.members[0])
    with pytest.raises(ProcedureRefused) as err:
        board.state(board.principal)
    assert board.members[1].name in str(err.value)
    for p in board.members[1:]:
        board.state(p)
    board.state(board.principal)
    assert board.matter.statements.last().person == board.principal


def test_a_member_states_once(board):
    board.state(board.members[0])
    with pytest.raises(ProcedureRefused):
        board.state(board.members[0], "disagree")
    assert board.matter.statements.get().position == "agree"


def test_an_absence_needs_a_reason_and_attendance_is_fixed_once_stated(board):
    p = PersonFactory(unit=board.f.county_a)
    with pytest.raises(ValidationError):
        services.set_attendance(
            meeting=board.meeting, person=p, user=board.secretary, present=False
        )
    board.state(board.members[0])
    with pytest.raises(ProcedureRefused):
        services.set_attendance(
            meeting=board.meeting,
            person=board.members[0],
            user=board.secretary,
            present=False,
            absence_reason="离席",
        )


def test_no_statement_without_quorum(make_board):
    # 7 due, 4 absent: 3 present is not more than half.
    board = make_board(n=7, absent=4)
    with pytest.raises(ProcedureRefused, match="3"):
        board.state(board.present_members[0])


def test_cadre_appointments_need_two_thirds_present(make_board):
    # 9 due, 4 absent: 5 present is more than half but less than two thirds.
    board = make_board(n=9, absent=4, category="cadre")
    with pytest.raises(ProcedureRefused):
        board.state(board.present_members[0])
    # The same attendance suffices for another category.
    from gongxiao.decisions.tests.factories import MatterFactory

    other = MatterFactory(meeting=board.meeting, category="funds", amount=120)
    board.state(board.present_members[0], matter=other)


@pytest.mark.parametrize(
    "due,absent,agree,expected",
    [
        (7, 0, 4, Outcome.PASSED),  # 4 > 7/2
        (7, 0, 3, Outcome.REJECTED),  # 3 is not more than half of 7
        (8, 0, 4, Outcome.REJECTED),  # exactly half of 8 is not more than half
        (8, 0, 5, Outcome.PASSED),
        (9, 3, 5, Outcome.PASSED),  # 6 present, 5 agree: more than half of the 9 due
        (9, 3, 4, Outcome.REJECTED),  # 4 of 6 present agree, but 4 is not more than half of 9 due
    ],
)
def test_passed_when_agreeing_members_exceed_half_of_members_due(
    make_board, due, absent, agree, expected
):
    board = make_board(n=due, absent=absent)
    voters = [*board.present_members, board.principal]
    for i, p in enumerate(voters):
        board.state(p, "agree" if i < agree else "disagree")
    board.matter.refresh_from_db()
    assert board.matter.outcome == expected


def test_outcome_waits_for_every_present_member(board):
    for p in board.present_members[:4]:
        board.state(p)
    board.matter.refresh_from_db()
    assert board.matter.outcome == Outcome.PENDING  # 4 agree already, but two have not stated


def test_deferred_when_more_ask_to_defer_than_disagree(make_board):
    board = make_board(n=5)
    positions = ["defer", "defer", "disagree", "agree"]
    for p, pos in zip(board.present_members, positions, strict=True):
        board.state(p, pos)
    board.state(board.principal, "agree")
    board.matter.refresh_from_db()
    assert board.matter.outcome == Outcome.DEFERRED
    with pytest.raises(ProcedureRefused):
        board.state(board.members[0])


def test_the_rule_is_data(make_board):
    DecisionRule.objects.create(
        body="board",
        category="funds",
        quorum_num=2,
        quorum_den=3,
        quorum_strict=False,
        pass_num=2,
        pass_den=3,
        pass_strict=False,
    )
    board = make_board(n=6, body="board", category="funds")
    for i, p in enumerate([*board.present_members, board.principal]):
        board.state(p, "agree" if i < 4 else "disagree")  # 4 of 6 = two thirds: enough
    board.matter.refresh_from_db()
    assert board.matter.outcome == Outcome.PASSED
    assert services.rule_for("board", "funds").pass_den == 3
    assert services.rule_for("party_group", "cadre").quorum_den == 3  # the seeded default
    assert services.rule_for("party_group", "funds").quorum_num == 1


def test_deferring_a_matter_needs_a_reason_and_no_statement(board):
    with pytest.raises(ValidationError):
        services.defer_matter(matter=board.matter, user=board.secretary, reason="")
    services.defer_matter(matter=board.matter, user=board.secretary, reason="材料不全")
    board.matter.refresh_from_db()
    assert board.matter.outcome == Outcome.DEFERRED and "材料不全" in board.matter.decision_text


def test_users_out_of_scope_or_without_rights_cannot_record(board):
    outsider = user_with(Role.SYSADMIN, board.f.county_b)
    reader = user_with(Role.READ_ONLY, board.f.county_a)
    for user in (outsider, reader):
        with pytest.raises(PermissionDenied):
            services.record_statement(
                matter=board.matter, person=board.members[0], position="agree", user=user
            )
    assert not board.matter.statements.exists()


def test_follow_up_only_for_passed_decisions(board):
    import datetime

    with pytest.raises(ProcedureRefused):
        services.add_follow_up(
            matter=board.matter, user=board.secretary, text="x", date=datetime.date.today()
        )
    board.all_agree()
    f = services.add_follow_up(
        matter=board.matter, user=board.secretary, text="已签订合同", date=datetime.date.today()
    )
    assert f.pk and board.matter.follow_ups.count() == 1


def test_attendance_roles(board):
    assert board.meeting.members_due() == 7
    assert board.meeting.attendances.filter(role=Attendance.Role.ATTENDEE).count() == 1
