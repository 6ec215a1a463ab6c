"""Reports that can be checked later: `gongxiao verify-reports` and the owner's page recompute a
finalised report's figures and name each figure, and each row, that late entries changed."""

import datetime
import io
from contextlib import contextmanager
from unittest import mock

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.utils import timezone

from gongxiao.org.roles import Role
from gongxiao.org.tests.factories import user_with
from gongxiao.rectification import services as rect
from gongxiao.rectification.models import Status
from gongxiao.rectification.tests.factories import ItemFactory
from gongxiao.reports import services
from gongxiao.reports.models import ReportDraft

from .factories import DraftFactory, SectionFactory
from .test_pages import client_for

PAST = 2022


@contextmanager
def on(day, hour=10):
    """The clock of the application at `day` (every timestamp it writes, and "today")."""
    moment = timezone.make_aware(datetime.datetime(day.year, day.month, day.day, hour, 0))
    with mock.patch("django.utils.timezone.now", return_value=moment):
        yield


@pytest.fixture
def finalised(ledgers):
    """A 2022 report of county A, finalised on 2022-12-20 with one item awaiting its close-out
    review; the close-out itself is entered a week later."""
    f = ledgers.f
    reviewer = user_with(Role.DISCIPLINE, f.county_a, username="jijian_a")
    with on(datetime.date(PAST, 12, 20)):
        done = ItemFactory(
            unit=f.a1,
            title="早已销号的问题",
            found_date=datetime.date(PAST, 2, 1),
            deadline=datetime.date(PAST, 12, 31),
            status=Status.CLOSED,
            closed_on=datetime.date(PAST, 5, 1),
            closed_at=timezone.make_aware(datetime.datetime(PAST, 5, 1, 9, 0)),
        )
        late = ItemFactory(
            unit=f.a1,
            title="年底补录销号的问题",
            found_date=datetime.date(PAST, 3, 1),
            deadline=datetime.date(PAST, 12, 31),
            responsible_person=None,
        )
        rect.add_progress(
            item=late,
            user=ledgers.leader_a,
            text="已整改到位",
            date=datetime.date(PAST, 12, 15),
            files=[SimpleUploadedFile("evidence.pdf", b"%PDF-1.4 evidence")],
        )
        rect.transition(item=late, step="request_close_out", user=ledgers.leader_a)
        draft = DraftFactory(unit=f.county_a, period=str(PAST))
        SectionFactory(
            draft=draft,
            body="发现问题{{ rectification.items.found }}个，"
            "销号{{ rectification.items.closed }}个。",
        )
        services.finalise(draft=draft, user=ledgers.leader_a, expected_version=draft.version)
    draft.refresh_from_db()
    return ledgers, draft, late, done, reviewer


def _frozen(draft):
    draft.refresh_from_db()
    return (
        draft.snapshot,
        draft.version,
        draft.finalised_at,
        draft.final_docx.open("rb").read(),
        draft.final_workpapers.open("rb").read(),
    )


def _run():
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("verify-reports", stdout=out, stderr=err)
        code = 0
    except SystemExit as exc:
        code = exc.code
    return code, out.getvalue()


def test_a_late_close_out_is_named_with_its_figure_and_row_and_nothing_is_altered(finalised):
    ledgers, draft, late, done, reviewer = finalised
    assert draft.snapshot["figures"][1]["value"] == 1  # 销号1个 as finalised
    code, out = _run()
    assert code == 0 and "agree" in out
    before = _frozen(draft)

    with on(datetime.date(PAST, 12, 28)):
        rect.transition(item=late, step="close_out", user=reviewer)
    late.refresh_from_db()
    assert late.status == Status.CLOSED

    code, out = _run()
    assert code == 1, out
    changed = [line for line in out.splitlines() if line.startswith("CHANGED")]
    assert len(changed) == 1  # found is unchanged; closed went from 1 to 2
    assert "F02" in changed[0] and "rectification.items.closed" in changed[0]
    assert "1 -> 2" in changed[0]
    rows = out.split(changed[0], 1)[1]
    assert f"added #{late.pk} " in rows and str(late) in rows
    assert reviewer.get_username() in rows or reviewer.get_full_name() in rows
    assert "status" in rows
    assert f"#{done.pk} " not in rows  # a row untouched since finalisation is not named
    assert _frozen(draft) == before

    # The owner's page says the same, linked from the finalised draft's page.
    c = client_for(ledgers.leader_a)
    page = c.get(f"/ledgers/reports/drafts/{draft.pk}/").content.decode()
    assert f"/reports/drafts/{draft.pk}/verify/" in page
    html = c.get(f"/reports/drafts/{draft.pk}/verify/").content.decode()
    assert 'data-drift="F02"' in html and str(late) in html
    assert f'data-row-pk="{late.pk}"' in html and f'data-row-pk="{done.pk}"' not in html
    assert _frozen(draft) == before
    # The document still prints the figures as finalised.
    doc = services.document_for(draft, ledgers.leader_a)
    assert "销号1个" in "".join(b.text for b in doc.blocks)


def test_the_check_page_is_for_the_reports_owners_only(finalised):
    ledgers, draft, *_rest = finalised
    resp = client_for(ledgers.leader_b).get(f"/reports/drafts/{draft.pk}/verify/")
    assert resp.status_code == 404
    open_draft = DraftFactory(unit=ledgers.f.county_a, period=str(PAST))
    resp = client_for(ledgers.leader_a).get(f"/reports/drafts/{open_draft.pk}/verify/")
    assert resp.status_code == 302
    assert ReportDraft.objects.filter(status=ReportDraft.Status.FINAL).count() == 1


def test_a_report_finalised_before_figures_were_kept_one_by_one_is_checked_by_its_text(finalised):
    ledgers, draft, late, _done, reviewer = finalised
    old = {k: v for k, v in draft.snapshot.items() if k != "figures"}
    ReportDraft.objects.filter(pk=draft.pk).update(snapshot=old)
    assert _run()[0] == 0
    with on(datetime.date(PAST, 12, 28)):
        rect.transition(item=late, step="close_out", user=reviewer)
    code, out = _run()
    assert code == 1 and "rectification.items.closed" in out and f"#{late.pk} " in out
    draft.refresh_from_db()
    assert draft.snapshot == old
