"""The outcome of a matter and the carrying out of a decision carry the days they happened."""

import datetime

import pytest
from django.core.exceptions import ValidationError

from gongxiao.decisions import services
from gongxiao.decisions.models import FollowUp, Outcome


def test_an_outcome_entered_later_is_dated_on_its_meeting(board):
    board.all_agree()
    board.matter.refresh_from_db()
    assert board.matter.outcome == Outcome.PASSED
    assert board.matter.decided_on == board.meeting.date


def test_a_deferral_is_dated_on_its_meeting(board):
    services.defer_matter(matter=board.matter, user=board.secretary, reason="材料不全")
    board.matter.refresh_from_db()
    assert board.matter.decided_on == board.meeting.date


@pytest.mark.parametrize(
    "days,word", [(None, "今天"), (-1, "会议")], ids=["future", "before the meeting"]
)
def test_carrying_out_cannot_be_dated_in_the_future_or_before_the_meeting(board, days, word):
    board.all_agree()
    date = (
        datetime.date.today() + datetime.timedelta(days=1)
        if days is None
        else board.meeting.date + datetime.timedelta(days=days)
    )
    with pytest.raises(ValidationError) as exc:
        services.add_follow_up(matter=board.matter, user=board.secretary, text="已实施", date=date)
    assert word in " ".join(exc.value.messages)
    assert not FollowUp.objects.exists()
    services.add_follow_up(
        matter=board.matter, user=board.secretary, text="已实施", date=board.meeting.date
    )
    assert FollowUp.objects.get().date == board.meeting.date


@pytest.mark.parametrize(
    "days,word", [(None, "今天"), (-1, "会议")], ids=["future", "before the meeting"]
)
def test_minutes_cannot_be_confirmed_in_the_future_or_before_the_meeting(board, days, word):
    from gongxiao.decisions.models import Meeting, Seal

    board.all_agree()
    on = (
        datetime.date.today() + datetime.timedelta(days=1)
        if days is None
        else board.meeting.date + datetime.timedelta(days=days)
    )
    with pytest.raises(ValidationError) as exc:
        services.seal_meeting(meeting=board.meeting, user=board.secretary, on=on)
    assert word in " ".join(exc.value.messages)
    assert not Seal.objects.exists()
    assert Meeting.objects.get(pk=board.meeting.pk).sealed_at is None


def test_minutes_confirmed_after_the_fact_keep_both_dates(board):
    from gongxiao.decisions.models import Meeting

    board.all_agree()
    confirmed = board.meeting.date + datetime.timedelta(days=3)
    services.seal_meeting(meeting=board.meeting, user=board.secretary, on=confirmed)
    meeting = Meeting.objects.get(pk=board.meeting.pk)
    assert meeting.sealed_on == confirmed and meeting.sealed_at.date() > confirmed
    assert not services.verify_seals()
