"""Regression tests for defects found in review: each once let data or a decision slip."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from rest_framework.test import APIClient

from gongxiao.core import services as kit
from gongxiao.core.ledgers import get_ledger
from gongxiao.core.models import Job
from gongxiao.org.roles import Role
from gongxiao.org.tests.factories import PersonFactory, user_with

from .helpers import ledger_url, xlsx_for


def _client(user):
    c = Client()
    c.force_login(user)
    return c


def test_api_many_to_many_fields_take_only_rows_in_reach(federation):
    from gongxiao.supervision.tests.factories import make_talk

    officer = user_with(Role.DISCIPLINE, federation.county_a)
    talk = make_talk(federation.county_a)
    foreign = PersonFactory(unit=federation.b1, name="乙县的人")
    api = APIClient()
    api.force_authenticate(officer)
    resp = api.patch(
        f"/api/supervision/talks/{talk.pk}/",
        {"talked_to": [foreign.pk], "version": talk.version},
        format="json",
    )
    assert resp.status_code == 400
    assert not talk.talked_to.exists()


def test_a_row_with_many_to_many_history_shows_its_page(federation):
    officer = user_with(Role.DISCIPLINE, federation.county_a)
    people = [PersonFactory(unit=federation.a1) for _ in range(2)]
    c = _client(officer)
    resp = c.post(
        ledger_url(get_ledger("supervision", "talks"), "create"),
        {
            "unit": federation.county_a.pk,
            "date": "2023-05-01",
            "kind": "reminder",
            "talker": people[0].pk,
            "talked_to": [p.pk for p in people],
            "integrity": "on",
        },
    )
    assert resp.status_code == 302
    page = c.get(resp["Location"])
    assert page.status_code == 200 and people[1].name in page.content.decode()


def test_recent_changes_on_home_hide_the_four_forms(federation):
    from gongxiao.supervision.tests.factories import make_action

    discipline = user_with(Role.DISCIPLINE, federation.city)
    action = make_action(federation.a1, description="x")
    kit.record_change(obj=action, kind="create", user=discipline, after=kit.snapshot(action))
    reader = user_with(Role.READ_ONLY, federation.county_a)
    assert str(action) not in _client(reader).get("/").content.decode()
    assert str(action) in _client(discipline).get("/").content.decode()


def test_row_in_use_does_not_name_restricted_records(federation):
    from gongxiao.supervision.tests.factories import make_action

    person = PersonFactory(unit=federation.a1)
    make_action(federation.a1, person=person)
    admin = user_with(Role.SYSADMIN, federation.county_a)
    with pytest.raises(kit.RowInUse) as err:
        kit.delete_row(obj=person, user=admin)
    assert "四种形态" not in str(err.value) and "disciplinary" not in str(err.value)


def test_campaign_progress_counts_only_what_the_user_sees(federation):
    from gongxiao.rectification.tests.factories import CampaignFactory, ItemFactory

    campaign = CampaignFactory(unit=federation.city)
    campaign.units.set([federation.county_a, federation.county_b])
    ItemFactory(unit=federation.a1, campaign=campaign)
    for _ in range(3):
        ItemFactory(unit=federation.b1, campaign=campaign)
    leader = user_with(Role.LEADER, federation.county_a)
    html = _client(leader).get(f"/ledgers/rectification/campaigns/{campaign.pk}/").content.decode()
    assert 'data-figure="found">1<' in html and federation.county_b.name not in html


def test_import_cannot_add_sub_rows_under_a_parent_out_of_add_scope(federation):
    from gongxiao.supervision.models import DutyRecord
    from gongxiao.supervision.tests.factories import make_list

    user = user_with(Role.PARTY, federation.county_a)
    user_with_role = user
    from gongxiao.org.services import assign_role

    assign_role(user=user_with_role, unit=federation.city, role=Role.READ_ONLY)
    foreign_list = make_list(federation.county_b)
    ledger = get_ledger("supervision", "duty-records")
    row = DutyRecord(
        responsibility_list=foreign_list, date=datetime.date(2023, 3, 1), text="越权录入"
    )
    _client(user).post(
        ledger_url(ledger, "import"),
        {"file": SimpleUploadedFile("x.xlsx", xlsx_for(ledger, [row]))},
    )
    job = Job.objects.latest("created_at")
    assert job.result["ok"] is False
    assert not DutyRecord.objects.exists()


def test_personal_data_follows_the_right_per_row(federation):
    from gongxiao.org.services import assign_role

    p = PersonFactory(unit=federation.b1, id_number="11010519491231002X")
    user = user_with(Role.PARTY, federation.a1)  # may see personal data in a1 only
    assign_role(user=user, unit=federation.city, role=Role.READ_ONLY)
    html = (
        _client(user)
        .get(ledger_url(get_ledger("org", "people"), "detail", pk=p.pk))
        .content.decode()
    )
    assert "11010519491231002X" not in html and "1949" not in html


def test_sealed_meeting_takes_no_imported_matters(federation):
    from gongxiao.decisions.models import Matter
    from gongxiao.decisions.tests.factories import MeetingFactory

    meeting = MeetingFactory(unit=federation.county_a)
    type(meeting).objects.filter(pk=meeting.pk).update(
        sealed_at=datetime.datetime(2023, 6, 1, tzinfo=datetime.UTC)
    )
    user = user_with(Role.LEADER, federation.county_a)
    ledger = get_ledger("decisions", "matters")
    row = Matter(meeting=meeting, order=1, category="decision", title="补加议题")
    _client(user).post(
        ledger_url(ledger, "import"),
        {"file": SimpleUploadedFile("x.xlsx", xlsx_for(ledger, [row]))},
    )
    assert Job.objects.latest("created_at").result["ok"] is False
    assert not Matter.objects.exists()


def test_bad_ids_get_a_message_not_an_error(federation):
    from gongxiao.decisions.tests.factories import MatterFactory

    user = user_with(Role.LEADER, federation.county_a)
    matter = MatterFactory(meeting__unit=federation.county_a)
    c = _client(user)
    assert c.post("/context/", {"unit": "abc"}).status_code == 400
    # A tampered choice is the form's refusal (400, the form again), never a server error.
    meeting_action = f"/ledgers/decisions/meetings/{matter.meeting.pk}/actions/attendance/"
    resp = c.post(meeting_action, {"person": "abc", "version": matter.meeting.version})
    assert resp.status_code == 400
    matter_action = f"/ledgers/decisions/matters/{matter.pk}/actions/state/"
    resp = c.post(matter_action, {"person": "x", "position": "agree", "version": matter.version})
    assert resp.status_code in (302, 400)
    api = APIClient()
    api.force_authenticate(user_with(Role.PARTY, federation.county_a))
    p = PersonFactory(unit=federation.a1)
    assert api.patch(f"/api/org/people/{p.pk}/", {"name": "x", "version": ""}).status_code == 400


def test_a_kept_file_downloads_for_who_may_see_the_row(federation):
    from django.core.files.base import ContentFile

    from gongxiao.supervision.tests.factories import make_letter

    letter = make_letter(federation.county_a)
    letter.file.save("责任书.pdf", ContentFile(b"%PDF-1.4 letter"))
    ledger = get_ledger("supervision", "letters")
    url = ledger_url(ledger, "file", pk=letter.pk, field="file")
    leader = user_with(Role.LEADER, federation.county_a)
    assert b"".join(_client(leader).get(url).streaming_content) == b"%PDF-1.4 letter"
    assert url in _client(leader).get(ledger_url(ledger, "detail", pk=letter.pk)).content.decode()
    assert _client(user_with(Role.LEADER, federation.county_b)).get(url).status_code == 404
    assert (
        _client(leader).get(ledger_url(ledger, "file", pk=letter.pk, field="year")).status_code
        == 404
    )


def test_filter_labels_follow_each_requests_language(federation):
    from gongxiao.rectification.tests.factories import ItemFactory

    ItemFactory(unit=federation.a1)
    leader = user_with(Role.LEADER, federation.county_a)
    url = ledger_url(get_ledger("rectification", "items"), "list")
    english = Client(headers={"accept-language": "en"})
    english.force_login(leader)
    assert ">Status<" in english.get(url).content.decode()
    chinese = _client(leader)
    html = chinese.get(url).content.decode()
    assert ">状态<" in html and ">Status<" not in html and "降序" in html


def test_times_are_shown_in_beijing_time(federation):
    from django.utils import timezone

    from gongxiao.rectification.tests.factories import ItemFactory

    item = ItemFactory(unit=federation.a1)
    at = datetime.datetime(2023, 6, 1, 1, 30, tzinfo=datetime.UTC)  # 09:30 in Beijing
    type(item).objects.filter(pk=item.pk).update(status="closed", closed_at=at)
    item.refresh_from_db()
    ledger = get_ledger("rectification", "items")
    leader = user_with(Role.LEADER, federation.county_a)
    assert ledger.display_value(item, "closed_at", leader) == "2023年6月1日 09:30"
    assert ledger.display_value(item, "closed_at", leader, for_export=True) == datetime.datetime(
        2023, 6, 1, 9, 30
    )
    assert timezone.get_current_timezone_name() == "Asia/Shanghai"


def test_optional_columns_left_out_take_their_default(federation):
    from gongxiao.rectification.models import RectificationItem

    ledger = get_ledger("rectification", "items")
    user = user_with(Role.LEADER, federation.county_a)
    headers = ["单位", "问题", "来源", "问题类别", "发现时间", "整改时限"]
    import io

    import xlsxwriter

    buf = io.BytesIO()
    wb = xlsxwriter.Workbook(buf, {"in_memory": True})
    ws = wb.add_worksheet()
    ws.write_row(0, 0, headers)
    ws.write_row(
        1, 0, [federation.a1.code, "导入的问题", "督查检查", "作风建设", "2023-03-01", "2023-05-31"]
    )
    wb.close()
    c = _client(user)
    c.post(ledger_url(ledger, "import"), {"file": SimpleUploadedFile("x.xlsx", buf.getvalue())})
    job = Job.objects.latest("created_at")
    assert job.result["ok"] is True, job.result
    c.post(f"/jobs/{job.pk}/confirm/")
    item = RectificationItem.objects.get()
    assert (item.kind, item.checkin_every_days) == ("deadline", 90)


def test_lists_follow_the_working_unit(federation):
    a1, a2 = (
        PersonFactory(unit=federation.a1, name="甲一的人"),
        PersonFactory(unit=federation.a2, name="甲二的人"),
    )
    c = _client(user_with(Role.PARTY, federation.county_a))
    url = ledger_url(get_ledger("org", "people"), "list")
    assert a2.name in c.get(url).content.decode()
    c.post("/context/", {"unit": federation.a1.pk})
    html = c.get(url).content.decode()
    assert a1.name in html and a2.name not in html
    assert a2.name in c.get(url, {"unit": federation.county_a.pk}).content.decode()
