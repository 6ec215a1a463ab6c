"""End-to-end, through Debian's Chromium driven by Playwright: a service officer of county A
opens a rating of a member on the county's scorecard, scores it item by item and sees the
total and the grade; he cannot approve his own rating, a colleague does; the sibling county's
officer reaches none of it, and county A's officer none of county B's ratings.

Run separately: `pytest src/gongxiao/credit/tests/test_browser.py -m browser`.
"""

from __future__ import annotations

import datetime
import re
from decimal import Decimal

import pytest
from django.utils import timezone

from gongxiao.agri.tests.factories import make_member
from gongxiao.core.tests.browser_kit import expect, log_in
from gongxiao.credit import models as m
from gongxiao.credit.tests import factories as f
from gongxiao.org.roles import Role
from gongxiao.org.tests.factories import PersonFactory, user_with

pytestmark = [pytest.mark.browser]
DETAIL = re.compile(r"/ledgers/credit/ratings/(\d+)/$")
SCORES = {
    "h1": "9",
    "h2": "8",
    "h3": "7.5",
    "h4": "10",
    "f1": "15",
    "f2": "11",
    "f3": "10",
    "c1": "8",
}  # 78.5; with the bonus 3 and a deduction of 6: 75.5 → AA


def test_rate_a_member_and_see_the_grade(site, federation, new_context):
    officer = user_with(Role.SERVICE, federation.county_a, username="service_a")
    colleague = user_with(Role.SERVICE, federation.county_a, username="service_a2")
    user_with(Role.SERVICE, federation.county_b, username="service_b")
    card = f.builtin_card(federation.county_a, name="农户信用等级评分表")
    member = make_member(
        federation.a1, kind="farmer", person=PersonFactory(unit=federation.a1, name="王建国")
    )
    foreign = make_member(
        federation.b1, kind="farmer", person=PersonFactory(unit=federation.b1, name="李乙县")
    )
    f.scored_rating(federation.b1, member=foreign, year=timezone.localdate().year)
    year = timezone.localdate().year
    day = (timezone.localdate() - datetime.timedelta(days=2)).isoformat()

    page = log_in(new_context(), site, officer.username)
    page.goto(f"{site}/ledgers/credit/ratings/new/")
    page.select_option("#id_unit", str(federation.a1.pk))
    page.select_option("#id_member", str(member.pk))
    page.fill("#id_year", str(year))
    page.select_option("#id_scorecard", str(card.pk))
    page.click("#btn-save")
    expect(page).to_have_url(DETAIL)
    rating_url = page.url
    expect(page.locator("#rating-grade")).to_have_text("—")

    # The scorecard's items, each with its points and evidence.
    expect(page.locator("#score-items tbody tr")).to_have_count(10)
    for code, points in SCORES.items():
        page.fill(f"#id_score_score_{code}", points)
    page.fill("#id_score_evidence_f1", "村委会出具的2023年家庭收入证明")
    page.fill("#id_score_score_b1", "3")
    page.fill("#id_score_score_d1", "6")
    page.fill("#id_score_on", day)
    page.click("#step-score")
    expect(page).to_have_url(rating_url)
    expect(page.locator("#rating-total")).to_have_text("75.50")
    expect(page.locator("#rating-grade")).to_have_text("AA")
    expect(page.locator("#score-f1")).to_contain_text("村委会出具的2023年家庭收入证明")
    expect(page.locator("#score-d1")).to_contain_text("−6")
    # The rater may not approve his own rating.
    expect(page.locator("#step-approve")).to_have_count(0)
    rating = m.CreditRating.objects.get(member=member)
    assert (rating.total, rating.grade, rating.rated_by_id, rating.edition) == (
        Decimal("75.5"),
        "AA",
        officer.pk,
        1,
    )
    # County B's rating is not in his list.
    page.goto(f"{site}/ledgers/credit/ratings/")
    expect(page.locator("main")).to_contain_text("王建国")
    expect(page.locator("main")).not_to_contain_text("李乙县")

    second = log_in(new_context(), site, colleague.username)
    second.goto(rating_url)
    second.fill("#id_approve_on", day)
    second.click("#step-approve")
    expect(second.locator("#rating-result")).to_contain_text("已审批")
    rating.refresh_from_db()
    assert (rating.status, rating.approved_by_id) == ("approved", colleague.pk)

    # The sibling county reaches none of it.
    other = log_in(new_context(), site, "service_b")
    assert other.goto(rating_url).status == 404
    assert other.goto(f"{rating_url}actions/approve/").status == 404
    other.goto(f"{site}/ledgers/credit/ratings/")
    expect(other.locator("main")).to_contain_text("李乙县")
    expect(other.locator("main")).not_to_contain_text("王建国")
