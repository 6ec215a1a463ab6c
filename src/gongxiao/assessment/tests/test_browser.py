"""End-to-end, through Debian's Chromium driven by Playwright: county A opens a quarterly cycle
for its two grassroots co-ops; co-op A1 self-assesses and sees its own sheet but not A2's; the
county scores, a second person reviews, the county publishes; A1 then sees its rank, and A2's
sheet, now published.

Run separately: `pytest src/gongxiao/assessment/tests/test_browser.py -m browser`."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest

from gongxiao.assessment import models as m
from gongxiao.assessment.tests import factories as f
from gongxiao.core.tests.browser_kit import expect, log_in
from gongxiao.org.roles import Role
from gongxiao.org.tests.factories import user_with

pytestmark = [pytest.mark.browser]

CYCLE = "2023年第一季度基层社绩效考核"
CYCLE_RE = re.compile(r"/ledgers/assessment/cycles/(\d+)/$")


def _score_sheet(page, site, sheet, points):
    page.goto(f"{site}/ledgers/assessment/sheets/{sheet.pk}/")
    for i, value in enumerate(points, start=1):
        page.click(f"#score-{i} .score-link")
        page.fill("#id_score_value", str(value))
        page.click("#step-score")
        expect(page.locator(".alert-danger")).to_have_count(0)
        page.goto(f"{site}/ledgers/assessment/sheets/{sheet.pk}/")
        expect(page.locator(f"#score-{i} .points")).to_have_text(str(value))
    page.click("#step-finish_scoring")
    expect(page.locator("#sheet-status")).to_contain_text("已评分")


def test_open_self_assess_score_publish_and_see_the_rank(site, federation, new_context):
    user_with(Role.SYSADMIN, federation.county_a, username="county_a")
    user_with(Role.SYSADMIN, federation.county_a, username="reviewer_a")
    user_with(Role.DATA_ENTRY, federation.a1, username="coop_a1")
    scheme = f.scheme_with(
        federation.county_a,
        weights=((Decimal(60), "manual"), (Decimal(40), "manual")),
        name="基层社季度考核方案",
    )

    # The county opens a quarterly cycle for A1 and A2.
    county = log_in(new_context(), site, "county_a")
    county.goto(f"{site}/ledgers/assessment/cycles/new/")
    county.select_option("#id_unit", str(federation.county_a.pk))
    county.fill("#id_name", CYCLE)
    county.select_option("#id_kind", "quarter")
    county.fill("#id_period", "2023Q1")
    county.select_option("#id_scheme", str(scheme.pk))
    county.select_option("#id_assessed_units", [str(federation.a1.pk), str(federation.a2.pk)])
    county.click("#btn-save")
    expect(county).to_have_url(CYCLE_RE)
    cycle_url = county.url
    county.fill("#id_open_on", "2023-04-03")
    county.click("#step-open")
    expect(county.locator("#cycle-status")).to_contain_text("考核中")
    expect(county.locator("#sheets tbody tr")).to_have_count(2)
    cycle = m.Cycle.objects.get(name=CYCLE)
    mine = cycle.sheets.get(unit=federation.a1)
    theirs = cycle.sheets.get(unit=federation.a2)

    # A1 self-assesses; it sees its own sheet and not A2's.
    coop = log_in(new_context(), site, "coop_a1")
    coop.goto(cycle_url)
    expect(coop.locator("#sheets tbody tr")).to_have_count(1)
    coop.click(f"#sheet-{federation.a1.code} a")
    for i, value in enumerate((58, 38), start=1):
        coop.click(f"#score-{i} .score-link")
        coop.fill("#id_self_assess_value", str(value))
        coop.fill("#id_self_assess_note", "佐证材料见附件")
        coop.click("#step-self_assess")
        expect(coop.locator(f"#score-{i} .self")).to_have_text(str(value))
    coop.click("#step-submit_self")
    expect(coop.locator("#sheet-status")).to_contain_text("已自评")
    resp = coop.goto(f"{site}/ledgers/assessment/sheets/{theirs.pk}/")
    assert resp.status == 404
    # The co-op may not score itself: no scoring step on its score page.
    coop.goto(f"{site}/ledgers/assessment/scores/{mine.scores.first().pk}/")
    expect(coop.locator("#step-score")).to_have_count(0)

    # The county scores both sheets; a second person reviews them; the county publishes.
    _score_sheet(county, site, mine, (55, 35))
    _score_sheet(county, site, theirs, (50, 30))
    reviewer = log_in(new_context(), site, "reviewer_a")
    for sheet in (mine, theirs):
        reviewer.goto(f"{site}/ledgers/assessment/sheets/{sheet.pk}/")
        reviewer.click("#step-review")
        expect(reviewer.locator("#sheet-status")).to_contain_text("已复核")
    county.goto(cycle_url)
    county.click("#step-publish")
    expect(county.locator("#cycle-status")).to_contain_text("已公布")
    expect(county.locator(f"#sheet-{federation.a1.code} .rank")).to_have_text("1")
    expect(county.locator(f"#sheet-{federation.a2.code} .rank")).to_have_text("2")

    # A1 sees its rank, and now A2's published sheet and the ranking.
    coop.goto(f"{site}/ledgers/assessment/sheets/{mine.pk}/")
    expect(coop.locator("#sheet-rank")).to_have_text("1")
    expect(coop.locator("#sheet-total")).to_have_text("90")
    coop.goto(cycle_url)
    expect(coop.locator("#sheets tbody tr")).to_have_count(2)
    resp = coop.goto(f"{site}/ledgers/assessment/sheets/{theirs.pk}/")
    assert resp.status == 200
    expect(coop.locator("#sheet-total")).to_have_text("80")
