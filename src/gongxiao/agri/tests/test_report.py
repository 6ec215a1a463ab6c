"""One county's year in the style of seed 004, entered as rows: every sentence of the work
summary's 三位一体 section prints the figure computed from those rows, each figure's working
paper lists exactly those rows, and a placeholder that adds 亩 to 亩次 is refused in the preview
and the export while kg and t add."""

from __future__ import annotations

import datetime
import io
from decimal import Decimal

import pytest
from django.utils import translation

from gongxiao.agri import models as m
from gongxiao.agri import services
from gongxiao.agri.tests import factories as f
from gongxiao.org.roles import Role
from gongxiao.org.tests.factories import PersonFactory, user_with
from gongxiao.reports import placeholders, workpapers
from gongxiao.reports.models import ReportDraft, ReportSection
from gongxiao.reports.services import ReportError, create_draft, export_zip

D = datetime.date
SECTION = "“三位一体”实现服务能力提升"


class Year:
    """County A's 2022, with rows in 2021 and in county B that no figure may count."""

    def __init__(self, fed):
        a1, a2 = fed.a1, fed.a2
        self.rows: dict[str, set] = {}

        def keep(key, *objs):
            self.rows.setdefault(key, set()).update(o.pk for o in objs)

        # Supply: fertiliser in t and in kg (counted as t), a line in pieces (not added).
        s1 = f.make_sale(a1, month=D(2022, 3, 1), quantity=Decimal("1200"), value=Decimal("300"))
        s2 = f.make_sale(a2, month=D(2022, 4, 1), quantity=Decimal("800"), measure="kg")
        f.make_sale(a1, month=D(2022, 7, 1), quantity=Decimal("300"), measure="件")
        p = f.make_sale(a1, month=D(2022, 5, 1), category="pesticide", value=Decimal("1350.5"))
        film = f.make_sale(a1, month=D(2022, 6, 1), category="film", quantity=Decimal("215"))
        f.make_sale(a1, month=D(2021, 12, 1), quantity=Decimal("50"))
        f.make_sale(fed.b1, month=D(2022, 3, 1), quantity=Decimal("99"))
        keep("agri.supply.fertiliser", s1, s2)
        keep("agri.supply.pesticide_value", p)
        keep("agri.supply.film", film)
        # The reserve from April to September: one held in full, one found short.
        held = f.make_task(
            a1, quantity=Decimal("500"), start_date=D(2022, 4, 1), end_date=D(2022, 9, 30)
        )
        short = f.make_task(
            a2, quantity=Decimal("200"), start_date=D(2022, 4, 1), end_date=D(2022, 9, 30)
        )
        f.make_check(a1, task=held, date=D(2022, 6, 15), counted=Decimal("500"))
        services.record_stock_check(
            check=m.StockCheck(task=short, date=D(2022, 6, 15), counted=Decimal("150")),
            user=fed.admin,
        )
        keep("agri.reserve.tasks", held, short)
        keep("agri.reserve.tonnes", held, short)
        keep("agri.reserve.met", held)
        ev = [
            f.make_delivery(a1, date=D(2022, 3, 5), tonnes=Decimal("10"), households=200),
            f.make_delivery(a2, date=D(2022, 4, 9), tonnes=Decimal("12.5"), households=150),
            f.make_delivery(a1, date=D(2022, 9, 1), tonnes=Decimal("8"), households=100),
        ]
        f.make_delivery(fed.b1, date=D(2022, 3, 5), tonnes=Decimal("99"), households=999)
        for key in ("count", "tonnes", "households"):
            keep(f"agri.deliveries.{key}", *ev)
        tr = [
            f.make_trusteeship(a1, area=Decimal("1200"), start_date=D(2022, 3, 1)),
            f.make_trusteeship(a2, area=Decimal("800.5"), start_date=D(2022, 4, 1)),
        ]
        keep("agri.trusteeship.area", *tr)
        ops = [
            f.make_operation(a1, date=D(2022, 6, 1), area=Decimal("300"), times=2),
            f.make_operation(a2, date=D(2022, 7, 1), area=Decimal("1000"), times=3),
        ]
        keep("agri.services.area", *ops)
        col = [
            f.make_collection(a1, date=D(2022, 5, 1), pieces=12000),
            f.make_collection(a2, date=D(2022, 8, 1), pieces=8500),
        ]
        keep("agri.recycling.packaging_pieces", *col)
        shops = [
            f.make_outlet(a1, kind="shop", built_on=D(2022, 3, 1)),
            f.make_outlet(a2, kind="shop", built_on=D(2022, 6, 1)),
        ]
        centre = f.make_outlet(a1, kind="centre", built_on=D(2022, 5, 1))
        services.declare_level(outlet=centre, user=fed.admin, level="province", on=D(2022, 10, 8))
        keep("agri.outlets.shops_built", *shops)
        keep("agri.outlets.centres_built", centre)
        keep("agri.outlets.declared", centre)
        events = [
            f.make_sales_event(a1, start_date=D(2022, 6, 10), sales=Decimal("1200")),
            f.make_sales_event(
                a2, kind="livestream", start_date=D(2022, 11, 1), sales=Decimal("380.5")
            ),
        ]
        keep("agri.sales_events.count", *events)
        keep("agri.sales_events.sales", *events)
        shop = f.make_shop(a1, opened_on=D(2022, 1, 1))
        ss = [
            f.make_shop_sales(a1, shop=shop, month=D(2022, m_, 1), sales=Decimal("25.5"))
            for m_ in (1, 2)
        ]
        keep("agri.shops.sales", *ss)
        meals = [f.make_meals(a1, month=D(2022, 10, 1), meals=1800)]
        keep("agri.canteens.meals", *meals)
        members = [
            f.make_member(a1, joined_on=D(2022, 2, 1)),
            f.make_member(a2, kind="family_farm", joined_on=D(2022, 3, 1)),
            f.make_member(a1, kind="grain_grower", joined_on=D(2021, 5, 1)),
            f.make_member(
                a2,
                kind="farmer",
                joined_on=D(2022, 4, 1),
                land_area=None,
                person=PersonFactory(unit=a2, phone=""),
            ),
        ]
        expert = f.make_expert(a1, joined_on=D(2021, 6, 1))
        f.make_expert(a2, pool="杨梅产业专家团队", joined_on=D(2022, 2, 1))
        f.make_expert(a2, pool="杨梅产业专家团队", joined_on=D(2023, 2, 1))  # after the year
        visits = [
            f.make_expert_visit(a1, expert=expert, date=D(2022, 5, 6), households=40),
            f.make_expert_visit(
                a1, expert=expert, kind="training", date=D(2022, 8, 6), households=65
            ),
        ]
        keep("agri.expert_visits.count", *visits)
        keep("agri.expert_visits.households", *visits)
        # 产业农合联 built in the year (one the year before, one in county B: not counted), and
        # the cooperatives that joined in the year.
        feds = [f.make_industry_federation(a1, founded_on=D(2022, 4, 18))]
        f.make_industry_federation(a2, founded_on=D(2021, 9, 1))
        f.make_industry_federation(fed.b1, founded_on=D(2022, 4, 18))
        keep("agri.federations.industry_built", *feds)
        keep("agri.members.joined", members[0])
        keep("agri.members.entered", *members)
        keep("agri.members.completeness_rate", *members)


@pytest.fixture
def year(federation):
    federation.admin = user_with(Role.SYSADMIN, federation.city)
    return Year(federation)


@pytest.fixture
def leader(federation):
    return user_with(Role.LEADER, federation.county_a)


def _draft(unit, user, kind="work_summary"):
    draft = ReportDraft(unit=unit, kind=kind, period="2022", title="")
    return create_draft(draft=draft, user=user)


def test_the_three_in_one_section_prints_the_figures_of_the_rows(federation, year, leader):
    draft = _draft(federation.county_a, leader)
    with translation.override("zh-hans"):
        doc = placeholders.build(draft, leader)
    blocks = doc.blocks
    start = next(i for i, b in enumerate(blocks) if b.kind == "heading" and SECTION in b.text)
    text = ""
    for b in blocks[start + 1 :]:
        if b.kind == "heading":
            break
        text += b.text
    assert "全系统销售化肥1200.8吨，农药1350.5万元，农膜215吨" in text
    assert "承担应急化肥储备任务2项、700吨，经检查足额储备1项" in text
    assert "开展送农资活动3场，送出农资30.5吨，惠及450户农业生产主体" in text
    # Two figures, two measures: never one number.
    assert "完成土地托管面积2000.5亩，农业生产社会化服务3600亩次" in text
    assert "组织农技专家指导和培训2次，惠及105户。" in text
    assert "回收农药废弃包装物20500件" in text
    assert (
        "打造产业农合联1家，吸收合作社会员1家，建设综合服务社2家、农事服务中心1家，申报上级认定1家"
        in text
    )
    assert (
        "活动2场，销售额1580.5万元；区域公共品牌专营店和线上渠道销售51万元；邻里食堂供餐1800人次"
        in text
    )
    # Three of four members' records are complete.
    assert "完成会员信息录入4条，录入率75%，建立农技专家库2个。" in text
    assert not [e for e in doc.errors if "agri" in e]

    # Each figure's working paper lists exactly the rows behind it.
    by_key = {u.metric.key: u for u in doc.figures if u.metric.key.startswith("agri.")}
    for key, pks in year.rows.items():
        assert set(by_key[key].rows.values_list("pk", flat=True)) == pks, key
    listed = workpapers.write(doc, draft, leader, io.BytesIO())
    for key, pks in year.rows.items():
        assert listed[by_key[key].id] == len(pks), key


def _total_draft(federation, leader, body):
    draft = ReportDraft.objects.create(
        unit=federation.county_a, kind="blank", period="2022", title="测试报告"
    )
    ReportSection.objects.create(draft=draft, order=10, level=1, heading="合计", body=body)
    return draft


def test_adding_mu_to_mu_times_is_refused_in_preview_and_export(federation, year, leader):
    draft = _total_draft(
        federation, leader, "服务面积合计{{ 合计: agri.trusteeship.area, agri.services.area }}。"
    )
    with translation.override("zh-hans"):
        doc = placeholders.build(draft, leader)
        assert doc.errors
        assert "亩" in doc.errors[0] and "亩次" in doc.errors[0] and "不能" in doc.errors[0]
        with pytest.raises(ReportError):
            export_zip(draft=draft, user=leader)


def test_tonnes_and_kilograms_add_in_a_total(federation, year, leader):
    draft = _total_draft(
        federation,
        leader,
        "农资和包装物合计{{ 合计: agri.supply.fertiliser, agri.recycling.packaging_weight }}吨。",
    )
    f.make_collection(federation.a1, date=D(2022, 5, 2), pieces=None, weight=Decimal("1500"))
    doc = placeholders.build(draft, leader)
    assert not doc.errors
    # 1200.8 t and 1500 kg (+ the factories' 85 kg on each of the two collections).
    assert "合计1202.47吨" in "".join(b.text for b in doc.blocks)
