"""End-to-end: one rectification item walked from creation to close-out by two people, through
Debian's Chromium driven by Playwright.

A data-entry clerk of grassroots co-op A1 (the responsible person) creates the item through the
form, adds a measure, is refused a close-out request while there is no evidence, records
progress with an evidence file and asks for close-out. A leader of county A, in his own browser
session, is notified, opens the item, rejects once with a reason; the clerk asks again; the
leader closes it out. The clerk never sees the reviewer's buttons, and a forged request for them
is refused.

Run separately: `pytest src/gongxiao/rectification/tests/test_browser.py -m browser`. Needs
/usr/bin/chromium (apt's `chromium`).
"""

from __future__ import annotations

import datetime
import pathlib
import re

import pytest
from django.utils import timezone, translation

from gongxiao.core.models import ChangeRecord, Notification
from gongxiao.core.tests.browser_kit import expect, log_in
from gongxiao.org.roles import Role
from gongxiao.org.tests.factories import PersonFactory, user_with
from gongxiao.rectification.models import (
    Evidence,
    Measure,
    ProgressEntry,
    RectificationItem,
    Status,
    Transition,
)
from gongxiao.rectification.tests.factories import ItemFactory

NEW_PATH = "/ledgers/rectification/items/new/"
DETAIL_RE = re.compile(r"/ledgers/rectification/items/(\d+)/$")
TITLE = "仓库消防通道堆放杂物"
# A tiny but well-formed JPEG header is all the server looks at (name and size).
JPEG = (
    b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00"
    + b"\x00" * 64
    + b"\xff\xd9"
)

# No skip when Chromium is missing: scripts/test installs it, and a silent skip would hide a
# broken browser run.
pytestmark = [pytest.mark.browser]


# --- fixtures ---------------------------------------------------------------------------------


class People:
    """The clerk of A1, responsible for the item; the director of A1, its responsible leader;
    a leader of county A, who reviews it."""

    def __init__(self, f):
        self.clerk_person = PersonFactory(unit=f.a1, name="责任人张明")
        self.director_person = PersonFactory(unit=f.a1, name="基层社主任王刚")
        self.leader_person = PersonFactory(unit=f.county_a, name="县社领导李强")
        self.clerk = user_with(Role.DATA_ENTRY, f.a1, person=self.clerk_person, username="clerk_a1")
        self.leader = user_with(
            Role.LEADER, f.county_a, person=self.leader_person, username="leader_a"
        )


@pytest.fixture
def people(site, federation):
    return People(federation)


# --- helpers ----------------------------------------------------------------------------------


def status_of(page):
    return page.locator("#item-status [data-status]")


def timeline(page):
    """The entries of the item's timeline (not the 'open since found' placeholder)."""
    return page.locator("#timeline > li:has(span.fw-semibold)")


def alert(page, kind):
    return page.locator(f"main .alert-{kind}[role=alert]")


def steps(item):
    return list(
        Transition.objects.filter(item=item).values_list(
            "action", "from_status", "to_status", "user_id", "reason"
        )
    )


def zh(message):
    """The product's own message in the interface language (Chinese, once translated)."""
    with translation.override("zh-hans"):
        return translation.gettext(message)


def option_values(page, selector):
    return page.locator(f"{selector} option").evaluate_all("os => os.map(o => o.value)")


def write_jpeg(tmp_path, name):
    path = tmp_path / name
    path.write_bytes(JPEG)
    return str(path)


# --- the scenario -----------------------------------------------------------------------------


def test_an_item_from_creation_to_close_out_by_two_people(
    site, federation, people, new_context, tmp_path
):
    clerk, leader = people.clerk, people.leader
    today = timezone.localdate()  # the server's day, as the forms check it
    found = today - datetime.timedelta(days=10)
    deadline = today + datetime.timedelta(days=20)

    # --- 1. The clerk creates the item through the form --------------------------------------
    page = log_in(new_context(), site, clerk.username)
    page.goto(f"{site}{NEW_PATH}")
    expect(page.locator("#ledger-form")).to_be_visible()
    # His unit is the only one he may write to; its people are among the choices.
    assert str(federation.a1.pk) in option_values(page, "#id_unit")
    assert str(federation.a2.pk) not in option_values(page, "#id_unit")
    assert str(people.clerk_person.pk) in option_values(page, "#id_responsible_person")
    # The county leader above him can be named responsible leader.
    assert str(people.leader_person.pk) in option_values(page, "#id_responsible_leader")
    page.select_option("#id_unit", str(federation.a1.pk))
    page.fill("#id_title", TITLE)
    page.select_option("#id_source", "safety")
    page.select_option("#id_category", "safety")
    page.select_option("#id_responsible_leader", str(people.leader_person.pk))
    page.select_option("#id_responsible_person", str(people.clerk_person.pk))
    page.fill("#id_found_date", found.isoformat())
    page.select_option("#id_kind", "deadline")
    page.fill("#id_deadline", deadline.isoformat())
    page.click("#btn-save")
    expect(page).to_have_url(DETAIL_RE)
    pk = int(DETAIL_RE.search(page.url).group(1))
    item_url = f"{site}/ledgers/rectification/items/{pk}/"

    item = RectificationItem.objects.get(pk=pk)
    assert (item.unit_id, item.title, item.source, item.category) == (
        federation.a1.pk,
        TITLE,
        "safety",
        "safety",
    )
    assert (item.responsible_person_id, item.responsible_leader_id) == (
        people.clerk_person.pk,
        people.leader_person.pk,
    )
    assert (item.found_date, item.kind, item.deadline) == (found, "deadline", deadline)
    assert (item.status, item.version, item.created_by_id) == (Status.OPEN, 1, clerk.pk)
    assert ChangeRecord.objects.filter(object_pk=str(pk), kind="create").count() == 1

    expect(page.locator("h1")).to_have_text(TITLE)
    expect(status_of(page)).to_have_attribute("data-status", "open")
    expect(page.locator("#overdue-badge")).to_have_count(0)  # the deadline is ahead
    expect(timeline(page)).to_have_count(0)
    # The responsible side's steps; never the reviewer's.
    expect(page.locator("#step-start")).to_be_visible()
    expect(page.locator("#step-request_close_out")).to_be_visible()
    for reviewer_step in ("close_out", "reject_close_out", "reopen"):
        expect(page.locator(f"#step-{reviewer_step}")).to_have_count(0)

    # He adds a measure (the form is folded away in a <details>).
    page.locator("details:has(#measure-form) > summary").click()
    expect(page.locator("#measure-form")).to_be_visible()
    page.fill("#measure-form textarea[name=description]", "清理消防通道杂物，划定禁止堆放区域")
    page.select_option("#measure-form select[name=owner]", str(people.clerk_person.pk))
    page.fill(
        "#measure-form input[name=deadline]", (today + datetime.timedelta(days=5)).isoformat()
    )
    page.click("#btn-add-measure")
    expect(page).to_have_url(item_url)
    expect(alert(page, "success")).to_be_visible()
    expect(page.locator("#measures tbody tr")).to_have_count(1)
    expect(page.locator("#measures tbody")).to_contain_text("清理消防通道杂物")
    measure = Measure.objects.get(item_id=pk)
    assert (measure.owner_id, measure.state, measure.created_by_id) == (
        people.clerk_person.pk,
        Measure.State.PLANNED,
        clerk.pk,
    )

    # Asking for close-out without evidence: refused with a message, nothing changes.
    page.click("#step-request_close_out")
    expect(page).to_have_url(item_url)
    refusal = alert(page, "danger")
    expect(refusal).to_be_visible()
    expect(refusal).to_have_text(
        zh("Close-out needs evidence: add a progress entry with at least one evidence file.")
    )
    expect(status_of(page)).to_have_attribute("data-status", "open")
    expect(timeline(page)).to_have_count(0)
    item.refresh_from_db()
    # Version 2: adding the measure was an action on the item.
    assert (item.status, item.version) == (Status.OPEN, 2)
    assert steps(item) == []
    assert not Notification.objects.filter(recipient=leader).exists()

    # He records progress with a photo as evidence; the first progress starts the item.
    photo = write_jpeg(tmp_path, "整改后照片.jpg")
    # The business date comes filled in with today (see test_the_progress_date_comes_filled_in
    # below); he types it anyway, as a user would.
    page.fill("#progress-form input[name=on]", today.isoformat())
    page.fill("#progress-form textarea[name=text]", "已清理通道内全部杂物，并张贴禁止堆放标识。")
    page.set_input_files("#progress-form input[name=files]", photo)
    page.click("#btn-add-progress")
    expect(page).to_have_url(item_url)
    expect(alert(page, "success")).to_be_visible()
    expect(page.locator("#progress")).to_contain_text("已清理通道内全部杂物")
    expect(page.locator("#progress a", has_text="整改后照片.jpg")).to_be_visible()
    expect(status_of(page)).to_have_attribute("data-status", "in_progress")
    expect(timeline(page)).to_have_count(1)
    entry = ProgressEntry.objects.get(item_id=pk)
    assert (entry.date, entry.created_by_id) == (today, clerk.pk)
    evidence = Evidence.objects.get(entry=entry)
    assert (evidence.name, evidence.uploaded_by_id) == ("整改后照片.jpg", clerk.pk)
    assert evidence.file.read() == JPEG
    item.refresh_from_db()
    assert item.status == Status.IN_PROGRESS
    assert steps(item) == [("start", "open", "in_progress", clerk.pk, "")]

    # Now the request goes through.
    page.click("#step-request_close_out")
    expect(page).to_have_url(item_url)
    expect(alert(page, "success")).to_be_visible()
    expect(status_of(page)).to_have_attribute("data-status", "requested")
    expect(timeline(page)).to_have_count(2)
    expect(timeline(page).nth(1)).to_contain_text(people.clerk_person.name)
    item.refresh_from_db()
    assert item.status == Status.REQUESTED
    assert steps(item)[1:] == [("request_close_out", "in_progress", "requested", clerk.pk, "")]

    # --- 3. The clerk has no reviewer's buttons on his own item, and cannot forge them -------
    expect(page.locator("#step-request_close_out")).to_have_count(0)
    for reviewer_step in ("close_out", "reject_close_out", "reopen"):
        expect(page.locator(f"#step-{reviewer_step}")).to_have_count(0)
    token = page.locator("input[name=csrfmiddlewaretoken]").first.get_attribute("value")
    forged = page.request.post(
        f"{site}/ledgers/rectification/items/{pk}/actions/close_out/",
        form={"csrfmiddlewaretoken": token, "version": str(item.version)},
        headers={"Referer": item_url},
    )
    # Sent back to the item, with a refusal.
    assert (forged.status, forged.url) == (200, item_url)
    assert zh("Your roles do not allow this action on this record.") in forged.text()
    item.refresh_from_db()
    assert (item.status, item.closed_by_id) == (Status.REQUESTED, None)
    assert len(steps(item)) == 2

    # --- 2. The leader, in his own session, is told and reviews --------------------------------
    assert Notification.objects.filter(recipient=leader, read_at__isnull=True).count() == 1
    lpage = log_in(new_context(), site, leader.username)
    expect(lpage.locator("#notification-bell #unread-count")).to_have_text("1")
    lpage.click("#notification-bell")
    expect(lpage).to_have_url(f"{site}/notifications/")
    notice = lpage.locator("#notification-list form", has_text=TITLE)
    expect(notice).to_have_count(1)
    notice.locator("button").click()
    expect(lpage).to_have_url(item_url)
    expect(lpage.locator("#unread-count")).to_have_count(0)  # opening it marked it read
    expect(status_of(lpage)).to_have_attribute("data-status", "requested")
    expect(lpage.locator("#step-close_out")).to_be_visible()
    expect(lpage.locator("#step-reject_close_out")).to_be_visible()
    expect(lpage.locator("#step-request_close_out")).to_have_count(0)

    # He looks at the evidence.
    with lpage.expect_download() as info:
        lpage.locator("#progress a", has_text="整改后照片.jpg").click()
    download = info.value
    assert download.suggested_filename == "整改后照片.jpg"
    assert pathlib.Path(download.path()).read_bytes() == JPEG

    # A rejection needs a reason: the browser will not send the form without one.
    reject_reason = lpage.locator("form:has(#step-reject_close_out) textarea[name=reason]")
    assert reject_reason.evaluate("e => e.validity.valueMissing") is True

    # He rejects once, with a reason.
    reason = "照片看不出通道全貌，请补充整改前后对比照片。"
    reject_reason.fill(reason)
    lpage.click("#step-reject_close_out")
    expect(lpage).to_have_url(item_url)
    expect(alert(lpage, "success")).to_be_visible()
    expect(status_of(lpage)).to_have_attribute("data-status", "in_progress")
    expect(timeline(lpage)).to_have_count(3)
    expect(timeline(lpage).nth(2)).to_contain_text(people.leader_person.name)
    expect(timeline(lpage).nth(2)).to_contain_text(reason)
    expect(lpage.locator("#step-close_out")).to_have_count(0)
    item.refresh_from_db()
    assert (item.status, item.closed_at) == (Status.IN_PROGRESS, None)
    assert steps(item)[2:] == [("reject_close_out", "requested", "in_progress", leader.pk, reason)]

    # --- The clerk is told, adds the photos asked for and asks again -------------------------
    page.goto(item_url)
    expect(page.locator("#notification-bell #unread-count")).to_have_text("1")
    expect(status_of(page)).to_have_attribute("data-status", "in_progress")
    expect(page.locator("#timeline")).to_contain_text(reason)
    before_photo = write_jpeg(tmp_path, "整改前照片.jpg")
    after_photo = write_jpeg(tmp_path, "整改后全景.jpg")
    page.fill("#progress-form input[name=on]", today.isoformat())
    page.fill("#progress-form textarea[name=text]", "补充整改前后对比照片。")
    page.set_input_files("#progress-form input[name=files]", [before_photo, after_photo])
    page.click("#btn-add-progress")
    expect(alert(page, "success")).to_be_visible()
    expect(page.locator("#progress > li")).to_have_count(2)
    assert Evidence.objects.filter(entry__item_id=pk).count() == 3
    page.click("#step-request_close_out")
    expect(status_of(page)).to_have_attribute("data-status", "requested")
    expect(timeline(page)).to_have_count(4)
    for reviewer_step in ("close_out", "reject_close_out"):
        expect(page.locator(f"#step-{reviewer_step}")).to_have_count(0)
    item.refresh_from_db()
    assert item.status == Status.REQUESTED
    assert steps(item)[3:] == [("request_close_out", "in_progress", "requested", clerk.pk, "")]

    # --- The leader closes it out ------------------------------------------------------------
    lpage.goto(item_url)
    expect(lpage.locator("#notification-bell #unread-count")).to_have_text("1")
    expect(status_of(lpage)).to_have_attribute("data-status", "requested")
    lpage.click("#step-close_out")
    expect(lpage).to_have_url(item_url)
    expect(alert(lpage, "success")).to_be_visible()
    expect(status_of(lpage)).to_have_attribute("data-status", "closed")
    expect(timeline(lpage)).to_have_count(5)
    expect(timeline(lpage).nth(4)).to_contain_text(people.leader_person.name)
    # Only a follow-up review could bring it back.
    expect(lpage.locator("#step-reopen")).to_be_visible()
    for gone in ("start", "request_close_out", "close_out", "reject_close_out"):
        expect(lpage.locator(f"#step-{gone}")).to_have_count(0)

    item.refresh_from_db()
    assert (item.status, item.closed_by_id) == (Status.CLOSED, leader.pk)
    assert item.closed_at is not None
    assert steps(item) == [
        ("start", "open", "in_progress", clerk.pk, ""),
        ("request_close_out", "in_progress", "requested", clerk.pk, ""),
        ("reject_close_out", "requested", "in_progress", leader.pk, reason),
        ("request_close_out", "in_progress", "requested", clerk.pk, ""),
        ("close_out", "requested", "closed", leader.pk, ""),
    ]
    assert ChangeRecord.objects.filter(object_pk=str(pk), source="workflow").count() == 5

    # The clerk sees it closed, told so, with no step left to him.
    page.goto(item_url)
    expect(status_of(page)).to_have_attribute("data-status", "closed")
    expect(timeline(page)).to_have_count(5)
    # Told once: the close-out supersedes the unread notice of the earlier rejection (one
    # unread notice per item), which stays in the list, read.
    expect(page.locator("#notification-bell #unread-count")).to_have_text("1")
    assert Notification.objects.filter(recipient=clerk, kind="review_result").count() == 2
    expect(page.locator("#workflow button")).to_have_count(0)


def test_a_clerk_may_name_a_county_leader_as_responsible_leader(
    site, federation, people, new_context
):
    page = log_in(new_context(), site, people.clerk.username)
    page.goto(f"{site}{NEW_PATH}")
    expect(page.locator("#ledger-form")).to_be_visible()
    assert str(people.leader_person.pk) in option_values(page, "#id_responsible_leader")


def test_the_progress_date_comes_filled_in(site, federation, people, new_context):
    item = ItemFactory(unit=federation.a1, responsible_person=people.clerk_person)
    page = log_in(new_context(), site, people.clerk.username)
    page.goto(f"{site}/ledgers/rectification/items/{item.pk}/")
    today = timezone.localdate().isoformat()
    expect(page.locator("#progress-form input[name=on]")).to_have_value(today, timeout=1_000)


def test_on_a_phone_the_list_is_cards_with_title_status_and_deadline(
    site, federation, people, new_context
):
    """A 390 px phone: the items list shows each row as a card; its title, status and deadline
    are on screen and nothing scrolls sideways (the long titles wrap)."""
    today = timezone.localdate()
    long_title = "基层社综合服务站财务管理制度执行不到位且票据管理混乱问题需要立即整改"
    ItemFactory(
        unit=federation.a1,
        title=long_title,
        responsible_person=people.clerk_person,
        deadline=today + datetime.timedelta(days=30),
    )
    ItemFactory(unit=federation.a2, title="合同文本不统一")
    ctx = new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    page = log_in(ctx, site, people.leader.username)
    page.goto(f"{site}/ledgers/rectification/items/")
    card = page.locator("#ledger-table tbody tr", has_text=long_title)
    expect(card).to_be_visible()
    width = page.evaluate("window.innerWidth")
    assert width == 390
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    with translation.override("zh-hans"):
        status_label = str(RectificationItem._meta.get_field("status").verbose_name)
        deadline_label = str(RectificationItem._meta.get_field("deadline").verbose_name)
        status_text = str(Status.OPEN.label)
    status = card.locator(f'td[data-label="{status_label}"]')
    expect(status).to_be_visible()
    expect(status).to_have_text(status_text)
    expect(card.locator(f'td[data-label="{deadline_label}"]')).to_be_visible()
    for cell in (card.locator("td.gx-card-title"), status):
        box = cell.bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= width, box
    # The header row is not shown as a row of its own; the cell shows its label beside it.
    label = status.evaluate("el => getComputedStyle(el, '::before').content")
    assert status_label in label
