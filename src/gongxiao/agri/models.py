"""为农服务 (生产·供销·信用 "三位一体", SPEC §3.5): inputs sold, the emergency fertiliser reserve
and its stock checks, input-delivery campaigns, land trusteeship and socialised service
operations, service centres and outlets, recycling, marketing, community canteens, and the
members of the farmers' federation.

Every quantity is a number with its measure (core.quantities): a value field beside a measure
field where a row may be in one of several (t or kg), or a field whose measure is fixed and
named in its label (area in 亩, service area in 亩次, sales in 万元). Each row has the business
date that places it in a period."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from gongxiao.core.metrics import number
from gongxiao.core.models import LedgerModel, TrackedModel
from gongxiao.core.quantities import measure_choices
from gongxiao.org.validators import validate_credit_code

ZERO = Decimal(0)
POSITIVE = [MinValueValidator(Decimal("0.001"))]
NOT_NEGATIVE = [MinValueValidator(ZERO)]
STOCK_CHECK_DAYS = 30  # time given to make up a reserve shortfall


def first_of_month(day):
    """The 1st of `day`'s month (a month is kept as its first day)."""
    return day.replace(day=1) if isinstance(day, datetime.date) else day


def _qty(label, **kw):
    return models.DecimalField(label, max_digits=14, decimal_places=3, **kw)


def _money(label, **kw):
    # 万元 with four decimals: exact to the yuan.
    return models.DecimalField(label, max_digits=14, decimal_places=4, **kw)


# --- supply (供销) ---------------------------------------------------------------------------


class InputCategory(models.TextChoices):
    FERTILISER = "fertiliser", _("Fertiliser")
    PESTICIDE = "pesticide", _("Pesticide")
    FILM = "film", _("Agricultural film")
    SEED = "seed", _("Seed")
    OTHER = "other", _("Other inputs")


class InputSale(LedgerModel):
    """农资销售: one line of a unit's monthly sales return, one per category and measure."""

    module = "agri"

    month = models.DateField(_("month"), help_text=_("Any day of the month; kept as its 1st."))
    category = models.CharField(_("input category"), max_length=12, choices=InputCategory.choices)
    quantity = _qty(_("quantity sold"), validators=NOT_NEGATIVE)
    measure = models.CharField(
        _("measure"), max_length=4, choices=measure_choices("t", "kg", "件"), default="t"
    )
    value = _money(_("sales value (10,000 yuan)"), validators=NOT_NEGATIVE)
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("input sales line")
        verbose_name_plural = _("input sales")
        ordering = ["-month", "unit__path", "category"]
        constraints = [
            models.UniqueConstraint(
                fields=["unit", "month", "category", "measure"], name="agri_sale_one_line"
            )
        ]

    def __str__(self):
        return f"{self.month:%Y-%m} {self.get_category_display()}"

    def clean(self):
        super().clean()
        self.month = first_of_month(self.month)

    def save(self, *args, **kwargs):
        # Whatever door the row came through (form, import, API), a month is its 1st.
        self.month = first_of_month(self.month)
        super().save(*args, **kwargs)


class ReserveTask(LedgerModel):
    """应急化肥储备任务: a quantity of one variety the assigned unit must hold over a period."""

    module = "agri"

    class Variety(models.TextChoices):
        UREA = "urea", _("Urea")
        COMPOUND = "compound", _("Compound fertiliser")
        PHOSPHATE = "phosphate", _("Phosphate fertiliser")
        POTASH = "potash", _("Potash fertiliser")
        OTHER = "other", _("Other fertiliser")

    title = models.CharField(_("reserve task"), max_length=200)
    variety = models.CharField(_("variety"), max_length=10, choices=Variety.choices)
    quantity = _qty(_("quantity to hold (t)"), validators=POSITIVE)
    start_date = models.DateField(_("held from"))
    end_date = models.DateField(_("held until"))
    assigned_by = models.CharField(_("assigned by"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("fertiliser reserve task")
        verbose_name_plural = _("fertiliser reserve tasks")
        ordering = ["-start_date", "-id"]

    def __str__(self):
        return self.title

    def clean(self):
        super().clean()
        if self.start_date and self.end_date and self.end_date < self.start_date:
            raise ValidationError({"end_date": _("The end cannot be before the start.")})


class StockCheck(TrackedModel):
    """库存检查: the reserve counted on a day against its task; a shortfall raises a
    rectification item (rectification.services.create_item_from)."""

    module = "agri"
    scope_field = "task__unit"

    task = models.ForeignKey(
        ReserveTask, on_delete=models.PROTECT, related_name="checks", verbose_name=_("reserve task")
    )
    date = models.DateField(_("date checked"))
    counted = _qty(_("quantity counted (t)"), validators=NOT_NEGATIVE)
    checked_by = models.CharField(_("checked by"), max_length=100, blank=True)
    note = models.TextField(_("note"), blank=True)
    item = models.OneToOneField(
        "rectification.RectificationItem",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
        verbose_name=_("rectification item"),
    )
    item_closed_on = models.DateField(
        _("rectification closed out on"), null=True, blank=True, editable=False
    )

    class Meta:
        verbose_name = _("reserve stock check")
        verbose_name_plural = _("reserve stock checks")
        ordering = ["-date", "-id"]

    def __str__(self):
        return f"{self.task} {self.date}"

    @property
    def shortfall(self) -> Decimal:
        """Tonnes missing against the task (0 when the stock is all there)."""
        return max(self.task.quantity - self.counted, ZERO)

    def item_defaults(self):
        task = self.task
        return {
            "unit": task.unit,
            "title": str(_("Fertiliser reserve short: %(task)s") % {"task": task.title})[:200],
            "description": str(
                _(
                    "Counted %(counted)s t on %(date)s against %(quantity)s t to hold; "
                    "%(short)s t short."
                )
                % {
                    "counted": number(self.counted),
                    "date": self.date,
                    "quantity": number(task.quantity),
                    "short": number(self.shortfall),
                }
            ),
            "source": "inspection",
            "category": "business",
            "found_date": self.date,
            "kind": "deadline",
            "deadline": self.date + datetime.timedelta(days=STOCK_CHECK_DAYS),
        }

    def item_closed(self, *, item, on, user):
        type(self).objects.filter(pk=self.pk).update(item_closed_on=on)
        self.item_closed_on = on

    def item_reopened(self, *, item, on, user):
        type(self).objects.filter(pk=self.pk).update(item_closed_on=None)
        self.item_closed_on = None


class DeliveryEvent(LedgerModel):
    """送农资下乡: one event taking inputs to the villages."""

    module = "agri"

    date = models.DateField(_("date"))
    title = models.CharField(_("event"), max_length=200)
    place = models.CharField(_("place"), max_length=100, blank=True)
    tonnes = _qty(_("inputs delivered (t)"), validators=NOT_NEGATIVE)
    households = models.PositiveIntegerField(_("households reached"))

    class Meta:
        verbose_name = _("input-delivery event")
        verbose_name_plural = _("input-delivery events")
        ordering = ["-date", "-id"]

    def __str__(self):
        return self.title


# --- production services (生产) ---------------------------------------------------------------


class ServiceLink(models.TextChoices):
    PLOUGHING = "ploughing", _("Ploughing (耕)")
    SOWING = "sowing", _("Sowing (种)")
    PROTECTION = "protection", _("Plant protection (防)")
    HARVESTING = "harvesting", _("Harvesting (收)")
    DRYING = "drying", _("Drying (烘干)")
    OTHER = "other", _("Other service")


LINKS = [(c.value, c.label) for c in ServiceLink if c != ServiceLink.OTHER]


class Trusteeship(LedgerModel):
    """土地托管: land a member or a household hands to a unit's service for a period, in 亩."""

    module = "agri"

    member = models.ForeignKey(
        "agri.Member",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="trusteeships",
        verbose_name=_("member"),
    )
    household = models.CharField(_("household (not a member)"), max_length=100, blank=True)
    crop = models.CharField(_("crop"), max_length=50)
    area = _qty(_("area under trusteeship (亩)"), validators=POSITIVE)
    households = models.PositiveIntegerField(_("households"), default=1)
    start_date = models.DateField(_("from"))
    end_date = models.DateField(_("until"), null=True, blank=True)
    ploughing = models.BooleanField(_("Ploughing (耕)"), default=False)
    sowing = models.BooleanField(_("Sowing (种)"), default=False)
    protection = models.BooleanField(_("Plant protection (防)"), default=False)
    harvesting = models.BooleanField(_("Harvesting (收)"), default=False)
    drying = models.BooleanField(_("Drying (烘干)"), default=False)

    class Meta:
        verbose_name = _("land trusteeship")
        verbose_name_plural = _("land trusteeships")
        ordering = ["-start_date", "-id"]

    def __str__(self):
        who = self.member or self.household
        return f"{who} {self.crop} {number(self.area)}亩"

    @property
    def links(self) -> list[str]:
        return [str(label) for name, label in LINKS if getattr(self, name)]

    def clean(self):
        super().clean()
        errors = {}
        if not self.member_id and not self.household.strip():
            errors["household"] = _("Name the member or the household.")
        if self.start_date and self.end_date and self.end_date < self.start_date:
            errors["end_date"] = _("The end cannot be before the start.")
        if not any(getattr(self, name) for name, _label in LINKS):
            errors["ploughing"] = _("Tick at least one link of the service.")
        if errors:
            raise ValidationError(errors)


class ServiceOperation(LedgerModel):
    """农业生产社会化服务: one operation (耕, 种, 防, 收, 烘干 …) over an area a number of
    times; its service area is area × times, in 亩次 — a quantity that never adds to land
    in 亩."""

    module = "agri"

    date = models.DateField(_("date"))
    link = models.CharField(_("service"), max_length=12, choices=ServiceLink.choices)
    crop = models.CharField(_("crop"), max_length=50)
    area = _qty(_("area (亩)"), validators=POSITIVE)
    times = models.PositiveSmallIntegerField(
        _("times"), default=1, validators=[MinValueValidator(1)]
    )
    service_area = _qty(_("service area (亩次)"), editable=False, default=ZERO)
    households = models.PositiveIntegerField(_("households served"), default=0)
    outlet = models.ForeignKey(
        "agri.ServiceOutlet",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="operations",
        verbose_name=_("service centre"),
    )

    class Meta:
        verbose_name = _("service operation")
        verbose_name_plural = _("service operations")
        ordering = ["-date", "-id"]

    def __str__(self):
        return f"{self.date} {self.get_link_display()}"

    def save(self, *args, **kwargs):
        # Derived, never typed: area × times.
        if self.area is not None and self.times:
            self.service_area = Decimal(self.area) * self.times
        super().save(*args, **kwargs)


class ServiceOutlet(LedgerModel):
    """服务网点: a service centre (农事服务中心), village co-op shop (综合服务社), crop clinic
    (庄稼医院) or specialty store, with its services and the level it was recognised at."""

    module = "agri"

    class Kind(models.TextChoices):
        CENTRE = "centre", _("Agricultural service centre (农事服务中心)")
        SHOP = "shop", _("Village comprehensive service co-op (综合服务社)")
        CLINIC = "clinic", _("Crop clinic (庄稼医院)")
        STORE = "store", _("Specialty store (专营店)")

    class Level(models.TextChoices):
        NONE = "", _("Not recognised")
        COUNTY = "county", _("County level")
        CITY = "city", _("City level")
        PROVINCE = "province", _("Provincial level")

    # The levels an outlet may be declared for (a declaration always names one).
    DECLARABLE = [c for c in Level.choices if c[0]]

    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind of outlet"), max_length=8, choices=Kind.choices)
    address = models.CharField(_("address"), max_length=200, blank=True)
    built_on = models.DateField(_("opened on"))
    transport = models.BooleanField(_("transport"), default=False)
    cleaning = models.BooleanField(_("cleaning"), default=False)
    drying = models.BooleanField(_("drying"), default=False)
    storage = models.BooleanField(_("storage"), default=False)
    processing = models.BooleanField(_("processing"), default=False)
    sales = models.BooleanField(_("sales"), default=False)
    inputs = models.BooleanField(_("input supply"), default=False)
    agronomy = models.BooleanField(_("agronomy advice"), default=False)
    # Set by the declare/grant actions, never typed in the edit form.
    level_sought = models.CharField(
        _("level declared for"), max_length=8, choices=DECLARABLE, blank=True, editable=False
    )
    declared_on = models.DateField(_("declared on"), null=True, blank=True, editable=False)
    level = models.CharField(
        _("recognised level"), max_length=8, choices=DECLARABLE, blank=True, editable=False
    )
    granted_on = models.DateField(_("recognised on"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("service outlet")
        verbose_name_plural = _("service outlets")
        ordering = ["unit__path", "name"]
        constraints = [
            models.UniqueConstraint(fields=["unit", "name"], name="agri_outlet_name_unique")
        ]

    def __str__(self):
        return self.name


class Expert(LedgerModel):
    """农技专家库: an agronomy expert (a person, never a copy of his name) in a unit's pool."""

    module = "agri"

    person = models.OneToOneField(
        "org.Person", on_delete=models.PROTECT, related_name="expert", verbose_name=_("person")
    )
    speciality = models.CharField(_("speciality"), max_length=100)
    pool = models.CharField(_("expert pool"), max_length=100)
    online = models.BooleanField(_("online consultation"), default=False)
    joined_on = models.DateField(_("joined the pool on"))

    class Meta:
        verbose_name = _("agronomy expert")
        verbose_name_plural = _("agronomy experts")
        ordering = ["unit__path", "pool"]

    def __str__(self):
        return str(self.person)


class ExpertVisit(TrackedModel):
    """An expert's visit to the fields or a training, on a date, with the households reached."""

    module = "agri"
    scope_field = "expert__unit"

    class Kind(models.TextChoices):
        VISIT = "visit", _("Field visit")
        TRAINING = "training", _("Training")
        ONLINE = "online", _("Online consultation")

    expert = models.ForeignKey(
        Expert, on_delete=models.PROTECT, related_name="visits", verbose_name=_("agronomy expert")
    )
    date = models.DateField(_("date"))
    kind = models.CharField(_("kind of visit"), max_length=10, choices=Kind.choices)
    topic = models.CharField(_("topic"), max_length=200)
    households = models.PositiveIntegerField(_("households reached"), default=0)

    class Meta:
        verbose_name = _("expert visit or training")
        verbose_name_plural = _("expert visits and trainings")
        ordering = ["-date", "-id"]

    def __str__(self):
        return f"{self.date} {self.topic}"


# --- recycling -------------------------------------------------------------------------------


class Collection(LedgerModel):
    """回收: waste pesticide packaging (件 and weight), waste film or renewable resources collected
    on a day at a collection point."""

    module = "agri"

    class Material(models.TextChoices):
        PACKAGING = "packaging", _("Waste pesticide packaging")
        FILM = "film", _("Waste agricultural film")
        RENEWABLE = "renewable", _("Renewable resources")

    date = models.DateField(_("date"))
    material = models.CharField(_("material"), max_length=10, choices=Material.choices)
    point = models.CharField(_("collection point"), max_length=100)
    pieces = models.PositiveIntegerField(_("pieces (件)"), null=True, blank=True)
    weight = _qty(_("weight"), validators=NOT_NEGATIVE, null=True, blank=True)
    weight_measure = models.CharField(
        _("weight measure"), max_length=4, choices=measure_choices("kg", "t"), default="kg"
    )

    class Meta:
        verbose_name = _("collection")
        verbose_name_plural = _("recycling collections")
        ordering = ["-date", "-id"]

    def __str__(self):
        return f"{self.date} {self.get_material_display()}"

    def clean(self):
        super().clean()
        if self.pieces is None and self.weight is None:
            raise ValidationError({"pieces": _("Give the pieces, the weight, or both.")})


# --- marketing -------------------------------------------------------------------------------


class SalesEvent(LedgerModel):
    """展示展销, 节庆, 直播: a produce sales event with its sales in 万元."""

    module = "agri"

    class Kind(models.TextChoices):
        FAIR = "fair", _("Exhibition and sale (展示展销)")
        FESTIVAL = "festival", _("Festival (节庆)")
        LIVESTREAM = "livestream", _("Livestream sale (直播)")
        OTHER = "other", _("Other sales promotion")

    kind = models.CharField(_("kind of event"), max_length=10, choices=Kind.choices)
    title = models.CharField(_("event"), max_length=200)
    start_date = models.DateField(_("start date"))
    end_date = models.DateField(_("end date"), null=True, blank=True)
    organiser = models.CharField(_("organiser"), max_length=100, blank=True)
    products = models.CharField(_("products"), max_length=200, blank=True)
    sales = _money(_("sales (10,000 yuan)"), validators=NOT_NEGATIVE)
    cross_region = models.BooleanField(_("cross-region cooperation (山海协作)"), default=False)

    class Meta:
        verbose_name = _("produce sales event")
        verbose_name_plural = _("produce sales events")
        ordering = ["-start_date", "-id"]

    def __str__(self):
        return self.title

    def clean(self):
        super().clean()
        if self.start_date and self.end_date and self.end_date < self.start_date:
            raise ValidationError({"end_date": _("The end cannot be before the start.")})


class Shop(LedgerModel):
    """A regional brand shop (区域公共品牌专营店) or an online channel (a mini-program zone)."""

    module = "agri"

    class Kind(models.TextChoices):
        SHOP = "shop", _("Brand shop")
        ONLINE = "online", _("Online channel")

    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind of channel"), max_length=6, choices=Kind.choices)
    brand = models.CharField(_("brand"), max_length=50, blank=True)
    address = models.CharField(_("address or site"), max_length=200, blank=True)
    opened_on = models.DateField(_("opened on"))
    products_listed = models.PositiveIntegerField(_("products listed"), default=0)
    cross_region = models.BooleanField(_("cross-region cooperation (山海协作)"), default=False)

    class Meta:
        verbose_name = _("brand shop or channel")
        verbose_name_plural = _("brand shops and channels")
        ordering = ["unit__path", "name"]

    def __str__(self):
        return self.name


class ShopSales(TrackedModel):
    """A shop's or channel's sales of one month, in 万元."""

    module = "agri"
    scope_field = "shop__unit"

    shop = models.ForeignKey(
        Shop, on_delete=models.PROTECT, related_name="monthly_sales", verbose_name=_("shop")
    )
    month = models.DateField(_("month"), help_text=_("Any day of the month; kept as its 1st."))
    sales = _money(_("sales (10,000 yuan)"), validators=NOT_NEGATIVE)

    class Meta:
        verbose_name = _("shop sales of a month")
        verbose_name_plural = _("shop sales")
        ordering = ["-month", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["shop", "month"], name="agri_shop_month_unique")
        ]

    def __str__(self):
        return f"{self.shop} {self.month:%Y-%m}"

    def clean(self):
        super().clean()
        self.month = first_of_month(self.month)

    def save(self, *args, **kwargs):
        # Whatever door the row came through (form, import, API), a month is its 1st.
        self.month = first_of_month(self.month)
        super().save(*args, **kwargs)


# --- community services ----------------------------------------------------------------------


class Canteen(LedgerModel):
    """邻里食堂: a neighbourhood canteen run with a village economic co-op (经合社)."""

    module = "agri"

    name = models.CharField(_("name"), max_length=100)
    partner = models.CharField(_("partner economic co-op"), max_length=100, blank=True)
    floor_area = _qty(_("building area (m²)"), validators=NOT_NEGATIVE, null=True, blank=True)
    seats = models.PositiveIntegerField(_("seats"), default=0)
    opened_on = models.DateField(_("opened on"))

    class Meta:
        verbose_name = _("neighbourhood canteen")
        verbose_name_plural = _("neighbourhood canteens")
        ordering = ["unit__path", "name"]

    def __str__(self):
        return self.name


class CanteenMeals(TrackedModel):
    """The meals a canteen served in one month."""

    module = "agri"
    scope_field = "canteen__unit"

    canteen = models.ForeignKey(
        Canteen, on_delete=models.PROTECT, related_name="meals", verbose_name=_("canteen")
    )
    month = models.DateField(_("month"), help_text=_("Any day of the month; kept as its 1st."))
    meals = models.PositiveIntegerField(_("meals served"))

    class Meta:
        verbose_name = _("canteen meals of a month")
        verbose_name_plural = _("canteen meals")
        ordering = ["-month", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["canteen", "month"], name="agri_canteen_month_unique")
        ]

    def __str__(self):
        return f"{self.canteen} {self.month:%Y-%m}"

    def clean(self):
        super().clean()
        self.month = first_of_month(self.month)

    def save(self, *args, **kwargs):
        # Whatever door the row came through (form, import, API), a month is its 1st.
        self.month = first_of_month(self.month)
        super().save(*args, **kwargs)


# --- projects --------------------------------------------------------------------------------


class Project(LedgerModel):
    """项目: a project a unit plans for a year (a service centre, cold chain, village co-op
    shops …), the funds applied for and granted (财政补助, 万元), and its completion, each step an
    action on its business date."""

    module = "agri"

    class Kind(models.TextChoices):
        CENTRE = "centre", _("Agricultural service centre (农事服务中心)")
        COLD_CHAIN = "cold_chain", _("Cold chain (冷链)")
        VILLAGE_SHOP = "village_shop", _("Village comprehensive service co-op (综合服务社)")
        MARKET = "market", _("Produce market")
        OTHER = "other", _("Other project")

    year = models.PositiveSmallIntegerField(_("year planned"))
    title = models.CharField(_("project"), max_length=200)
    kind = models.CharField(_("kind of project"), max_length=12, choices=Kind.choices)
    planned_investment = _money(_("planned investment (10,000 yuan)"), validators=NOT_NEGATIVE)
    # Set by the actions, never typed in the edit form.
    applied_to = models.CharField(_("applied to"), max_length=100, blank=True, editable=False)
    applied_on = models.DateField(_("applied on"), null=True, blank=True, editable=False)
    subsidy = _money(_("subsidy granted (10,000 yuan)"), null=True, blank=True, editable=False)
    subsidy_source = models.CharField(
        _("source of the subsidy"), max_length=100, blank=True, editable=False
    )
    granted_on = models.DateField(_("granted on"), null=True, blank=True, editable=False)
    completed_on = models.DateField(_("completed on"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("project")
        verbose_name_plural = _("projects")
        ordering = ["-year", "unit__path", "title"]

    def __str__(self):
        return self.title

    def clean(self):
        super().clean()
        if self.year and not 2000 <= self.year <= 2100:
            raise ValidationError({"year": _("Give the year in four digits.")})


# --- members of the farmers' federation (农合联会员) ---------------------------------------------


class Organisation(LedgerModel):
    """An organisation our members and clients are (农民专业合作社, 家庭农场, 企业): its name and
    unified social credit code are kept here once, for membership, credit and leases alike."""

    module = "agri"

    name = models.CharField(_("name"), max_length=100)
    credit_code = models.CharField(
        _("unified social credit code"),
        max_length=18,
        unique=True,
        validators=[validate_credit_code],
    )
    representative = models.ForeignKey(
        "org.Person",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("legal representative"),
    )
    address = models.CharField(_("address"), max_length=200, blank=True)
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    main_business = models.CharField(_("main business"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        ordering = ["unit__path", "name"]

    def __str__(self):
        return self.name

    def clean(self):
        super().clean()
        if self.credit_code:
            self.credit_code = self.credit_code.strip().upper()


class IndustryFederation(LedgerModel):
    """产业农合联: a federation of the members of one industry (杨梅, 茶叶 …) a unit builds
    ("今年已打造产业农合联*家"), founded on a day; members join it at the industry level."""

    module = "agri"

    name = models.CharField(_("name"), max_length=100)
    industry = models.CharField(_("industry"), max_length=50)
    founded_on = models.DateField(_("founded on"))
    lead = models.CharField(_("lead organisation"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("industry federation")
        verbose_name_plural = _("industry federations")
        ordering = ["unit__path", "name"]
        constraints = [
            models.UniqueConstraint(fields=["unit", "name"], name="agri_industry_fed_unique")
        ]

    def __str__(self):
        return self.name


class MemberKind(models.TextChoices):
    COOPERATIVE = "cooperative", _("Farmers' cooperative (农民专业合作社)")
    FAMILY_FARM = "family_farm", _("Family farm (家庭农场)")
    GRAIN_GROWER = "grain_grower", _("Large grain grower (种粮大户)")
    ENTERPRISE = "enterprise", _("Enterprise (企业)")
    FARMER = "farmer", _("Farmer (农户)")


# Kinds whose member is a person; the others are organisations.
PERSON_KINDS = frozenset({MemberKind.GRAIN_GROWER, MemberKind.FARMER})


class Member(LedgerModel):
    """农合联会员: an organisation or a person (never a copy of their name or code), the level of
    the federation it joined, and its membership dates. Status follows from the dates."""

    module = "agri"

    class Level(models.TextChoices):
        TOWNSHIP = "township", _("Township federation (镇级农合联)")
        INDUSTRY = "industry", _("Industry federation (产业农合联)")
        COUNTY = "county", _("County federation (县级农合联)")

    kind = models.CharField(_("kind of member"), max_length=12, choices=MemberKind.choices)
    organisation = models.OneToOneField(
        Organisation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="membership",
        verbose_name=_("organisation"),
    )
    person = models.OneToOneField(
        "org.Person",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="membership",
        verbose_name=_("person"),
    )
    federation = models.CharField(_("federation joined"), max_length=10, choices=Level.choices)
    industry = models.CharField(_("industry"), max_length=50, blank=True)
    industry_federation = models.ForeignKey(
        IndustryFederation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="members",
        verbose_name=_("industry federation joined"),
    )
    joined_on = models.DateField(_("joined on"))
    left_on = models.DateField(_("left on"), null=True, blank=True, editable=False)
    land_area = _qty(_("land farmed (亩)"), validators=NOT_NEGATIVE, null=True, blank=True)
    main_products = models.CharField(_("main products"), max_length=100, blank=True)
    bank_account = models.CharField(_("bank account"), max_length=40, blank=True)

    class Meta:
        verbose_name = _("federation member")
        verbose_name_plural = _("federation members")
        ordering = ["unit__path", "-joined_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(organisation__isnull=False, person__isnull=True)
                    | models.Q(organisation__isnull=True, person__isnull=False)
                ),
                name="agri_member_is_one_party",
            )
        ]

    def __str__(self):
        return str(self.organisation or self.person or "")

    @property
    def name(self) -> str:
        return str(self.organisation or self.person or "")

    def is_active_on(self, day: datetime.date) -> bool:
        return self.joined_on <= day and (self.left_on is None or self.left_on > day)

    def clean(self):
        super().clean()
        person_kind = self.kind in PERSON_KINDS
        if person_kind and not self.person_id:
            raise ValidationError({"person": _("A member of this kind is a person: choose one.")})
        if not person_kind and self.kind and not self.organisation_id:
            raise ValidationError(
                {"organisation": _("A member of this kind is an organisation: choose one.")}
            )
        if person_kind and self.organisation_id:
            raise ValidationError({"organisation": _("A person member has no organisation.")})
        if not person_kind and self.person_id:
            raise ValidationError({"person": _("An organisation member is not a person.")})
        if self.industry_federation_id and self.federation != self.Level.INDUSTRY:
            raise ValidationError(
                {
                    "industry_federation": _(
                        "A member joins an industry federation at the industry level."
                    )
                }
            )


class RequiredField(models.Model):
    """Which fields a member of a kind must have filled for its record to be complete
    (会员信息录入率): data, not code, so the federation can tighten it."""

    kind = models.CharField(_("kind of member"), max_length=12, choices=MemberKind.choices)
    field = models.CharField(_("field"), max_length=40)

    class Meta:
        verbose_name = _("required member field")
        verbose_name_plural = _("required member fields")
        constraints = [
            models.UniqueConstraint(fields=["kind", "field"], name="agri_required_field_unique")
        ]

    def __str__(self):
        return f"{self.kind}.{self.field}"


class MemberCompleteness(models.Model):
    """Whether a member's record was complete from a day on, and which required fields were
    missing: an append-only history, so the completeness of a past period (会员信息录入率 at the
    end of last year) is read as it stood then, not from today's fields and rules. The agri
    services write a row when a member is entered (dated the day it joined), when it or its
    organisation is edited through the kit, when the rules change, and when a re-evaluation
    (a figure of the current period, the ``member_completeness`` command) finds the state
    changed (dated that day)."""

    class Reason(models.TextChoices):
        ENTERED = "entered", _("Entered")
        EDITED = "edited", _("Edited")
        RULES = "rules", _("Required fields changed")
        REVIEW = "review", _("Re-evaluated")

    member = models.ForeignKey(
        Member, on_delete=models.CASCADE, related_name="completeness", verbose_name=_("member")
    )
    from_date = models.DateField(_("state from"))
    complete = models.BooleanField(_("complete"))
    missing = models.CharField(_("fields missing"), max_length=500, blank=True)
    reason = models.CharField(_("reason"), max_length=8, choices=Reason.choices)
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("member completeness")
        verbose_name_plural = _("member completeness history")
        ordering = ["member", "from_date", "id"]
        indexes = [models.Index(fields=["member", "from_date"], name="agri_completeness_on")]

    def __str__(self):
        return f"{self.member_id} {self.from_date} {self.complete}"

    @property
    def missing_fields(self) -> list[str]:
        return [p for p in self.missing.split(",") if p]
