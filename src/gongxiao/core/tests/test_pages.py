"""The generic pages, on the People ledger."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client, override_settings

from gongxiao.core.ledgers import get_ledger
from gongxiao.core.models import ChangeRecord, Job
from gongxiao.org.models import Person
from gongxiao.org.roles import Role
from gongxiao.org.tests.factories import PersonFactory, user_with

from .helpers import detail_href, ledger_url, read_xlsx, response_bytes, xlsx_for

LEDGER = get_ledger("org", "people")


@pytest.fixture
def party(federation):
    return user_with(Role.PARTY, federation.county_a)


def _client(user):
    c = Client()
    c.force_login(user)
    return c


def test_login_required(db):
    resp = Client().get(ledger_url(LEDGER, "list"))
    assert resp.status_code == 302 and "/accounts/login/" in resp["Location"]


def test_list_filters_searches_and_sorts(federation, party):
    a = PersonFactory(unit=federation.a1, name="甲乙", is_cadre=True)
    b = PersonFactory(unit=federation.a2, name="丙丁", is_cadre=False)
    c = _client(party)
    html = c.get(ledger_url(LEDGER, "list"), {"q": "甲"}).content.decode()
    assert detail_href(LEDGER, a) in html and detail_href(LEDGER, b) not in html
    html = c.get(ledger_url(LEDGER, "list"), {"is_cadre": "false"}).content.decode()
    assert detail_href(LEDGER, b) in html and detail_href(LEDGER, a) not in html
    html = c.get(ledger_url(LEDGER, "list"), {"unit": federation.a2.pk}).content.decode()
    assert detail_href(LEDGER, b) in html and detail_href(LEDGER, a) not in html
    html = c.get(ledger_url(LEDGER, "list"), {"sort": "-name"}).content.decode()
    assert html.index(detail_href(LEDGER, b)) > html.index(
        detail_href(LEDGER, a)
    )  # 甲 > 丙 by code point
    html = c.get(ledger_url(LEDGER, "list"), {"sort": "name"}).content.decode()
    assert html.index(detail_href(LEDGER, b)) < html.index(detail_href(LEDGER, a))


def test_a_bad_filter_value_does_not_break_the_list(federation, party):
    PersonFactory(unit=federation.a1)
    resp = _client(party).get(ledger_url(LEDGER, "list"), {"unit": "999999", "sort": "nonsense"})
    assert resp.status_code == 200
    assert 'id="row-count"' in resp.content.decode()


def test_htmx_gets_only_the_table(federation, party):
    PersonFactory(unit=federation.a1)
    resp = _client(party).get(ledger_url(LEDGER, "list"), HTTP_HX_REQUEST="true")
    html = resp.content.decode()
    assert "<table" in html and '<nav class="navbar' not in html


@override_settings(GONGXIAO_LIST_COUNT_CAP=5)
def test_count_is_capped_instead_of_scanning(federation, party):
    for _ in range(8):
        PersonFactory(unit=federation.a1)
    resp = _client(party).get(ledger_url(LEDGER, "list"))
    assert resp.context["capped"] is True
    assert resp.context["page"].paginator.count == 5


def test_personal_data_is_masked_for_roles_without_the_right(federation):
    p = PersonFactory(unit=federation.a1, id_number="11010519491231002X")
    leader = user_with(Role.LEADER, federation.county_a)
    html = _client(leader).get(ledger_url(LEDGER, "detail", pk=p.pk)).content.decode()
    assert "110105********002X" in html and "11010519491231002X" not in html
    rows = read_xlsx(response_bytes(_client(leader).get(ledger_url(LEDGER, "export"))))
    assert "110105********002X" in rows[1] and "11010519491231002X" not in rows[1]
    party = user_with(Role.PARTY, federation.county_a)  # may see personal data
    assert (
        "11010519491231002X"
        in _client(party).get(ledger_url(LEDGER, "detail", pk=p.pk)).content.decode()
    )


def test_create_through_the_form(federation, party):
    resp = _client(party).post(
        ledger_url(LEDGER, "create"),
        {
            "unit": federation.a1.pk,
            "name": "新人",
            "id_number": "34052419800101001X",
            "phone": "13800000000",
            "post": "会计",
            "rank": "",
            "is_party_member": "on",
        },
    )
    p = Person.objects.get(name="新人")
    assert resp.status_code == 302 and resp["Location"] == ledger_url(LEDGER, "detail", pk=p.pk)
    assert p.is_party_member and not p.is_cadre and p.gender == "M" and p.created_by == party


def test_bad_input_is_refused_with_a_message_and_writes_nothing(federation, party):
    resp = _client(party).post(
        ledger_url(LEDGER, "create"),
        {
            "unit": federation.a1.pk,
            "name": "",
            "id_number": "110105194912310021",
        },
    )
    assert resp.status_code == 200
    assert set(resp.context["form"].errors) == {"name", "id_number"}
    assert not Person.objects.exists()


def test_edit_conflict_keeps_the_input_and_shows_the_saved_values(federation, party):
    p = PersonFactory(unit=federation.a1, name="原名", phone="13900000001")
    other = user_with(Role.PARTY, federation.county_a)
    data = {
        "unit": federation.a1.pk,
        "name": "我的改名",
        "id_number": p.id_number,
        "phone": p.phone,
        "post": p.post,
        "rank": "",
        "version": 1,
    }
    theirs = dict(data, name="他的改名")
    assert _client(other).post(ledger_url(LEDGER, "edit", pk=p.pk), theirs).status_code == 302
    resp = _client(party).post(ledger_url(LEDGER, "edit", pk=p.pk), data)
    assert resp.status_code == 409
    html = resp.content.decode()
    assert 'value="我的改名"' in html  # the user's input is still on the form
    assert 'id="conflict"' in html and "他的改名" in html
    p.refresh_from_db()
    assert p.name == "他的改名" and p.version == 2
    # Submitting again after seeing the conflict is a knowing decision and is saved.
    form_version = resp.context["form"].data["version"]
    assert int(form_version) == 2
    again = dict(data, version=form_version)
    assert _client(party).post(ledger_url(LEDGER, "edit", pk=p.pk), again).status_code == 302
    p.refresh_from_db()
    assert p.name == "我的改名" and p.version == 3


def test_edit_without_version_is_refused(federation, party):
    p = PersonFactory(unit=federation.a1, name="原名")
    resp = _client(party).post(
        ledger_url(LEDGER, "edit", pk=p.pk), {"unit": federation.a1.pk, "name": "x"}
    )
    assert resp.status_code == 200 and resp.context["form"].non_field_errors()
    p.refresh_from_db()
    assert p.name == "原名"


def test_detail_shows_the_change_history(federation, party):
    p = PersonFactory(unit=federation.a1, name="甲")
    c = _client(party)
    c.post(
        ledger_url(LEDGER, "edit", pk=p.pk),
        {"unit": federation.a1.pk, "name": "乙", "id_number": p.id_number, "version": 1},
    )
    html = c.get(ledger_url(LEDGER, "detail", pk=p.pk)).content.decode()
    history = html.split('id="history"')[1]
    assert "甲" in history and "乙" in history and party.username in history


def test_delete_of_a_referenced_row_is_refused_with_a_message(federation):
    from gongxiao.org.tests.factories import UserFactory

    admin = user_with(Role.SYSADMIN, federation.county_a)
    p = PersonFactory(unit=federation.a1)
    UserFactory(person=p)
    resp = _client(admin).post(ledger_url(LEDGER, "delete", pk=p.pk), follow=True)
    assert Person.objects.filter(pk=p.pk).exists()
    assert any(m.level_tag == "error" for m in resp.context["messages"])


def test_export_is_exactly_the_filtered_list_with_chinese_headers(federation, party):
    PersonFactory(unit=federation.a1, name="导出甲", is_cadre=True)
    PersonFactory(unit=federation.a2, name="导出乙", is_cadre=False)
    resp = _client(party).get(ledger_url(LEDGER, "export"), {"is_cadre": "true"})
    rows = read_xlsx(response_bytes(resp))
    assert rows[0][:2] == ["单位", "姓名"]
    assert [r[1] for r in rows[1:]] == ["导出甲"]
    assert rows[1][-2] == "是"


def test_template_has_the_import_headers(federation, party):
    rows = read_xlsx(response_bytes(_client(party).get(ledger_url(LEDGER, "template"))))
    assert rows[0][:2] == ["单位*", "姓名*"]
    assert "身份证号码" in rows[0]


def _import(client, data: bytes, name="rows.xlsx"):
    client.post(ledger_url(LEDGER, "import"), {"file": SimpleUploadedFile(name, data)})
    return Job.objects.latest("created_at")


def test_import_checks_previews_and_commits_all_rows(federation, party):
    rows = [
        Person(
            unit=federation.a1, name=f"导入{i}", id_number="", phone=f"1380000000{i}", post="员工"
        )
        for i in range(3)
    ]
    c = _client(party)
    job = _import(c, xlsx_for(LEDGER, rows))
    assert job.kind == "import_check" and job.result["ok"] is True and job.total == 3
    assert not Person.objects.exists()  # checking writes nothing
    page = c.get(f"/jobs/{job.pk}/").content.decode()
    assert 'id="import-preview"' in page and "导入1" in page
    c.post(f"/jobs/{job.pk}/confirm/")
    commit = Job.objects.latest("created_at")
    assert commit.kind == "import_commit" and commit.result["created"] == 3
    assert Person.objects.filter(name__startswith="导入", unit=federation.a1).count() == 3
    assert ChangeRecord.objects.filter(source="import").count() == 3
    # Confirming twice does not import twice.
    c.post(f"/jobs/{job.pk}/confirm/")
    assert Person.objects.count() == 3


def test_import_with_one_bad_row_writes_nothing_and_says_why(federation, party):
    rows = [Person(unit=federation.a1, name=f"导入{i}", id_number="") for i in range(3)]
    data = xlsx_for(
        LEDGER,
        rows,
        overrides={(2, "id_number"): "110105194912310021", (3, "unit"): "不存在的单位"},
    )
    c = _client(party)
    job = _import(c, data)
    assert job.result["ok"] is False
    errors = {(e["row"], e["column"]) for e in job.result["errors"]}
    assert errors == {(3, "身份证号码"), (4, "单位")}
    messages = " ".join(e["message"] for e in job.result["errors"])
    assert "校验" in messages  # plain Chinese, not a stack trace
    c.post(f"/jobs/{job.pk}/confirm/", follow=True)
    assert not Person.objects.exists()


def test_import_refuses_duplicates_within_the_file(federation, party):
    rows = [
        Person(unit=federation.a1, name=f"重复{i}", id_number="11010519491231002X")
        for i in range(2)
    ]
    job = _import(_client(party), xlsx_for(LEDGER, rows))
    assert job.result["ok"] is False
    assert job.result["errors"][0]["row"] == 3


def test_import_refuses_a_file_with_missing_columns_or_bad_format(federation, party):
    c = _client(party)
    job = _import(c, xlsx_for(LEDGER, [], headers=["姓名", "乱写的列"]))
    assert job.result["ok"] is False and len(job.result["file_errors"]) >= 2
    job = _import(c, b"this is not excel")
    assert job.result["ok"] is False and job.result["file_errors"]
    resp = c.post(ledger_url(LEDGER, "import"), {"file": SimpleUploadedFile("a.txt", b"x")})
    assert resp.status_code == 400
    assert not Person.objects.exists()


def test_import_accepts_chinese_dates_booleans_and_unit_names(federation, party):
    rows = [Person(unit=federation.a1, name="中文值", is_cadre=True)]
    data = xlsx_for(LEDGER, rows, overrides={(1, "unit"): federation.a1.name})
    job = _import(_client(party), data)
    assert job.result["ok"] is True, job.result
    _client(party).post(f"/jobs/{job.pk}/confirm/")
    assert Person.objects.get(name="中文值").is_cadre is True


def test_jobs_are_their_owners_alone(federation, party):
    job = _import(_client(party), xlsx_for(LEDGER, [Person(unit=federation.a1, name="x")]))
    stranger = user_with(Role.PARTY, federation.county_a)
    assert _client(stranger).get(f"/jobs/{job.pk}/").status_code == 404
    assert _client(stranger).post(f"/jobs/{job.pk}/confirm/").status_code == 404
    assert not Person.objects.exists()


def test_list_queries_do_not_grow_with_the_rows(federation, party, django_assert_max_num_queries):
    for _ in range(3):
        PersonFactory(unit=federation.a1)
    c = _client(party)
    c.get(ledger_url(LEDGER, "list"))  # warm the session and content types
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as few:
        c.get(ledger_url(LEDGER, "list"))
    for _ in range(30):
        PersonFactory(unit=federation.a2)
    with CaptureQueriesContext(connection) as many:
        c.get(ledger_url(LEDGER, "list"))
    assert len(many) == len(few)
