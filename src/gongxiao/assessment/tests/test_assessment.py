"""The rules of a cycle: locked schemes, indicators filled from metrics, overrides, the second
person, ranking with ties, appeals, visibility of sheets, persons, the comprehensive
assessment, exports and the metrics for reports."""

from __future__ import annotations

import datetime
import io
from decimal import Decimal as D

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from gongxiao.assessment import models as m
from gongxiao.assessment import services
from gongxiao.assessment.tests import factories as f
from gongxiao.core import metrics
from gongxiao.core.periods import parse_period
from gongxiao.org.models import Unit
from gongxiao.org.roles import Role
from gongxiao.org.tests.factories import PersonFactory, UnitFactory, user_with
from gongxiao.rectification.tests.factories import make_item

ON = f.OPENED


@pytest.fixture
def county(federation):
    return user_with(Role.SYSADMIN, federation.county_a)


@pytest.fixture
def reviewer(federation):
    return user_with(Role.SYSADMIN, federation.county_a)


def _publish(cycle, scorer, reviewer, points):
    """Score each sheet (unit code → points of its indicators), review, publish."""
    for sheet in cycle.sheets.select_related("unit"):
        f.score_all(sheet, scorer, points[sheet.unit.code])
        services.review(sheet=m.Sheet.objects.get(pk=sheet.pk), user=reviewer, on=ON)
    services.publish(cycle=m.Cycle.objects.get(pk=cycle.pk), user=scorer, on=ON)
    return {s.unit.code: s for s in m.Sheet.objects.filter(cycle=cycle).select_related("unit")}


def test_an_open_cycle_refuses_a_scheme_whose_weights_do_not_total_100(federation, county):
    scheme = f.scheme_with(federation.county_a, weights=((D(60), "manual"), (D(35), "manual")))
    cycle = f.make_cycle(federation.county_a, scheme=scheme)
    cycle.assessed_units.set([federation.a1])
    with pytest.raises(services.AssessmentRefused, match="95.*5"):
        services.open_cycle(cycle=cycle, user=county, on=ON)
    cycle.refresh_from_db()
    assert cycle.status == m.Cycle.Status.DRAFT and not cycle.sheets.exists()


def test_a_scheme_is_locked_once_a_cycle_opens_and_a_new_edition_is_free(federation, county):
    cycle = f.open_cycle(federation.county_a, [federation.a1, federation.a2], user=county)
    scheme = cycle.scheme
    assert scheme.locked_on == ON
    c = Client()
    c.force_login(county)
    ind = scheme.indicators.first()
    resp = c.post(
        f"/ledgers/assessment/indicators/{ind.pk}/edit/", {"name": "改", "version": ind.version}
    )
    ind.refresh_from_db()
    assert ind.name != "改"
    assert resp.status_code in (200, 302, 409)
    assert "锁定" in c.get(f"/ledgers/assessment/indicators/{ind.pk}/").content.decode()
    with pytest.raises(services.AssessmentRefused, match="锁定"):
        services.add_indicator(
            indicator=m.Indicator(
                scheme=scheme, section="新增", name="新增指标", weight=D(1), rule="manual"
            ),
            user=county,
        )
    new = services.new_edition(scheme=scheme, user=county, on=ON)
    assert new.edition == 2 and new.locked_on is None and new.based_on == scheme
    assert [i.name for i in new.indicators.all()] == [i.name for i in scheme.indicators.all()]
    assert services.scheme_lock_reason(new) is None


def test_a_manual_indicator_refuses_points_outside_its_range(federation, county):
    cycle = f.open_cycle(federation.county_a, [federation.a1], user=county)
    score = cycle.sheets.get().scores.first()  # weight 60
    with pytest.raises(ValidationError):
        services.score_indicator(score=score, user=county, value="60.5", on=ON)
    score.refresh_from_db()
    assert score.points is None


def _bound_cycle(federation, county):
    scheme = f.scheme_with(federation.county_a, weights=((D(80), "manual"),))
    f.IndicatorFactory(
        scheme=scheme,
        name="巡察发现问题",
        weight=D(20),
        rule="deduction",
        params={"per": "5", "floor": "0"},
        metric="rectification.items.found",
        narrowing="source=inspection",
    )
    return f.open_cycle(federation.county_a, [federation.a1, federation.a2], scheme, user=county)


def test_an_indicator_is_filled_from_its_metric_and_lists_the_same_rows(federation, county):
    day = datetime.date(2023, 2, 10)
    found = [make_item(federation.a1, found_date=day, source="inspection") for _ in range(2)]
    make_item(federation.a1, found_date=day, source="audit")  # narrowed away
    make_item(federation.a1, found_date=datetime.date(2023, 4, 10), source="inspection")  # Q2
    make_item(federation.a2, found_date=day, source="inspection")  # another unit
    cycle = _bound_cycle(federation, county)
    sheet = cycle.sheets.get(unit=federation.a1)
    score = sheet.scores.get(indicator__metric="rectification.items.found")
    fig = metrics.compute(
        "rectification.items.found",
        county,
        federation.a1,
        parse_period("2023Q1"),
        {"source": "inspection"},
    )
    assert fig.value == 2 and score.auto_value == D(2)
    assert sorted(score.auto_rows) == sorted(str(i.pk) for i in found)
    assert sorted(str(pk) for pk in fig.rows.values_list("pk", flat=True)) == sorted(
        score.auto_rows
    )
    assert score.auto_url == fig.url
    assert score.value == D(2) and score.points == D(10)  # 20 − 2 × 5
    # The link lists those rows on the ledger's page.
    c = Client()
    c.force_login(county)
    html = c.get(score.auto_url).content.decode()
    for item in found:
        assert f"/ledgers/rectification/items/{item.pk}/" in html


def test_an_override_needs_a_reason_and_evidence_and_keeps_both_values(federation, county):
    make_item(federation.a1, found_date=datetime.date(2023, 2, 10), source="inspection")
    cycle = _bound_cycle(federation, county)
    score = cycle.sheets.get(unit=federation.a1).scores.get(
        indicator__metric="rectification.items.found"
    )
    assert score.auto_value == D(1)
    with pytest.raises(ValidationError, match="理由|reason"):
        services.score_indicator(score=score, user=county, value="0", reason="", on=ON)
    with pytest.raises(ValidationError):
        services.score_indicator(
            score=score, user=county, value="0", reason="已整改销号并经复核", on=ON
        )
    score.refresh_from_db()
    assert score.points == D(15) and not score.overridden
    evidence = SimpleUploadedFile("复核意见.pdf", b"%PDF-1.4 review")
    services.score_indicator(
        score=score, user=county, value="0", reason="已整改销号并经复核", evidence=evidence, on=ON
    )
    score.refresh_from_db()
    assert score.overridden and score.auto_value == D(1) and score.value == D(0)
    assert score.points == D(20) and score.override_reason == "已整改销号并经复核"
    # The same figure again is no override and needs nothing.
    other = cycle.sheets.get(unit=federation.a2).scores.get(
        indicator__metric="rectification.items.found"
    )
    services.score_indicator(score=other, user=county, value=other.auto_value, on=ON)


def test_only_the_assessing_unit_scores_and_a_second_person_reviews(federation, county, reviewer):
    cycle = f.open_cycle(federation.county_a, [federation.a1], user=county)
    sheet = cycle.sheets.get()
    coop = user_with(Role.DATA_ENTRY, federation.a1)
    score = sheet.scores.first()
    with pytest.raises(services.AssessmentRefused, match="甲县社"):
        services.score_indicator(score=score, user=coop, value="50", on=ON)
    f.score_all(sheet, county)
    sheet.refresh_from_db()
    with pytest.raises(services.AssessmentRefused):
        services.review(sheet=sheet, user=county, on=ON)
    with pytest.raises(services.AssessmentRefused):
        services.publish(cycle=m.Cycle.objects.get(pk=cycle.pk), user=county, on=ON)
    services.review(sheet=sheet, user=reviewer, on=ON)
    sheet.refresh_from_db()
    assert sheet.status == m.Sheet.Status.REVIEWED and sheet.reviewed_by == reviewer


def test_ranking_with_ties_and_an_appeal_that_changes_one_score(federation, county, reviewer):
    a3 = UnitFactory(
        code="A3", name="甲三基层社", parent=federation.county_a, kind=Unit.Kind.GRASSROOTS
    )
    units = [federation.a1, federation.a2, a3]
    cycle = f.open_cycle(federation.county_a, units, user=county)
    sheets = _publish(cycle, county, reviewer, {"A1": [50, 40], "A2": [55, 35], "A3": [50, 30]})
    assert [sheets[c].total for c in ("A1", "A2", "A3")] == [D(90), D(90), D(80)]
    assert [sheets[c].rank for c in ("A1", "A2", "A3")] == [1, 1, 3]
    # A3 appeals its second indicator; upheld, the score reopens and is scored again.
    coop = user_with(Role.DATA_ENTRY, a3)
    score = sheets["A3"].scores.order_by("indicator__order")[1]
    appeal = services.file_appeal(
        sheet=sheets["A3"], user=coop, score=score, reason="加分材料未计入", on=ON
    )
    with pytest.raises(services.AssessmentRefused):
        services.score_indicator(score=score, user=county, value="40", on=ON)
    services.decide_appeal(
        appeal=appeal, user=county, upheld=True, decision="材料属实，重新评分", on=ON
    )
    score.refresh_from_db()
    assert score.reopened
    services.score_indicator(score=score, user=county, value="40", on=ON)
    after = {s.unit.code: s for s in m.Sheet.objects.filter(cycle=cycle).select_related("unit")}
    assert after["A3"].total == D(90)
    assert [after[c].rank for c in ("A1", "A2", "A3")] == [1, 1, 1]
    # Only that one score changed.
    assert sorted(s.points for s in after["A1"].scores.all()) == [D(40), D(50)]
    score.refresh_from_db()
    assert not score.reopened


def test_ranking_is_within_each_peer_group(federation, county, reviewer):
    cycle = f.open_cycle(federation.county_a, [federation.a1, federation.a2], user=county)
    a2 = cycle.sheets.get(unit=federation.a2)
    services.set_peer_group(sheet=a2, user=county, peer_group="社属企业", on=ON)
    sheets = _publish(cycle, county, reviewer, {"A1": [50, 30], "A2": [40, 30]})
    assert (sheets["A1"].rank, sheets["A2"].rank) == (1, 1)
    with pytest.raises(services.AssessmentRefused):
        services.set_peer_group(sheet=sheets["A1"], user=county, peer_group="x", on=ON)


def test_an_appeal_without_a_reason_or_before_publication_is_refused(federation, county, reviewer):
    cycle = f.open_cycle(federation.county_a, [federation.a1], user=county)
    sheet = cycle.sheets.get()
    coop = user_with(Role.DATA_ENTRY, federation.a1)
    with pytest.raises(services.AssessmentRefused):
        services.file_appeal(sheet=sheet, user=coop, score=sheet.scores.first(), reason="x", on=ON)
    sheet = _publish(cycle, county, reviewer, {"A1": [50, 30]})["A1"]
    with pytest.raises(ValidationError):
        services.file_appeal(sheet=sheet, user=coop, score=sheet.scores.first(), reason=" ", on=ON)
    assert not m.Appeal.objects.exists()
    appeal = services.file_appeal(
        sheet=sheet, user=coop, score=sheet.scores.first(), reason="x", on=ON
    )
    with pytest.raises(ValidationError):
        services.decide_appeal(appeal=appeal, user=county, upheld=False, decision="", on=ON)
    services.decide_appeal(
        appeal=appeal, user=county, upheld=False, decision="经核实评分无误", on=ON
    )
    assert not sheet.scores.filter(reopened=True).exists()
    with pytest.raises(services.AssessmentRefused):
        services.decide_appeal(
            appeal=m.Appeal.objects.get(), user=county, upheld=True, decision="再议", on=ON
        )


def test_a_coop_sees_its_own_sheet_and_the_others_only_once_published(federation, county, reviewer):
    cycle = f.open_cycle(federation.county_a, [federation.a1, federation.a2], user=county)
    mine = cycle.sheets.get(unit=federation.a1)
    theirs = cycle.sheets.get(unit=federation.a2)
    coop = user_with(Role.DATA_ENTRY, federation.a1)
    c = Client()
    c.force_login(coop)
    assert c.get(f"/ledgers/assessment/sheets/{mine.pk}/").status_code == 200
    assert c.get(f"/ledgers/assessment/sheets/{theirs.pk}/").status_code == 404
    assert c.get(f"/assessment/sheets/{theirs.pk}/sheet.xlsx").status_code == 404
    assert c.get(f"/ledgers/assessment/cycles/{cycle.pk}/").status_code == 200
    assert list(m.Sheet.objects.visible_to(coop)) == [mine]
    _publish(cycle, county, reviewer, {"A1": [60, 30], "A2": [50, 30]})
    assert c.get(f"/ledgers/assessment/sheets/{theirs.pk}/").status_code == 200
    assert set(m.Sheet.objects.visible_to(coop)) == {mine, theirs}
    # Seen, not changed; and a sibling county sees nothing.
    assert not m.Sheet.objects.editable_by(coop).filter(pk=theirs.pk).exists()
    outsider = user_with(Role.SYSADMIN, federation.county_b)
    assert not m.Sheet.objects.visible_to(outsider).exists()
    assert not m.Cycle.objects.visible_to(outsider).exists()
    page = c.get(f"/ledgers/assessment/sheets/{mine.pk}/").content.decode()
    assert 'id="sheet-rank">1<' in page


def test_persons_are_assessed_with_grade_bands(federation, county, reviewer):
    scheme = f.scheme_with(
        federation.county_a,
        subject=m.Subject.PERSONS,
        bands=[["90", "优秀"], ["75", "称职"], ["60", "基本称职"], ["0", "不称职"]],
    )
    people = [PersonFactory(unit=federation.county_a, name=n) for n in ("张三", "李四")]
    cycle = f.CycleFactory(
        unit=federation.county_a,
        scheme=scheme,
        kind="year",
        period="2023",
        period_start=datetime.date(2023, 1, 1),
        period_end=datetime.date(2023, 12, 31),
    )
    cycle.assessed_persons.set(people)
    services.open_cycle(cycle=cycle, user=county, on=ON)
    grades = {}
    for sheet, pts in zip(cycle.sheets.order_by("person__name"), ([55, 40], [40, 25]), strict=True):
        f.score_all(sheet, county, pts)
        services.review(sheet=m.Sheet.objects.get(pk=sheet.pk), user=reviewer, on=ON)
    services.publish(cycle=m.Cycle.objects.get(pk=cycle.pk), user=county, on=ON)
    for s in cycle.sheets.select_related("person"):
        grades[s.person.name] = (s.total, s.grade, s.rank)
    assert grades["张三"] == (D(95), "优秀", 1)
    assert grades["李四"] == (D(65), "基本称职", 2)


def test_change_against_the_last_cycle_and_the_comprehensive_assessment(
    federation, county, reviewer
):
    scheme = f.scheme_with(federation.county_a)
    q1 = f.open_cycle(
        federation.county_a, [federation.a1, federation.a2], scheme, period="2023Q1", user=county
    )
    _publish(q1, county, reviewer, {"A1": [50, 30], "A2": [60, 40]})
    q2 = f.open_cycle(
        federation.county_a, [federation.a1, federation.a2], scheme, period="2023Q2", user=county
    )
    s2 = _publish(q2, county, reviewer, {"A1": [55, 35], "A2": [50, 30]})
    assert services.change(s2["A1"]) == D(10) and services.change(s2["A2"]) == D(-20)
    year = f.CycleFactory(
        unit=federation.county_a,
        kind="comprehensive",
        period="2023",
        period_start=datetime.date(2023, 1, 1),
        period_end=datetime.date(2023, 12, 31),
    )
    m.Component.objects.create(cycle=year, part=q1, weight=D(40))
    m.Component.objects.create(cycle=year, part=q2, weight=D(50))
    with pytest.raises(services.AssessmentRefused, match="90.*10"):
        services.open_cycle(cycle=year, user=county, on=ON)
    year.components.filter(part=q2).update(weight=D(60))
    services.open_cycle(cycle=m.Cycle.objects.get(pk=year.pk), user=county, on=ON)
    services.publish(cycle=m.Cycle.objects.get(pk=year.pk), user=county, on=ON)
    totals = {s.unit.code: (s.total, s.rank) for s in year.sheets.select_related("unit")}
    # A1: 80 × 0.4 + 90 × 0.6 = 86; A2: 100 × 0.4 + 80 × 0.6 = 88.
    assert totals == {"A1": (D(86), 2), "A2": (D(88), 1)}


def test_exports_and_metrics(federation, county, reviewer):
    cycle = f.open_cycle(federation.county_a, [federation.a1, federation.a2], user=county)
    _publish(cycle, county, reviewer, {"A1": [50, 30], "A2": [60, 40]})
    c = Client()
    c.force_login(county)
    from docx import Document

    from gongxiao.core.tests.helpers import read_xlsx

    rows = read_xlsx(c.get(f"/assessment/cycles/{cycle.pk}/ranking.xlsx").content)[2:]
    assert [(r[1], r[2], r[3]) for r in rows] == [(1, "甲二基层社", 100), (2, "甲一基层社", 80)]
    doc = Document(io.BytesIO(c.get(f"/assessment/cycles/{cycle.pk}/ranking.docx").content))
    assert doc.tables[0].rows[1].cells[2].text == "甲二基层社"
    sheet = cycle.sheets.get(unit=federation.a1)
    doc = Document(io.BytesIO(c.get(f"/assessment/sheets/{sheet.pk}/sheet.docx").content))
    assert any("80" in p.text for p in doc.paragraphs)
    assert c.get(f"/assessment/sheets/{sheet.pk}/sheet.xlsx").status_code == 200
    outsider = Client()
    outsider.force_login(user_with(Role.SYSADMIN, federation.county_b))
    assert outsider.get(f"/assessment/cycles/{cycle.pk}/ranking.xlsx").status_code == 404
    assert outsider.get(f"/assessment/sheets/{sheet.pk}/sheet.docx").status_code == 404
    q1 = parse_period("2023Q1")
    assert metrics.compute("assessment.sheets.assessed", county, federation.county_a, q1).value == 2
    assert metrics.compute("assessment.sheets.average", county, federation.county_a, q1).value == D(
        90
    )
    assert metrics.compute("assessment.sheets.rank", county, federation.a1, q1).value == 2
    assert (
        metrics.compute(
            "assessment.sheets.assessed", county, federation.county_a, parse_period("2023Q2")
        ).value
        == 0
    )
    fig = metrics.compute("assessment.sheets.assessed", county, federation.county_a, q1)
    html = c.get(fig.url).content.decode()
    assert f"/ledgers/assessment/sheets/{sheet.pk}/" in html


def test_a_binding_to_an_unknown_metric_or_dimension_is_refused(federation):
    scheme = f.SchemeFactory(unit=federation.county_a)
    ind = m.Indicator(
        scheme=scheme,
        section="s",
        name="n",
        weight=D(10),
        rule="ladder",
        params={"steps": [[1, 5]]},
        metric="no.such.metric",
    )
    with pytest.raises(ValidationError):
        ind.full_clean()
    ind.metric, ind.narrowing = "rectification.items.found", "颜色=红"
    with pytest.raises(ValidationError):
        ind.full_clean()
    ind.narrowing = "source=inspection"
    ind.full_clean()


def test_a_cycle_assesses_only_units_below_it_by_a_scheme_of_its_own_or_above(federation, county):
    cycle = f.make_cycle(federation.county_a)
    cycle.assessed_units.set([federation.a1, federation.b1])
    with pytest.raises(services.AssessmentRefused, match="乙一基层社"):
        services.open_cycle(cycle=cycle, user=county, on=ON)
    foreign = f.SchemeFactory(unit=federation.county_b)
    cycle.scheme = foreign
    with pytest.raises(ValidationError):
        cycle.full_clean()
    cycle.scheme = f.SchemeFactory(unit=federation.city)
    cycle.full_clean()


def test_a_target_per_unit_is_kept_with_the_cycle_and_the_points_follow_it(federation, county):
    scheme = f.scheme_with(federation.county_a, weights=((D(80), "manual"),))
    f.IndicatorFactory(
        scheme=scheme, name="打造百强基层社", weight=D(20), rule="proportion", target=D(5)
    )
    cycle = f.open_cycle(federation.county_a, [federation.a1, federation.a2], scheme, user=county)
    a1 = cycle.sheets.get(unit=federation.a1).scores.get(indicator__rule="proportion")
    a2 = cycle.sheets.get(unit=federation.a2).scores.get(indicator__rule="proportion")
    assert a1.target == D(5) and a2.target == D(5)
    services.set_target(score=a2, user=county, target="2", on=ON)
    services.score_indicator(score=a1, user=county, value="4", on=ON)
    services.score_indicator(score=m.Score.objects.get(pk=a2.pk), user=county, value="2", on=ON)
    a1.refresh_from_db()
    a2.refresh_from_db()
    assert (a1.target, a1.points) == (D(5), D(16))
    assert (a2.target, a2.points) == (D(2), D(20))
