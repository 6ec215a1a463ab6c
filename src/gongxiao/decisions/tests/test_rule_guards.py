"""Tests that pin each rule of collective decision and of sealing at its boundary, so that a
plausible one-line change to the rule (a `>=` for a `>`, a field left out of the seal, one chain
for all units, a digest without its previous link) fails the suite (issue 13, item 11)."""

import datetime

import pytest
from django.db import DatabaseError, connection, transaction
from django.db.models import QuerySet

from gongxiao.decisions import services
from gongxiao.decisions.models import Attendance, Outcome, Seal
from gongxiao.decisions.services import ProcedureRefused, verify_seals
from gongxiao.decisions.tests.factories import MatterFactory, MeetingFactory
from gongxiao.org.roles import Role
from gongxiao.org.tests.factories import PersonFactory, user_with

# --- quorum: more than half of the members due; at least two thirds for cadre appointments --


def test_exactly_half_present_is_no_quorum(make_board):
    board = make_board(n=8, absent=4)  # 4 of 8 present
    t = services.tally(board.matter)
    assert (t.due, t.present, t.quorum) == (8, 4, False)
    with pytest.raises(ProcedureRefused):
        board.state(board.present_members[0])
    assert not board.matter.statements.exists()


def test_one_more_than_half_present_is_a_quorum(make_board):
    board = make_board(n=8, absent=3)  # 5 of 8 present
    assert services.tally(board.matter).quorum
    board.all_agree()
    board.matter.refresh_from_db()
    assert board.matter.outcome == Outcome.PASSED


@pytest.mark.parametrize("due,absent", [(9, 3), (6, 2), (3, 1)])
def test_exactly_two_thirds_present_is_a_quorum_for_a_cadre_appointment(make_board, due, absent):
    # The seeded rule (migration 0002): "two thirds for cadre appointments" — at least 2/3.
    board = make_board(n=due, absent=absent, category="cadre")
    t = services.tally(board.matter)
    assert t.present * 3 == t.due * 2 and t.quorum
    board.all_agree()
    board.matter.refresh_from_db()
    assert board.matter.outcome == Outcome.PASSED


@pytest.mark.parametrize("due,absent", [(9, 4), (6, 3)])
def test_one_short_of_two_thirds_is_no_quorum_for_a_cadre_appointment(make_board, due, absent):
    board = make_board(n=due, absent=absent, category="cadre")
    assert not services.tally(board.matter).quorum
    with pytest.raises(ProcedureRefused):
        board.state(board.present_members[0])


def test_a_cadre_appointment_with_exactly_two_thirds_agreeing_passes(make_board):
    # Quorum is two thirds; passing stays "more than half of the members due": 6 of 9 pass.
    board = make_board(n=9, absent=3, category="cadre")
    voters = [*board.present_members, board.principal]
    for p in voters:
        board.state(p, "agree")
    board.matter.refresh_from_db()
    assert board.matter.outcome == Outcome.PASSED
    # And a cadre appointment with exactly half of those due agreeing does not.
    board = make_board(n=6, absent=2, category="cadre")  # 4 of 6 present: quorum
    voters = [*board.present_members, board.principal]
    for i, p in enumerate(voters):
        board.state(p, "agree" if i < 3 else "disagree")
    board.matter.refresh_from_db()
    assert board.matter.outcome == Outcome.REJECTED


@pytest.mark.django_db
def test_the_seeded_rules_read_as_the_spec_says():
    rule = services.rule_for("party_group", "decision")
    assert (rule.quorum_met(4, 8), rule.quorum_met(5, 8)) == (False, True)
    assert (rule.passes(4, 8), rule.passes(5, 8)) == (False, True)
    cadre = services.rule_for("party_group", "cadre")
    assert (cadre.quorum_met(5, 9), cadre.quorum_met(6, 9)) == (False, True)
    assert (cadre.passes(3, 6), cadre.passes(4, 6)) == (False, True)


# --- seals: every canonical field is covered ----------------------------------------------


def _raw(sql, params=()):
    with connection.cursor() as cur:
        cur.execute(sql, params)


def _raw_or_refused(sql, params=()) -> bool:
    """Run a tampering statement; False when the database itself refuses it (a trigger that
    keeps the table append-only), which protects the row better than any check after it."""
    try:
        with transaction.atomic():
            _raw(sql, params)
    except DatabaseError:
        return False
    return True


def _sealed(board):
    board.all_agree()
    return services.seal_meeting(meeting=board.meeting, user=board.secretary)


def _flip(value):
    return not value


# (table, column, new value from the board, which row)
MEETING = "decisions_meeting"
ATTENDANCE = "decisions_attendance"
MATTER = "decisions_matter"
STATEMENT = "decisions_statement"
FIELDS = [
    (MEETING, "unit_id", lambda b: b.f.county_b.pk),
    (MEETING, "body", lambda b: "board"),
    (MEETING, "year", lambda b: b.meeting.year + 1),
    (MEETING, "sequence", lambda b: 99),
    (MEETING, "date", lambda b: b.meeting.date + datetime.timedelta(days=1)),
    (MEETING, "place", lambda b: "另一会议室"),
    (MEETING, "minutes", lambda b: "改过的记录"),
    (MEETING, "chair_id", lambda b: b.principal.pk),
    (ATTENDANCE, "person_id", lambda b: PersonFactory(unit=b.f.county_a).pk),
    (ATTENDANCE, "role", lambda b: "attendee"),
    (ATTENDANCE, "is_principal", lambda b: True),
    (ATTENDANCE, "present", lambda b: False),
    (ATTENDANCE, "absence_reason", lambda b: "病假"),
    (MATTER, "order", lambda b: 7),
    (MATTER, "category", lambda b: "funds"),
    (MATTER, "title", lambda b: "改过的议题"),
    (MATTER, "amount", lambda b: 120),
    (MATTER, "proposer_id", lambda b: b.principal.pk),
    (MATTER, "materials", lambda b: "补充材料"),
    (MATTER, "feasibility_study", lambda b: True),
    (MATTER, "legal_review", lambda b: True),
    (MATTER, "opinions_solicited", lambda b: True),
    (MATTER, "risk_assessment", lambda b: True),
    (MATTER, "party_prior_study", lambda b: _flip(b.matter.party_prior_study)),
    (MATTER, "outcome", lambda b: "rejected"),
    (MATTER, "decision_text", lambda b: "改过的决定"),
    (STATEMENT, "sequence", lambda b: 99),
    (STATEMENT, "person_id", lambda b: PersonFactory(unit=b.f.county_a).pk),
    (STATEMENT, "position", lambda b: "disagree"),
    (STATEMENT, "remarks", lambda b: "补记的意见"),
]


def _row_id(board, table):
    member = board.members[0]
    if table == MEETING:
        return board.meeting.pk
    if table == MATTER:
        return board.matter.pk
    if table == ATTENDANCE:
        return board.meeting.attendances.get(person=member).pk
    return board.matter.statements.get(person=member).pk


@pytest.mark.parametrize(
    "table,column,value", FIELDS, ids=[f"{t.split('_', 1)[1]}.{c}" for t, c, _v in FIELDS]
)
def test_every_canonical_field_changed_after_sealing_is_caught(board, table, column, value):
    _sealed(board)
    assert verify_seals() == []
    new = value(board)
    _raw(f'UPDATE {table} SET "{column}" = %s WHERE id = %s', [new, _row_id(board, table)])  # noqa: S608
    problems = verify_seals()
    assert [p.code for p in problems] == ["changed"], (table, column)
    assert problems[0].meeting.pk == board.meeting.pk


@pytest.mark.parametrize(
    "what",
    ["attendance", "statement", "matter", "added_attendance"],
)
def test_a_row_removed_from_or_added_to_a_sealed_meeting_is_caught(board, what):
    _sealed(board)
    member = board.members[0]
    if what == "attendance":
        _raw("DELETE FROM decisions_attendance WHERE meeting_id = %s AND person_id = %s",
             [board.meeting.pk, board.attendee.pk])  # fmt: skip
    elif what == "statement":
        _raw("DELETE FROM decisions_statement WHERE matter_id = %s AND person_id = %s",
             [board.matter.pk, member.pk])  # fmt: skip
    elif what == "matter":
        second = board.matter
        _raw("DELETE FROM decisions_statement WHERE matter_id = %s", [second.pk])
        _raw("DELETE FROM decisions_matter WHERE id = %s", [second.pk])
    else:
        # Past the guard of the model's own queryset, as a script on the database would.
        extra = PersonFactory(unit=board.f.county_a)
        QuerySet(Attendance).bulk_create(
            [Attendance(meeting_id=board.meeting.pk, person=extra, role="attendee")]
        )
    assert [p.code for p in verify_seals()] == ["changed"]


@pytest.mark.parametrize("column", ["text", "created_by_id", "created_at", "meeting_id"])
def test_every_canonical_field_of_an_amendment_is_covered(board, make_board, column):
    _sealed(board)
    amendment = services.amend(meeting=board.meeting, user=board.secretary, text="更正第一项")
    other = make_board()
    _sealed(other)
    new = {
        "text": "篡改的更正",
        "created_by_id": user_with(Role.PARTY, board.f.county_a).pk,
        "created_at": amendment.created_at - datetime.timedelta(days=3),
        "meeting_id": other.meeting.pk,
    }[column]
    if not _raw_or_refused(
        f"UPDATE decisions_amendment SET {column} = %s WHERE id = %s",  # noqa: S608
        [new, amendment.pk],
    ):
        return  # the database keeps amendments append-only
    assert "changed" in [p.code for p in verify_seals()]


# --- chains: one per unit, each link covering the previous one ----------------------------


class Sitting:
    """A small sealed-ready meeting of any unit: three members, one matter, all agree."""

    def __init__(self, unit):
        self.secretary = user_with(Role.PARTY, unit)
        self.meeting = MeetingFactory(unit=unit)
        people = [PersonFactory(unit=unit) for _ in range(3)]
        for i, p in enumerate(people):
            services.set_attendance(
                meeting=self.meeting, person=p, user=self.secretary, is_principal=i == 0
            )
        self.matter = MatterFactory(meeting=self.meeting)
        for p in [*people[1:], people[0]]:
            services.record_statement(
                matter=self.matter, person=p, position="agree", user=self.secretary
            )

    def seal(self):
        return services.seal_meeting(meeting=self.meeting, user=self.secretary)


def test_each_unit_has_its_own_chain(federation):
    a, b = federation.county_a, federation.county_b
    a1 = Sitting(a).seal()
    b1 = Sitting(b).seal()
    a2_sitting = Sitting(a)
    a2 = a2_sitting.seal()
    amendment = services.amend(meeting=a2_sitting.meeting, user=a2_sitting.secretary, text="更正")
    b2 = Sitting(b).seal()
    a3 = Seal.objects.get(amendment=amendment)
    assert [(s.position, s.previous) for s in (a1, a2, a3)] == [
        (1, ""),
        (2, a1.digest),
        (3, a2.digest),
    ]
    assert [(s.position, s.previous) for s in (b1, b2)] == [(1, ""), (2, b1.digest)]
    assert verify_seals() == []
    assert verify_seals(units=[b]) == [] and verify_seals(units=[a]) == []
    # Breaking B's chain is B's alone.
    _raw("UPDATE decisions_meeting SET minutes = %s WHERE id = %s", ["改", b1.meeting_id])
    problems = verify_seals()
    assert [(p.code, p.seal.unit_id) for p in problems] == [("changed", b.pk)]
    assert verify_seals(units=[a]) == []


def test_the_digest_covers_the_previous_link(board, make_board):
    first = _sealed(board)
    second_board = make_board()
    second = _sealed(second_board)
    content = services.canonical_meeting(second_board.meeting)
    assert services.digest(first.digest, content, second.sealed_at) == second.digest
    assert services.digest("0" * 64, content, second.sealed_at) != second.digest
    # Someone rewrites the first meeting, recomputes its seal with the public function and
    # relinks the second: the second seal no longer matches what it covered.
    _raw("UPDATE decisions_meeting SET minutes = %s WHERE id = %s", ["改", board.meeting.pk])
    forged = services.digest("", services.canonical_meeting(board.meeting), first.sealed_at)
    if not _raw_or_refused(
        "UPDATE decisions_seal SET digest = %s WHERE id = %s", [forged, first.pk]
    ):
        return  # the database keeps seals append-only
    _raw("UPDATE decisions_seal SET previous = %s WHERE id = %s", [forged, second.pk])
    problems = verify_seals()
    assert any(p.seal.pk == second.pk and p.code == "changed" for p in problems), problems


# --- the canonical form itself: changing it would break every seal already stored ----------


def test_the_canonical_form_of_an_amendment_is_fixed(board):
    _sealed(board)
    amendment = services.amend(
        meeting=board.meeting, user=board.secretary, text="更正：金额120万元"
    )
    at = amendment.created_at.astimezone(datetime.UTC).isoformat()
    assert services.canonical_amendment(amendment) == (
        f'{{"at":"{at}","by":{board.secretary.pk},"meeting":{board.meeting.pk},'
        '"text":"更正：金额120万元"}'
    )


def test_the_canonical_form_of_a_meeting_is_fixed(make_board):
    board = make_board(n=2)
    board.all_agree()
    m, x = board.meeting, board.matter
    principal, member = board.principal, board.members[0]
    atts = sorted(
        [
            [principal.pk, "member", True, True, ""],
            [member.pk, "member", False, True, ""],
            [board.attendee.pk, "attendee", False, True, ""],
        ]
    )
    att_json = ",".join(
        f'[{p},"{r}",{str(i).lower()},{str(pr).lower()},"{a}"]' for p, r, i, pr, a in atts
    )
    s1, s2 = x.statements.order_by("sequence")
    assert services.canonical_meeting(m) == (
        f'{{"attendance":[{att_json}],"body":"party_group","chair":null,'
        f'"date":"{m.date.isoformat()}","matters":[{{"amount":null,"category":"decision",'
        f'"decision":"","materials":"","order":1,"outcome":"passed","party_prior_study":false,'
        f'"prior":[false,false,false,false],"proposer":null,'
        f'"statements":[[1,{s1.person_id},"agree",""],[2,{s2.person_id},"agree",""]],'
        f'"title":"{x.title}"}}],"minutes":"会议记录","place":"{m.place}",'
        f'"sequence":{m.sequence},"unit":{m.unit_id},"year":{m.year}}}'
    )


def test_a_broken_line_names_the_link_and_the_meeting(board):
    seal = _sealed(board)
    _raw("UPDATE decisions_meeting SET minutes = %s WHERE id = %s", ["改", board.meeting.pk])
    (problem,) = verify_seals()
    assert str(problem).startswith(f"#{seal.position} {problem.meeting}：")


def test_as_many_asking_to_defer_as_disagreeing_is_rejected_not_deferred(make_board):
    # Deferred only when *more* ask to defer than disagree; 2 agree of 5 due do not pass.
    board = make_board(n=5)
    for p, pos in zip(
        board.present_members, ["defer", "defer", "disagree", "disagree"], strict=True
    ):
        board.state(p, pos)
    board.state(board.principal, "agree")
    board.matter.refresh_from_db()
    assert board.matter.outcome == Outcome.REJECTED
