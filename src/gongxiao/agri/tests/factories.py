import datetime
import random
from decimal import Decimal

from gongxiao.agri import models as m
from gongxiao.core.testing import factory_for, prepares
from gongxiao.org.demo import make_credit_code
from gongxiao.org.tests.factories import PersonFactory

_n = {"i": 0}
_rng = random.Random(16)


def _seq():
    _n["i"] += 1
    return _n["i"]


D = datetime.date(2023, 5, 10)
MONTH = datetime.date(2023, 5, 1)


@factory_for(m.InputSale)
def make_sale(unit, **kw):
    # A month of its own per row, so several rows of one unit never collide.
    n = _seq()
    month = kw.pop("month", None) or datetime.date(2000 + n % 25, n % 12 + 1, 1)
    return m.InputSale.objects.create(
        unit=unit,
        month=month,
        category=kw.pop("category", "fertiliser"),
        quantity=kw.pop("quantity", Decimal("12.5")),
        measure=kw.pop("measure", "t"),
        value=kw.pop("value", Decimal("3.2")),
        note=kw.pop("note", f"月报{n:05d}"),
        **kw,
    )


@factory_for(m.ReserveTask)
def make_task(unit, **kw):
    return m.ReserveTask.objects.create(
        unit=unit,
        title=kw.pop("title", f"应急化肥储备任务{_seq():05d}"),
        variety=kw.pop("variety", "urea"),
        quantity=kw.pop("quantity", Decimal("500")),
        start_date=kw.pop("start_date", datetime.date(2023, 4, 1)),
        end_date=kw.pop("end_date", datetime.date(2023, 9, 30)),
        **kw,
    )


@factory_for(m.StockCheck)
def make_check(unit, **kw):
    task = kw.pop("task", None) or make_task(unit)
    return m.StockCheck.objects.create(
        task=task,
        date=kw.pop("date", datetime.date(2023, 6, 15)),
        counted=kw.pop("counted", task.quantity),
        checked_by=kw.pop("checked_by", f"检查组{_seq():05d}"),
        **kw,
    )


@factory_for(m.DeliveryEvent)
def make_delivery(unit, **kw):
    return m.DeliveryEvent.objects.create(
        unit=unit,
        date=kw.pop("date", D),
        title=kw.pop("title", f"送农资下乡{_seq():05d}"),
        tonnes=kw.pop("tonnes", Decimal("8")),
        households=kw.pop("households", 120),
        **kw,
    )


@factory_for(m.Trusteeship)
def make_trusteeship(unit, **kw):
    return m.Trusteeship.objects.create(
        unit=unit,
        household=kw.pop("household", f"农户{_seq():05d}"),
        crop=kw.pop("crop", "水稻"),
        area=kw.pop("area", Decimal("120")),
        households=kw.pop("households", 1),
        start_date=kw.pop("start_date", D),
        ploughing=kw.pop("ploughing", True),
        harvesting=kw.pop("harvesting", True),
        **kw,
    )


@factory_for(m.ServiceOperation)
def make_operation(unit, **kw):
    return m.ServiceOperation.objects.create(
        unit=unit,
        date=kw.pop("date", D),
        link=kw.pop("link", "protection"),
        crop=kw.pop("crop", f"水稻{_seq():05d}"),
        area=kw.pop("area", Decimal("300")),
        times=kw.pop("times", 2),
        **kw,
    )


@factory_for(m.ServiceOutlet)
def make_outlet(unit, **kw):
    return m.ServiceOutlet.objects.create(
        unit=unit,
        name=kw.pop("name", f"农事服务中心{_seq():05d}"),
        kind=kw.pop("kind", "centre"),
        built_on=kw.pop("built_on", D),
        drying=kw.pop("drying", True),
        **kw,
    )


def declared_outlet(unit):
    outlet = make_outlet(unit)
    m.ServiceOutlet.objects.filter(pk=outlet.pk).update(
        level_sought="province", declared_on=datetime.date(2023, 10, 8)
    )
    outlet.refresh_from_db()
    return outlet


prepares("agri.outlets", "declare_level")(make_outlet)
prepares("agri.outlets", "grant_level")(declared_outlet)


@factory_for(m.Collection)
def make_collection(unit, **kw):
    return m.Collection.objects.create(
        unit=unit,
        date=kw.pop("date", D),
        material=kw.pop("material", "packaging"),
        point=kw.pop("point", f"回收点{_seq():05d}"),
        pieces=kw.pop("pieces", 1500),
        weight=kw.pop("weight", Decimal("85")),
        weight_measure=kw.pop("weight_measure", "kg"),
        **kw,
    )


@factory_for(m.SalesEvent)
def make_sales_event(unit, **kw):
    return m.SalesEvent.objects.create(
        unit=unit,
        kind=kw.pop("kind", "festival"),
        title=kw.pop("title", f"杨梅文化节{_seq():05d}"),
        start_date=kw.pop("start_date", D),
        sales=kw.pop("sales", Decimal("45.5")),
        **kw,
    )


@factory_for(m.Shop)
def make_shop(unit, **kw):
    return m.Shop.objects.create(
        unit=unit,
        name=kw.pop("name", f"瓯越鲜风专营店{_seq():05d}"),
        kind=kw.pop("kind", "shop"),
        opened_on=kw.pop("opened_on", D),
        **kw,
    )


@factory_for(m.ShopSales)
def make_shop_sales(unit, **kw):
    shop = kw.pop("shop", None) or make_shop(unit)
    return m.ShopSales.objects.create(
        shop=shop, month=kw.pop("month", MONTH), sales=kw.pop("sales", Decimal("12")), **kw
    )


@factory_for(m.Canteen)
def make_canteen(unit, **kw):
    return m.Canteen.objects.create(
        unit=unit,
        name=kw.pop("name", f"邻里食堂{_seq():05d}"),
        partner=kw.pop("partner", "村经济合作社"),
        seats=kw.pop("seats", 60),
        opened_on=kw.pop("opened_on", D),
        **kw,
    )


@factory_for(m.CanteenMeals)
def make_meals(unit, **kw):
    canteen = kw.pop("canteen", None) or make_canteen(unit)
    return m.CanteenMeals.objects.create(
        canteen=canteen, month=kw.pop("month", MONTH), meals=kw.pop("meals", 1800), **kw
    )


@factory_for(m.Organisation)
def make_organisation(unit, **kw):
    return m.Organisation.objects.create(
        unit=unit,
        name=kw.pop("name", f"农民专业合作社{_seq():05d}"),
        credit_code=kw.pop("credit_code", None)
        or make_credit_code(_rng, "330382", authority="9", kind="3"),
        representative=kw.pop("representative", None) or PersonFactory(unit=unit),
        address=kw.pop("address", "某镇某村"),
        phone=kw.pop("phone", "13900000000"),
        **kw,
    )


@factory_for(m.IndustryFederation)
def make_industry_federation(unit, **kw):
    return m.IndustryFederation.objects.create(
        unit=unit,
        name=kw.pop("name", f"产业农合联{_seq():05d}"),
        industry=kw.pop("industry", "杨梅"),
        founded_on=kw.pop("founded_on", D),
        **kw,
    )


@factory_for(m.Member)
def make_member(unit, **kw):
    kind = kw.pop("kind", "cooperative")
    if kind in m.PERSON_KINDS:
        kw.setdefault("person", PersonFactory(unit=unit))
    else:
        kw.setdefault("organisation", make_organisation(unit))
    return m.Member.objects.create(
        unit=unit,
        kind=kind,
        federation=kw.pop("federation", "township"),
        industry=kw.pop("industry", "水果"),
        joined_on=kw.pop("joined_on", D),
        land_area=kw.pop("land_area", Decimal("50")),
        main_products=kw.pop("main_products", "杨梅"),
        **kw,
    )


prepares("agri.members", "leave")(make_member)


@factory_for(m.Expert)
def make_expert(unit, **kw):
    return m.Expert.objects.create(
        unit=unit,
        person=kw.pop("person", None) or PersonFactory(unit=unit),
        speciality=kw.pop("speciality", "病虫害防治"),
        pool=kw.pop("pool", "线上农技专家库"),
        online=kw.pop("online", True),
        joined_on=kw.pop("joined_on", D),
        **kw,
    )


@factory_for(m.ExpertVisit)
def make_expert_visit(unit, **kw):
    expert = kw.pop("expert", None) or make_expert(unit)
    return m.ExpertVisit.objects.create(
        expert=expert,
        date=kw.pop("date", D),
        kind=kw.pop("kind", "visit"),
        topic=kw.pop("topic", f"杨梅病虫害防治指导{_seq():05d}"),
        households=kw.pop("households", 30),
        **kw,
    )


@factory_for(m.Project)
def make_project(unit, **kw):
    return m.Project.objects.create(
        unit=unit,
        year=kw.pop("year", 2023),
        title=kw.pop("title", f"村级综合服务社提升{_seq():05d}"),
        kind=kw.pop("kind", "village_shop"),
        planned_investment=kw.pop("planned_investment", Decimal("120")),
        **kw,
    )


def applied_project(unit):
    project = make_project(unit)
    m.Project.objects.filter(pk=project.pk).update(
        applied_to="省供销合作社", applied_on=datetime.date(2023, 3, 1)
    )
    project.refresh_from_db()
    return project


prepares("agri.projects", "apply_funds", "complete")(make_project)
prepares("agri.projects", "grant_funds")(applied_project)
