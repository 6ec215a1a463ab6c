"""Supervision rules and the links into the rectification ledger: a finding, an adopted audit
recommendation or a solicited opinion becomes a rectification item whose source is that record
(rectification.services.create_item_from: the record gives the defaults, hears of the close-out)."""

from __future__ import annotations

import datetime

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext as _

from gongxiao.core import services as kit
from gongxiao.core.actions import ActionRefused
from gongxiao.rectification.services import create_item_from

from .models import DEFAULT_DAYS, Finding, Opinion, Recommendation

__all__ = ["DEFAULT_DAYS", "add_finding", "decide_recommendation", "raise_opinion"]


def _require(user, obj, action="change"):
    if not type(obj).objects.permitted(user, action).filter(pk=obj.pk).exists():
        raise PermissionDenied(_("You may not change this record."))


@transaction.atomic
def add_finding(*, finding: Finding, user, source: str = "web") -> Finding:
    """Record an inspection finding and open its rectification item in the inspected unit; the
    item's source is the finding (its defaults: Finding.item_defaults)."""
    finding = kit.create_row(obj=finding, user=user, source=source)
    item = create_item_from(record=finding, user=user)
    Finding.objects.filter(pk=finding.pk).update(item=item)
    finding.item = item
    return finding


def check_undecided(recommendation, user=None) -> None:
    if recommendation.adopted is not None:
        raise ActionRefused(_("This recommendation has already been decided."))


@transaction.atomic
def decide_recommendation(
    *,
    recommendation: Recommendation,
    adopted: bool,
    user,
    deadline: datetime.date | None = None,
    on: datetime.date | None = None,
) -> Recommendation:
    """Record whether the leadership adopted an audit recommendation, on the day it decided
    (`on`, today if not given); an adopted one becomes a rectification item whose source is the
    recommendation, in the responsible unit, due DEFAULT_DAYS after the decision unless a
    deadline is given."""
    _require(user, recommendation)
    rec = Recommendation.objects.select_for_update().get(pk=recommendation.pk)
    check_undecided(rec)
    audit = rec.audit
    on = kit.business_date(
        on,
        not_before=[
            (
                audit.report_date,
                _("The decision cannot be dated before the audit report (%(d)s).")
                % {"d": audit.report_date},
            )
        ],
    )
    rec.adopted = adopted
    rec.decided_at = on
    if adopted:
        extra = {"deadline": deadline} if deadline else {}
        rec.item = create_item_from(record=rec, user=user, **extra)
    kit.update_row(obj=rec, expected_version=rec.version, user=user, source="decision")
    return rec


def check_not_raised(opinion, user=None) -> None:
    if opinion.item_id:
        raise ActionRefused(_("This opinion is already a rectification item."))


@transaction.atomic
def raise_opinion(
    *,
    opinion: Opinion,
    user,
    unit,
    deadline: datetime.date | None = None,
    category: str = "conduct",
    on: datetime.date | None = None,
) -> Opinion:
    """Make a solicited opinion a rectification item whose source is the opinion, on the day
    it was decided (`on`, today if not given); due DEFAULT_DAYS after that unless a deadline
    is given."""
    _require(user, opinion)
    op = Opinion.objects.select_for_update().get(pk=opinion.pk)
    check_not_raised(op)
    meeting = op.life_meeting
    on = kit.business_date(
        on,
        not_before=[
            (
                meeting.date,
                _("The opinion cannot be raised before its meeting (%(d)s).") % {"d": meeting.date},
            )
        ],
    )
    op.raised_on = on
    extra = {"deadline": deadline} if deadline else {}
    op.item = create_item_from(
        record=op, user=user, unit=unit, category=category or "conduct", **extra
    )
    kit.update_row(obj=op, expected_version=op.version, user=user, source="decision")
    return op
