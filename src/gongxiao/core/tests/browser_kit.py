"""Helpers every browser test shares (the fixtures `browser`, `new_context` and `site` are in
the root conftest): Debian's Chromium, its flags, and logging in."""

from __future__ import annotations

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
