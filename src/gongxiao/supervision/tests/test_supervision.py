"""Supervision: the links into the rectification ledger, the four forms seen by the discipline
role alone, and each metric computed from rows."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client
from rest_framework.test import APIClient

from gongxiao.core.ledgers import get_ledger
from gongxiao.core.metrics import all_metrics, compute
from gongxiao.core.periods import parse_period
from gongxiao.core.tests.helpers import ledger_url, read_xlsx, response_bytes, xlsx_layouts
from gongxiao.org.roles import Role
from gongxiao.org.tests.factories import PersonFactory, UnitFactory, user_with
from gongxiao.rectification.models import RectificationItem, Source
from gongxiao.supervision import models as m
from gongxiao.supervision import services
from gongxiao.supervision.tests import factories as f

YEAR = parse_period("2023")


@pytest.fixture
def officer(federation):
    return user_with(Role.DISCIPLINE, federation.county_a)


def act(ledger_slug, obj, name):
    return f"/ledgers/supervision/{ledger_slug}/{obj.pk}/actions/{name}/"


def test_a_finding_becomes_an_item_with_the_finding_as_source(federation, officer):
    inspection = f.make_inspection(federation.county_a, end_date=datetime.date(2023, 5, 20))
    c = Client()
    c.force_login(officer)
    resp = c.post(
        ledger_url(get_ledger("supervision", "findings"), "create"),
        {
            "inspection": inspection.pk,
            "inspected_unit": federation.a1.pk,
            "description": "仓库消防器材过期",
            "category": "safety",
            "deadline": "2023-07-31",
        },
    )
    assert resp.status_code == 302
    finding = m.Finding.objects.get()
    item = RectificationItem.objects.get()
    assert finding.item == item
    assert item.source == Source.INSPECTION and item.source_record == finding
    assert (item.unit, item.deadline, item.found_date) == (
        federation.a1,
        datetime.date(2023, 7, 31),
        datetime.date(2023, 5, 20),
    )
    page = c.get(f"/ledgers/rectification/items/{item.pk}/").content.decode()
    assert str(finding) in page  # the item shows where it came from


def test_an_adopted_recommendation_becomes_an_item_with_itself_as_source(federation, officer):
    rec = f.make_recommendation(federation.county_a, responsible_unit=federation.a2)
    other = f.make_recommendation(federation.county_a, audit=rec.audit)
    services.decide_recommendation(recommendation=rec, adopted=True, user=officer)
    services.decide_recommendation(recommendation=other, adopted=False, user=officer)
    rec.refresh_from_db()
    other.refresh_from_db()
    assert rec.adopted is True and rec.item.source == Source.AUDIT and rec.item.source_record == rec
    assert rec.item.unit == federation.a2
    assert other.adopted is False and other.item is None
    assert RectificationItem.objects.count() == 1
    from gongxiao.core.actions import ActionRefused

    with pytest.raises(ActionRefused):
        services.decide_recommendation(recommendation=rec, adopted=True, user=officer)


def test_an_opinion_may_become_an_item_with_itself_as_source(federation, officer):
    op = f.make_opinion(federation.county_a)
    c = Client()
    c.force_login(officer)
    c.post(
        act("opinions", op, "raise_item"),
        {"unit": federation.a1.pk, "deadline": "2023-09-30", "version": op.version},
    )
    op.refresh_from_db()
    assert op.item.source == Source.LIFE_MEETING and op.item.source_record == op
    assert op.item.deadline == datetime.date(2023, 9, 30)
    c.post(act("opinions", op, "raise_item"), {"unit": federation.a1.pk, "version": op.version})
    assert RectificationItem.objects.count() == 1


def test_links_refuse_users_out_of_scope(federation):
    rec = f.make_recommendation(federation.county_a)
    outsider = user_with(Role.DISCIPLINE, federation.county_b)
    c = Client()
    c.force_login(outsider)
    assert c.post(act("recommendations", rec, "adopt"), {"version": 1}).status_code == 404
    op = f.make_opinion(federation.county_a)
    assert (
        c.post(
            act("opinions", op, "raise_item"), {"unit": federation.b1.pk, "version": 1}
        ).status_code
        == 404
    )
    with pytest.raises(PermissionDenied):
        services.decide_recommendation(recommendation=rec, adopted=True, user=outsider)
    assert not RectificationItem.objects.exists()


# --- the four forms ---------------------------------------------------------------------------

FOUR_FORMS = get_ledger("supervision", "four-forms")


@pytest.mark.parametrize("role", [r for r in Role if r != Role.DISCIPLINE])
def test_the_four_forms_are_invisible_to_every_other_role(federation, role):
    action = f.make_action(federation.a1, description="违纪事实甲")
    user = user_with(role, federation.county_a)
    c = Client()
    c.force_login(user)
    for name, kw in [
        ("list", {}),
        ("export", {}),
        ("import", {}),
        ("create", {}),
        ("detail", {"pk": action.pk}),
        ("edit", {"pk": action.pk}),
        ("delete", {"pk": action.pk}),
    ]:
        assert c.get(ledger_url(FOUR_FORMS, name, **kw)).status_code in (403, 404), name
    api = APIClient()
    api.force_authenticate(user)
    assert api.get("/api/supervision/four-forms/").status_code == 403
    assert api.get(f"/api/supervision/four-forms/{action.pk}/").status_code in (403, 404)
    assert not m.DisciplinaryAction.objects.visible_to(user).exists()
    with pytest.raises(PermissionDenied):
        compute("discipline.actions.count", user, federation.county_a, YEAR)
    assert "discipline.actions.count" not in {x.key for x in all_metrics(user)}
    home = c.get("/").content.decode()
    assert "four-forms" not in home and "违纪事实甲" not in home


def test_even_a_superuser_does_not_see_the_four_forms(federation):
    from gongxiao.org.tests.factories import UserFactory

    f.make_action(federation.a1)
    admin = UserFactory(is_superuser=True, is_staff=True)
    assert not m.DisciplinaryAction.objects.visible_to(admin).exists()
    c = Client()
    c.force_login(admin)
    assert c.get(ledger_url(FOUR_FORMS, "list")).status_code == 403


def test_the_discipline_role_sees_the_four_forms_and_their_metric(federation, officer):
    for form in (1, 1, 2, 4):
        f.make_action(federation.a1, form=form)
    f.make_action(federation.b1, form=3)
    c = Client()
    c.force_login(officer)
    rows = read_xlsx(response_bytes(c.get(ledger_url(FOUR_FORMS, "export"))))
    assert len(rows) == 5
    assert compute("discipline.actions.count", officer, federation.county_a, YEAR).value == 4
    assert (
        compute("discipline.actions.count", officer, federation.county_a, YEAR, {"form": 1}).value
        == 2
    )


# --- metrics from rows -------------------------------------------------------------------------


def test_talk_metrics_count_persons_and_discipline_mentions(federation, officer):
    a = federation.county_a
    people = [PersonFactory(unit=a) for _ in range(5)]
    t1 = f.make_talk(a, kind="reminder", political=True, integrity=True, work=True)
    t1.talked_to.set(people[:3])  # 3 persons × 3 disciplines = 9 mentions
    t2 = f.make_talk(a, kind="heart", life=True)
    t2.talked_to.set(people[3:])  # 2 persons × 1 = 2
    t3 = f.make_talk(federation.b1, kind="reminder", political=True)
    t3.talked_to.set([PersonFactory(unit=federation.b1)])
    f.make_talk(a, date=datetime.date(2022, 5, 1)).talked_to.set(people)  # another year
    assert compute("supervision.talks.count", officer, a, YEAR).value == 2
    assert compute("supervision.talks.persons", officer, a, YEAR).value == 5
    assert compute("supervision.talks.mentions", officer, a, YEAR).value == 11


def test_audit_metrics_after_seed_000(federation, officer):
    """对3家企业进行审计，形成审计报告3份，建议9条，均被党组采纳."""
    a = federation.county_a
    enterprises = [UnitFactory(parent=a, kind="enterprise") for _ in range(3)]
    for i, unit in enumerate(enterprises):
        audit = f.make_audit(a, report_number=f"审计〔2023〕{i + 1}号")
        audit.audited_units.set([unit])
        for _ in range(3):
            rec = f.make_recommendation(a, audit=audit, responsible_unit=unit)
            services.decide_recommendation(recommendation=rec, adopted=True, user=officer)
    f.make_audit(a, report_date=datetime.date(2022, 3, 1))  # another year
    fig = lambda key: compute(key, officer, a, YEAR).value  # noqa: E731
    assert (
        fig("supervision.audits.count"),
        fig("supervision.audits.units"),
        fig("supervision.audits.reports"),
        fig("supervision.recommendations.count"),
    ) == (3, 3, 3, 9)
    assert fig("supervision.recommendations.adoption_rate") == Decimal("100.0")


@pytest.mark.parametrize(
    "key,make,expected",
    [
        ("supervision.inspections.count", lambda u: f.make_inspection(u), 1),
        ("supervision.findings.count", lambda u: f.make_finding(u), 1),
        ("supervision.notices.count", lambda u: f.make_notice(u), 1),
        ("supervision.letters.signed", lambda u: f.make_letter(u), 1),
        ("supervision.supervisory.matters", lambda u: f.make_supervisory_matter(u), 1),
        (
            "supervision.supervisory.opinions",
            lambda u: f.make_supervisory_matter(
                u, opinion="建议暂缓投资", opinion_date=datetime.date(2023, 6, 1)
            ),
            1,
        ),
        ("supervision.personal_reports.filed", lambda u: f.make_personal_report(u), 1),
        (
            "supervision.personal_reports.checked",
            lambda u: f.make_personal_report(u, randomly_checked=True, check_result="consistent"),
            1,
        ),
        ("supervision.life_meetings.count", lambda u: f.make_life_meeting(u), 1),
        ("supervision.opinions.count", lambda u: f.make_opinion(u), 1),
        ("supervision.education.sessions", lambda u: f.make_education(u), 1),
    ],
)
def test_each_metric_counts_its_rows(federation, officer, key, make, expected):
    make(federation.county_a)
    make(federation.b1)  # the sibling county never counts
    assert compute(key, officer, federation.county_a, YEAR).value == expected
    assert compute(key, officer, federation.county_a, parse_period("2022")).value == 0


def test_life_meeting_opinions_as_in_seed_000(federation, officer):
    """广泛征求意见建议，综合得到意见建议35条."""
    meeting = f.make_life_meeting(federation.county_a)
    for _ in range(35):
        f.make_opinion(federation.county_a, life_meeting=meeting)
    assert compute("supervision.opinions.count", officer, federation.county_a, YEAR).value == 35


def test_education_participants_count_named_and_headcount(federation, officer):
    e = f.make_education(federation.county_a, other_participants=40)
    e.participants.set([PersonFactory(unit=federation.county_a) for _ in range(3)])
    assert (
        compute("supervision.education.participants", officer, federation.county_a, YEAR).value
        == 43
    )


def test_notices_are_numbered_per_unit_and_year(federation):
    n1 = f.make_notice(federation.county_a)
    n2 = f.make_notice(federation.county_a)
    n3 = f.make_notice(federation.county_b)
    assert (n1.number, n2.number, n3.number) == (1, 2, 1)
    assert "2" in str(n2)


def test_model_rules(federation):
    from django.core.exceptions import ValidationError

    letter = m.ResponsibilityLetter(
        unit=federation.county_a, kind="integrity", year=2023, signed_date=datetime.date(2023, 2, 1)
    )
    with pytest.raises(ValidationError):
        letter.full_clean()
    audit = m.Audit(unit=federation.county_a, title="x", kind="special", auditor="firm")
    with pytest.raises(ValidationError):
        audit.full_clean()
    report = m.PersonalMattersReport(
        unit=federation.county_a,
        person=PersonFactory(unit=federation.county_a),
        year=2023,
        filed_date=datetime.date(2023, 3, 1),
        check_result="inconsistent",
    )
    with pytest.raises(ValidationError):
        report.full_clean()


def test_letter_coverage_shows_who_has_not_signed(federation, officer):
    a = federation.county_a
    f.make_letter(a, signer_unit=federation.a1, kind="integrity")
    cadre = PersonFactory(unit=federation.a1, is_cadre=True, name="未签承诺书的干部")
    signed = PersonFactory(unit=federation.a1, is_cadre=True, name="已签承诺书的干部")
    f.make_letter(a, kind="pledge", signer_unit=None, signer_person=signed)
    c = Client()
    c.force_login(officer)
    c.post("/context/", {"unit": a.pk, "period": "2023"})
    html = c.get("/supervision/letters/coverage/").content.decode()
    table = html.split('id="coverage"')[1].split("</table>")[0]
    a1_row = table.split(federation.a1.name)[1].split("</tr>")[0]
    a2_row = table.split(federation.a2.name)[1].split("</tr>")[0]
    assert "✓" in a1_row and "✓" not in a2_row
    unpledged = html.split('id="unpledged"')[1].split("</p>")[0]
    assert cadre.name in unpledged and signed.name not in unpledged


def test_quarterly_talk_summary(federation, officer):
    a = federation.county_a
    t = f.make_talk(a, kind="reminder", political=True, integrity=True)
    t.talked_to.set([PersonFactory(unit=a) for _ in range(2)])
    f.make_talk(a, date=datetime.date(2023, 8, 1)).talked_to.set([PersonFactory(unit=a)])  # Q3
    c = Client()
    c.force_login(officer)
    c.post("/context/", {"unit": a.pk})
    data = response_bytes(
        c.get("/supervision/talks/summary/", {"period": "2023Q2", "format": "xlsx"})
    )
    layout = xlsx_layouts(data)[0]  # for print: headers repeated, fitted to the page's width
    assert layout.print_titles == "$1:$2" and layout.frozen_rows == 2
    assert layout.fit_to_page and (layout.fit_width, layout.fit_height) == ("1", "0")
    rows = read_xlsx(data)
    reminder = rows[3]  # title, headers, then one row per kind: heart-to-heart, reminder …
    assert reminder[1:3] == [1, 2] and reminder[-1] == 4  # 2 persons × 2 disciplines


def test_a_finding_belongs_to_a_unit_the_inspection_inspected(federation, officer):
    """The responsible unit is among the inspected ones or below one; another is refused with
    the inspected units named, and nothing is written."""
    inspection = f.make_inspection(federation.a1)  # inspects 甲一基层社 only
    c = Client()
    c.force_login(officer)
    data = {
        "inspection": inspection.pk,
        "description": "账实不符",
        "category": "finance",
        "deadline": "2023-07-31",
    }
    url = ledger_url(get_ledger("supervision", "findings"), "create")
    resp = c.post(url, {**data, "inspected_unit": federation.a2.pk})
    assert resp.status_code == 200
    html = resp.content.decode()
    assert "甲二基层社不在本次督查的被检查单位之列（被检查单位：甲一基层社）" in html
    assert not m.Finding.objects.exists() and not RectificationItem.objects.exists()
    # Below an inspected unit (its outlet) is taken.
    resp = c.post(url, {**data, "inspected_unit": federation.a1_outlet.pk})
    assert resp.status_code == 302
    assert m.Finding.objects.get().inspected_unit == federation.a1_outlet
