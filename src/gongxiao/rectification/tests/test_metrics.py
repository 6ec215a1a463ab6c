"""Figures for reports and the dashboard, computed from rows; each links to exactly its rows."""

import datetime
from decimal import Decimal

from django.test import Client
from django.utils import timezone

from gongxiao.core.metrics import breakdown, compute
from gongxiao.core.periods import parse_period
from gongxiao.rectification.models import RectificationItem
from gongxiao.rectification.tests.factories import CampaignFactory

YEAR = parse_period("2023")


def _items(cast):
    f = cast.f
    d = datetime.date
    rows = [
        cast.item(
            found_date=d(2023, 3, 1),
            deadline=d(2023, 6, 30),
            source="inspection",
            category="conduct",
        ),
        cast.item(
            found_date=d(2023, 5, 1), deadline=d(2023, 12, 31), source="audit", category="finance"
        ),
        cast.item(
            found_date=d(2023, 8, 1),
            deadline=d(2024, 1, 31),
            source="audit",
            category="finance",
            unit=f.a2,
        ),
        cast.item(
            found_date=d(2022, 8, 1), deadline=d(2022, 12, 31), source="audit", category="finance"
        ),
        cast.item(found_date=d(2023, 9, 1), deadline=d(2023, 10, 31), unit=f.b1),  # other county
    ]
    closed_at = timezone.make_aware(datetime.datetime(2023, 7, 1, 10))
    RectificationItem.objects.filter(pk__in=[rows[0].pk, rows[3].pk]).update(
        status="closed", closed_at=closed_at, closed_on=closed_at.date()
    )
    return rows


def test_found_closed_rate_and_overdue_for_a_subtree_and_year(cast):
    rows = _items(cast)
    f, user = cast.f, cast.leader
    found = compute("rectification.items.found", user, f.county_a, YEAR)
    assert found.value == 3 and set(found.rows) == {rows[0], rows[1], rows[2]}
    closed = compute("rectification.items.closed", user, f.county_a, YEAR)
    assert closed.value == 2  # closed in 2023, including one found in 2022
    rate = compute("rectification.items.closeout_rate", user, f.county_a, YEAR)
    assert rate.value == Decimal("33.3")  # 1 of the 3 found in 2023
    # Overdue as the ledger stood at the end of 2023: none (rows[1] was due that very day).
    assert not compute("rectification.items.overdue", user, f.county_a, YEAR).rows.exists()
    overdue = compute("rectification.items.overdue", user, f.county_a, parse_period("2024"))
    assert set(overdue.rows) == {rows[1], rows[2]}  # past their deadlines, open at the end of 2024
    assert compute("rectification.items.found", user, f.a1, YEAR).value == 2
    # The city discipline officer sees both counties.
    assert compute("rectification.items.found", cast.discipline_city, f.city, YEAR).value == 4


def test_figures_of_a_past_period_do_not_change_later(cast):
    """A report for 2024 asked for today or next year gives the same figures: closing an item
    now does not make it closed, or not overdue, at the end of 2024."""
    rows = _items(cast)
    f, user, y2024 = cast.f, cast.leader, parse_period("2024")
    keys = ["rectification.items.overdue", "rectification.items.open"]
    before = [compute(k, user, f.county_a, y2024).value for k in keys]
    rate_2023 = compute("rectification.items.closeout_rate", user, f.county_a, YEAR).value
    RectificationItem.objects.filter(pk=rows[1].pk).update(
        status="closed", closed_at=timezone.now(), closed_on=timezone.localdate()
    )
    assert [compute(k, user, f.county_a, y2024).value for k in keys] == before == [2, 2]
    assert compute("rectification.items.closeout_rate", user, f.county_a, YEAR).value == rate_2023
    # Today's figures do see the close-out.
    this_year = parse_period(str(timezone.localdate().year))
    assert compute("rectification.items.open", user, f.county_a, this_year).value == 1


def test_rate_of_nothing_is_no_figure(cast):
    assert (
        compute("rectification.items.closeout_rate", cast.leader, cast.f.county_a, YEAR).value
        is None
    )


def test_breakdowns_by_source_category_unit_campaign(cast):
    rows = _items(cast)
    campaign = CampaignFactory(unit=cast.f.county_a)
    RectificationItem.objects.filter(pk=rows[0].pk).update(campaign=campaign)
    by_source = {
        k: fig.value
        for k, fig in breakdown(
            "rectification.items.found", cast.leader, cast.f.county_a, YEAR, "source"
        )
    }
    assert by_source == {"audit": 2, "inspection": 1}
    by_unit = {
        k: fig.value
        for k, fig in breakdown(
            "rectification.items.found", cast.leader, cast.f.county_a, YEAR, "unit"
        )
    }
    assert by_unit == {cast.f.a1.pk: 2, cast.f.a2.pk: 1}
    by_campaign = {
        k: fig.value
        for k, fig in breakdown(
            "rectification.items.found", cast.leader, cast.f.county_a, YEAR, "campaign"
        )
    }
    assert by_campaign == {campaign.pk: 1, None: 2}


def test_each_figure_links_to_exactly_its_rows(cast):
    _items(cast)
    c = Client()
    c.force_login(cast.leader)
    for key in [
        "rectification.items.found",
        "rectification.items.closed",
        "rectification.items.overdue",
        "rectification.items.open",
    ]:
        fig = compute(key, cast.leader, cast.f.county_a, YEAR)
        resp = c.get(fig.url)
        assert resp.status_code == 200
        assert resp.context["page"].paginator.count == fig.rows.count(), key
        shown = {obj.pk for obj, _cells in resp.context["rows"]}
        assert shown == set(fig.rows.values_list("pk", flat=True)), key


def test_the_dashboard_shows_figures_by_unit_and_campaign(cast):
    rows = _items(cast)
    campaign = CampaignFactory(unit=cast.f.county_a, name="集中整治形式主义官僚主义")
    RectificationItem.objects.filter(pk=rows[0].pk).update(campaign=campaign)
    c = Client()
    c.force_login(cast.leader)
    c.post("/context/", {"unit": cast.f.county_a.pk, "period": "2023"})
    html = c.get("/rectification/dashboard/").content.decode()
    assert 'data-metric="rectification.items.found"' in html
    by_unit = html.split('id="by-unit"')[1].split("</table>")[0]
    assert cast.f.a1.name in by_unit and cast.f.a2.name in by_unit and cast.f.b1.name not in by_unit
    assert "集中整治形式主义官僚主义" in html.split('id="by-campaign"')[1]
    assert f"campaign={campaign.pk}" in html


def test_campaign_page_shows_its_progress(cast):
    rows = _items(cast)
    campaign = CampaignFactory(unit=cast.f.county_a)
    RectificationItem.objects.filter(pk__in=[rows[0].pk, rows[1].pk]).update(campaign=campaign)
    c = Client()
    c.force_login(cast.leader)
    html = c.get(f"/ledgers/rectification/campaigns/{campaign.pk}/").content.decode()
    assert 'data-figure="found">2<' in html and 'data-figure="closed">1<' in html
    assert 'data-figure="rate">50%<' in html


def test_dashboard_rows_add_up_with_the_units_own_row(cast):
    import datetime as dt

    d = dt.date(2023, 3, 1)
    cast.item(unit=cast.f.county_a, found_date=d, deadline=dt.date(2023, 4, 1))
    cast.item(unit=cast.f.a1, found_date=d, deadline=dt.date(2023, 4, 1))
    c = Client()
    c.force_login(cast.leader)
    c.post("/context/", {"unit": cast.f.county_a.pk, "period": "2023"})
    resp = c.get("/rectification/dashboard/")
    rows = resp.context["by_unit"]
    assert rows[0][0] == cast.f.county_a and rows[0][1][0].value == 1
    assert sum(figs[0].value for _u, figs in rows) == resp.context["totals"][0].value == 2
