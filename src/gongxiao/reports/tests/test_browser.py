"""End-to-end in Debian's Chromium: a county leader opens the dashboard, clicks a figure and
lands on exactly its rows; clicks a bar of the by-unit chart and lands on that unit's rows; the
dashboard fits a phone's screen.

Run separately: `pytest src/gongxiao/reports/tests/test_browser.py -m browser`."""

from __future__ import annotations

import re

import pytest

from gongxiao.core.tests.browser_kit import expect, log_in

from .conftest import YEAR, Ledgers

pytestmark = [pytest.mark.browser]


@pytest.fixture
def data(site, federation):
    return Ledgers(federation)


def row_count(page) -> int:
    return int(re.search(r"\d+", page.locator("#row-count").inner_text()).group())


def test_dashboard_figure_and_chart_bar_lead_to_their_rows(site, data, new_context):
    page = log_in(new_context(), site, "leader_a")
    console = []
    page.on("console", lambda m: console.append(m.text) if m.type == "error" else None)
    page.goto(f"{site}/reports/?period={YEAR}")
    tile = page.locator('#tiles a[data-metric="rectification.items.found"]')
    expect(tile).to_have_attribute("data-value", "7")
    # ECharts, bundled, drew the charts under the content security policy.
    expect(page.locator("#chart-units")).to_have_attribute("data-ready", "1")
    expect(page.locator("#chart-trend canvas")).to_have_count(1)
    # Their tooltips show on hover without breaking the policy (no inline styles).
    for chart in page.locator(".gx-chart[data-ready]").all():
        chart.scroll_into_view_if_needed()
        box = chart.bounding_box()
        assert box is not None
        for fx in (0.3, 0.4, 0.5, 0.6, 0.7):
            page.mouse.move(box["x"] + box["width"] * fx, box["y"] + box["height"] * 0.5)
            page.wait_for_timeout(100)
    assert not [m for m in console if "Content Security Policy" in m], console

    tile.click()
    expect(page).to_have_url(re.compile(r"/ledgers/rectification/items/\?"))
    assert row_count(page) == 7
    expect(page.locator("main")).not_to_contain_text("乙一基层社")

    # Click the bar of 甲一基层社 (after 甲县社's own rows) for "problems found".
    page.go_back()
    expect(page.locator("#chart-units")).to_have_attribute("data-ready", "1")
    page.locator("#chart-units").scroll_into_view_if_needed()
    page.wait_for_timeout(1500)  # the bars grow for a moment after drawing
    point = page.evaluate(
        """() => {
          const el = document.getElementById('chart-units');
          el.scrollIntoView({block: 'center'});
          const chart = echarts.getInstanceByDom(el);
          const opt = chart.getOption();
          const i = opt.xAxis[0].data.indexOf('甲一基层社');
          const bar = chart.getModel().getSeriesByIndex(0).getData().getItemLayout(i);
          const box = el.getBoundingClientRect();
          return {
            x: box.left + bar.x + bar.width / 2,
            y: box.top + bar.y + bar.height / 2,
            value: opt.series[0].data[i].value,
          };
        }"""
    )
    assert point["value"] == 4
    page.mouse.click(point["x"], point["y"])
    expect(page).to_have_url(re.compile(r"/ledgers/rectification/items/\?"))
    assert row_count(page) == 4


def test_dashboard_fits_a_phone(site, data, new_context):
    ctx = new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    page = log_in(ctx, site, "leader_a")
    page.goto(f"{site}/reports/?period={YEAR}")
    expect(page.locator("#chart-units")).to_have_attribute("data-ready", "1")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 392, width
    for chart in page.locator(".gx-chart[data-ready]").all():  # every chart fits the screen
        box = chart.bounding_box()
        assert box is not None and box["x"] + box["width"] <= 392, box
    expect(page.locator('#tiles a[data-metric="rectification.items.found"]')).to_be_visible()
