"""Supervision rules and the links into the rectification ledger: a finding, an adopted audit
recommendation or a solicited opinion becomes a rectification item whose source is that record."""

from __future__ import annotations

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from gongxiao.core import services as kit
from gongxiao.rectification.models import Kind as ItemKind
from gongxiao.rectification.models import Source
from gongxiao.rectification.services import create_item_from

from .models import Finding, Opinion, Recommendation

DEFAULT_DAYS = 60  # time allowed when an item is raised without a deadline


def _require(user, obj, action="change"):
    if not type(obj).objects.permitted(user, action).filter(pk=obj.pk).exists():
        raise PermissionDenied(_("You may not change this record."))


@transaction.atomic
def add_finding(*, finding: Finding, user, source: str = "web") -> Finding:
    """Record an inspection finding and open its rectification item in the inspected unit."""
    finding = kit.create_row(obj=finding, user=user, source=source)
    inspection = finding.inspection
    item = create_item_from(
        record=inspection,
        user=user,
        unit=finding.inspected_unit,
        title=finding.description[:200],
        description=finding.description,
        source=Source.INSPECTION,
        category=finding.category,
        found_date=inspection.end_date or inspection.start_date,
        kind=ItemKind.DEADLINE,
        deadline=finding.deadline,
    )
    Finding.objects.filter(pk=finding.pk).update(item=item)
    finding.item = item
    return finding


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
    (`on`, today if not given); an adopted one becomes a rectification item (source: special
    audit) in the responsible unit, due DEFAULT_DAYS after the decision unless a deadline is
    given."""
    _require(user, recommendation)
    rec = Recommendation.objects.select_for_update().get(pk=recommendation.pk)
    if rec.adopted is not None:
        raise ValidationError(_("This recommendation has already been decided."))
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
        audit = rec.audit
        rec.item = create_item_from(
            record=audit,
            user=user,
            unit=rec.responsible_unit,
            title=rec.text[:200],
            description=rec.text,
            source=Source.AUDIT,
            category="finance",
            found_date=audit.report_date or on,
            kind=ItemKind.DEADLINE,
            deadline=deadline or on + datetime.timedelta(days=DEFAULT_DAYS),
        )
    kit.update_row(obj=rec, expected_version=rec.version, user=user, source="decision")
    return rec


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
    """Make a solicited opinion a rectification item (source: life meeting opinion) on the day
    it was decided (`on`, today if not given); due DEFAULT_DAYS after that unless a deadline
    is given."""
    _require(user, opinion)
    op = Opinion.objects.select_for_update().get(pk=opinion.pk)
    if op.item_id:
        raise ValidationError(_("This opinion is already a rectification item."))
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
    op.item = create_item_from(
        record=meeting,
        user=user,
        unit=unit,
        title=op.text[:200],
        description=op.text,
        source=Source.LIFE_MEETING,
        category=category,
        found_date=meeting.date,
        kind=ItemKind.DEADLINE,
        deadline=deadline or on + datetime.timedelta(days=DEFAULT_DAYS),
    )
    kit.update_row(obj=op, expected_version=op.version, user=user, source="decision")
    return op
