"""Helpers every browser test shares (the fixtures `browser`, `new_context` and `site` are in
the root conftest): Debian's Chromium, its flags, logging in, and axe-core on every page."""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from pathlib import Path

import pytest

playwright_api = pytest.importorskip("playwright.sync_api")
expect = playwright_api.expect

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
PASSWORD = "pw-Secret-123"  # noqa: S105 - the factories' test password


def log_in(ctx, site, username):
    page = ctx.new_page()
    page.goto(f"{site}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("#btn-login")
    expect(page).to_have_url(f"{site}/")
    expect(page.locator("#user-menu")).to_be_visible()
    expect(page.locator("html")).to_have_attribute("lang", "zh-hans")
    return page


# --- accessibility: axe-core on every page a browser test visits ------------------------------
#
# axe-core comes from node_modules (package-lock.json, a dev dependency): the browser tests read
# it from there and inject it into every page of every context; it is never served by the site.
# Each page is checked once it has loaded (and again, in its final state, when the context
# closes); a critical or serious violation fails the test.

AXE_PATH = Path(__file__).resolve().parents[4] / "node_modules" / "axe-core" / "axe.min.js"
AXE_IMPACTS = ("critical", "serious")
# Runs in the page: the violations that matter, in a shape small enough to report.
AXE_RUN = """
() => window.axe.run(document, {resultTypes: ['violations']}).then(r => r.violations
  .filter(v => IMPACTS.includes(v.impact))
  .map(v => ({id: v.id, impact: v.impact, help: v.help,
              nodes: v.nodes.slice(0, 5).map(n => n.target.join(' '))})))
""".replace("IMPACTS", json.dumps(AXE_IMPACTS))
AXE_ON_LOAD = """
(() => {
  if (window.top !== window || !window.axe) return;
  window.addEventListener('load', () => {
    const url = location.href;
    window.__gxAxeLoaded(url);
    (AXE_RUN)().then(found => window.__gxAxeReport(url, found))
      .finally(() => { window.__gxAxeDone = true; });
  });
})();
""".replace("AXE_RUN", AXE_RUN.strip())


@dataclass
class AxeLog:
    """What axe found on the pages of one browser context."""

    loaded: list[str] = field(default_factory=list)
    checked: list[str] = field(default_factory=list)
    violations: list[tuple[str, dict]] = field(default_factory=list)

    def report(self, url: str, found: list[dict]) -> None:
        self.checked.append(url)
        self.violations.extend((url, v) for v in found)

    def describe(self) -> str:
        lines = {
            f"{url}: [{v['impact']}] {v['id']} ({v['help']}) at {', '.join(v['nodes'])}"
            for url, v in self.violations
        }
        return "\n".join(sorted(lines))


def watch_accessibility(ctx) -> AxeLog:
    """Inject axe-core into every page of `ctx` and collect what it finds on each load."""
    log = AxeLog()
    ctx.add_init_script(script=AXE_PATH.read_text(encoding="utf-8"))
    ctx.add_init_script(script=AXE_ON_LOAD)
    ctx.expose_binding("__gxAxeLoaded", lambda _source, url: log.loaded.append(url))
    ctx.expose_binding("__gxAxeReport", lambda _source, url, found: log.report(url, found))
    return log


def _wait_for_axe(page, seconds: float = 15) -> None:
    """Until the page's own axe run has finished. Polled with evaluate, which the page's
    Content-Security-Policy does not govern: wait_for_function's predicate is a string the page
    would have to eval, and our CSP (rightly) forbids that."""
    deadline = time.monotonic() + seconds
    while not page.evaluate("window.__gxAxeDone === true"):
        if time.monotonic() > deadline:
            raise playwright_api.TimeoutError(f"axe-core did not finish on {page.url}")
        page.wait_for_timeout(50)


def check_accessibility(ctx, log: AxeLog) -> None:
    """Check each open page in its final state too (after scripts and htmx swaps), and open
    again any page that was left before its check finished; then fail on any critical or
    serious violation seen in the context's life."""
    for page in list(ctx.pages):
        if page.is_closed() or not page.url.startswith("http"):
            continue
        try:
            _wait_for_axe(page)  # one axe run at a time
            log.report(page.url, page.evaluate(AXE_RUN))
        except playwright_api.Error:  # the page went away meanwhile
            continue
    missed = sorted(set(log.loaded) - set(log.checked))
    if missed:
        page = ctx.new_page()
        for url in missed:
            page.goto(url)
            _wait_for_axe(page)  # reported on its load
        page.close()
    assert not log.violations, "axe-core: critical or serious violations\n" + log.describe()
