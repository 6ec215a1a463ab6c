"""End-to-end: a party group meeting of county A taken through its procedure in Debian's
Chromium: the secretary records the members (one absent, with a reason), the sealing is refused
while a matter has no outcome (the page says which), each present member states, the principal
leader last, the decision is written, the minutes are confirmed on the meeting's day and sealed;
the page then offers only an amendment. Every step went through the kit's action route.

Run separately: `pytest src/gongxiao/decisions/tests/test_browser.py -m browser`.
"""

from __future__ import annotations

import pytest

from gongxiao.core.models import ActionRecord
from gongxiao.core.tests.browser_kit import expect, log_in
from gongxiao.decisions.models import Attendance, Meeting, Statement
from gongxiao.decisions.tests.factories import MatterFactory, MeetingFactory
from gongxiao.org.roles import Role
from gongxiao.org.tests.factories import PersonFactory, user_with

pytestmark = [pytest.mark.browser]


def test_a_meeting_from_attendance_to_seal(site, federation, new_context):
    secretary = user_with(Role.PARTY, federation.county_a, username="party_a")
    meeting = MeetingFactory(unit=federation.county_a, minutes="会议讨论了仓储中心改造方案。")
    matter = MatterFactory(meeting=meeting, title="仓储中心改造方案")
    principal = PersonFactory(unit=federation.county_a, name="书记赵一")
    members = [PersonFactory(unit=federation.county_a, name=n) for n in ("钱二", "孙三", "李四")]
    url = f"{site}/ledgers/decisions/meetings/{meeting.pk}/"

    page = log_in(new_context(), site, secretary.username)
    page.goto(url)

    def record(person, *, principal_=False, absent_reason=""):
        page.locator("#attendance-form").evaluate("f => f.closest('details').open = true")
        form = page.locator("#attendance-form")
        form.locator("select[name=person]").select_option(str(person.pk))
        if principal_:
            form.locator("input[name=is_principal]").check()
        if absent_reason:
            form.locator("input[name=present]").uncheck()
            form.locator("input[name=absence_reason]").fill(absent_reason)
        form.locator("#btn-attendance").click()
        expect(page.locator("#attendance")).to_contain_text(person.name)

    record(principal, principal_=True)
    record(members[0])
    record(members[1])
    record(members[2], absent_reason="外出学习")
    assert Attendance.objects.filter(meeting=meeting, present=True).count() == 3

    # Not sealable yet: the page names the matter without an outcome.
    expect(page.locator("#seal-refused")).to_contain_text(matter.title)
    expect(page.locator("#btn-seal")).to_have_count(0)

    # The principal leader is offered last; each statement is one action.
    card = page.locator(f"#matter-{matter.pk}")
    offered = []
    for _ in range(3):
        first = card.locator(".statement-form select[name=person] option").first
        offered.append(first.inner_text())
        card.locator(".statement-form button[type=submit]").click()
        card = page.locator(f"#matter-{matter.pk}")
        expect(card.locator(".statements li")).to_have_count(len(offered))
    assert "书记赵一" in offered[-1] and not any("书记" in o for o in offered[:-1]), offered
    expect(card.locator("[data-outcome]")).to_have_attribute("data-outcome", "passed")
    assert Statement.objects.filter(matter=matter).count() == 3

    card.locator(".decision-form textarea").fill("同意实施仓储中心改造，由分管副主任牵头。")
    card.locator(".decision-form button[type=submit]").click()
    expect(page.locator(f"#matter-{matter.pk} .decision-form textarea")).to_have_value(
        "同意实施仓储中心改造，由分管副主任牵头。"
    )

    # The minutes are confirmed on the meeting's own day, then sealed.
    page.fill("#seal-on", meeting.date.isoformat())
    # Sealing asks first: cancelled, nothing is sealed; confirmed, the minutes are sealed.
    asked = []

    def answer(dialog, accept):
        asked.append(dialog.message)
        dialog.accept() if accept else dialog.dismiss()

    page.once("dialog", lambda d: answer(d, False))
    page.click("#btn-seal")
    expect(page.locator("#meeting-status [data-sealed]")).to_have_attribute("data-sealed", "false")
    assert Meeting.objects.get(pk=meeting.pk).sealed_at is None
    page.once("dialog", lambda d: answer(d, True))
    page.click("#btn-seal")
    expect(page.locator("#meeting-status [data-sealed]")).to_have_attribute("data-sealed", "true")
    expect(page.locator("#seals")).to_be_visible()
    expect(page.locator("#attendance-form")).to_have_count(0)
    expect(page.locator("#amend-form")).to_be_visible()
    sealed = Meeting.objects.get(pk=meeting.pk)
    assert sealed.sealed_at and sealed.sealed_on == meeting.date
    assert len(asked) == 2 and "封存后不能修改" in asked[0]
    taken = list(ActionRecord.objects.order_by("id").values_list("action", "source"))
    assert taken == [
        *[("attendance", "web")] * 4,
        *[("state", "web")] * 3,
        ("decide", "web"),
        ("seal", "web"),
    ]
