import pytest

from gongxiao.decisions import anchors, services
from gongxiao.decisions.models import Attendance
from gongxiao.decisions.tests.factories import MatterFactory, MeetingFactory
from gongxiao.org.roles import Role
from gongxiao.org.tests.factories import PersonFactory, user_with


class Board:
    """A party group of county A with `n` members due: the principal leader (书记) and others."""

    def __init__(self, f, n=7, absent=0, category="decision", body="party_group"):
        self.f = f
        self.secretary = user_with(Role.PARTY, f.county_a)
        self.meeting = MeetingFactory(unit=f.county_a, body=body)
        self.principal = PersonFactory(unit=f.county_a, name="书记")
        self.members = [PersonFactory(unit=f.county_a, name=f"委员{i}") for i in range(1, n)]
        services.set_attendance(
            meeting=self.meeting, person=self.principal, user=self.secretary, is_principal=True
        )
        for i, p in enumerate(self.members):
            present = i >= absent
            services.set_attendance(
                meeting=self.meeting,
                person=p,
                user=self.secretary,
                present=present,
                absence_reason="" if present else "出差",
            )
        self.attendee = PersonFactory(unit=f.county_a, name="列席人员")
        services.set_attendance(
            meeting=self.meeting,
            person=self.attendee,
            user=self.secretary,
            role=Attendance.Role.ATTENDEE,
        )
        self.matter = MatterFactory(meeting=self.meeting, category=category)

    @property
    def present_members(self):
        return [p for p in self.members if self.meeting.attendances.get(person=p).present]

    def state(self, person, position="agree", matter=None):
        return services.record_statement(
            matter=matter or self.matter, person=person, position=position, user=self.secretary
        )

    def all_agree(self, matter=None):
        for p in self.present_members:
            self.state(p, matter=matter)
        self.state(self.principal, matter=matter)


@pytest.fixture
def board(federation):
    return Board(federation)


@pytest.fixture
def make_board(federation):
    return lambda **kw: Board(federation, **kw)


REAL_AFTER_COMMIT = anchors.after_commit


@pytest.fixture(autouse=True)
def seal_anchors(settings, tmp_path, monkeypatch):
    """Each test its own anchors file, written at once: a test runs in one transaction that
    never commits, and each seal is to be anchored as if its own transaction had."""
    settings.GONGXIAO_SEAL_ANCHORS = tmp_path / "seal-anchors.jsonl"
    monkeypatch.setattr(anchors, "after_commit", anchors.anchor_seal)
    return settings.GONGXIAO_SEAL_ANCHORS
