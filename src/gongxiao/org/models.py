import uuid

from django.contrib.auth.models import AbstractUser
from django.db import models, transaction
from django.utils.translation import gettext_lazy as _

from gongxiao.core.models import LedgerModel
from gongxiao.core.scoping import units_for

from .roles import Role
from .validators import (
    id_birth_date,
    id_gender,
    mask_id_number,
    validate_credit_code,
    validate_division_code,
    validate_id_number,
)

PATH_STEP = 8  # digits per level of the materialised path


class Division(models.Model):
    """Administrative division (GB/T 2260), kept per year because the codes change."""

    code = models.CharField(_("division code"), max_length=12, validators=[validate_division_code])
    name = models.CharField(_("name"), max_length=100)
    year = models.PositiveSmallIntegerField(_("year of the code list"))

    class Meta:
        verbose_name = _("administrative division")
        verbose_name_plural = _("administrative divisions")
        constraints = [models.UniqueConstraint(fields=["code", "year"], name="division_code_year")]
        ordering = ["code"]

    def __str__(self):
        return f"{self.code} {self.name}"


class UnitQuerySet(models.QuerySet):
    def visible_to(self, user):
        return self.filter(pk__in=units_for(user).values("pk"))

    def subtree(self, unit, include_self=True):
        qs = self.filter(path__startswith=unit.path)
        return qs if include_self else qs.exclude(pk=unit.pk)


class Unit(models.Model):
    """A node of the organisation tree. `path` is a materialised path ("00000001/00000004/")
    so that a subtree is one indexed prefix query."""

    class Kind(models.TextChoices):
        PROVINCE = "province", _("Provincial federation")
        CITY = "city", _("City federation")
        COUNTY = "county", _("County co-op")
        GRASSROOTS = "grassroots", _("Grassroots co-op")
        ENTERPRISE = "enterprise", _("Co-op owned enterprise")
        OUTLET = "outlet", _("Service outlet")
        DEPARTMENT = "department", _("Department")
        MEMBER = "member", _("Member organisation")

    class Status(models.TextChoices):
        ACTIVE = "active", _("active")
        CLOSED = "closed", _("closed")

    code = models.CharField(_("unit code"), max_length=30, unique=True)
    name = models.CharField(_("name"), max_length=100)
    short_name = models.CharField(_("short name"), max_length=40, blank=True)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=_("parent unit"),
    )
    path = models.CharField(_("tree path"), max_length=255, unique=True, editable=False)
    depth = models.PositiveSmallIntegerField(_("depth in the tree"), default=0, editable=False)
    division_code = models.CharField(
        _("division code"), max_length=12, blank=True, validators=[validate_division_code]
    )
    credit_code = models.CharField(
        _("unified social credit code"),
        max_length=18,
        blank=True,
        validators=[validate_credit_code],
    )
    address = models.CharField(_("address"), max_length=200, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.ACTIVE
    )

    objects = UnitQuerySet.as_manager()

    class Meta:
        verbose_name = _("unit")
        verbose_name_plural = _("units")
        ordering = ["path"]
        indexes = [
            # Subtree queries are `path LIKE 'prefix%'`; PostgreSQL uses an index for them only
            # with the pattern operator class (other databases ignore the opclass).
            models.Index(
                fields=["path"], name="org_unit_path_prefix", opclasses=["varchar_pattern_ops"]
            )
        ]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        if self.credit_code:
            self.credit_code = self.credit_code.strip().upper()
        if self.pk is not None:
            # A unit changes place only through services.move_unit, which rewrites the subtree.
            super().save(*args, **kwargs)
            return
        # The path needs the primary key, so a new unit is written twice in one transaction.
        with transaction.atomic():
            self.path = f"new-{uuid.uuid4().hex}"
            super().save(*args, **kwargs)
            self.path = self._computed_path()
            self.depth = self.path.count("/") - 1
            super().save(update_fields=["path", "depth"])

    def _computed_path(self) -> str:
        own = f"{self.pk:0{PATH_STEP}d}/"
        return (self.parent.path if self.parent_id else "") + own

    def ancestors(self, include_self=False):
        ids = [int(p) for p in self.path.strip("/").split("/")]
        if not include_self:
            ids = ids[:-1]
        return Unit.objects.filter(pk__in=ids).order_by("depth")

    def is_within(self, other: "Unit") -> bool:
        return self.path.startswith(other.path)


class Person(LedgerModel):
    """人员: a person on a unit's roll."""

    module = "org"

    class Gender(models.TextChoices):
        MALE = "M", _("male")
        FEMALE = "F", _("female")

    name = models.CharField(_("full name"), max_length=50)
    id_number = models.CharField(
        _("ID number"), max_length=18, blank=True, validators=[validate_id_number]
    )
    gender = models.CharField(_("gender"), max_length=1, choices=Gender.choices, blank=True)
    birth_date = models.DateField(_("date of birth"), null=True, blank=True)
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    post = models.CharField(_("post"), max_length=50, blank=True)
    rank = models.CharField(_("rank"), max_length=30, blank=True)
    is_cadre = models.BooleanField(_("cadre"), default=False)
    is_party_member = models.BooleanField(_("party member"), default=False)

    class Meta:
        verbose_name = _("person")
        verbose_name_plural = _("people")
        ordering = ["unit__path", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["id_number"],
                condition=~models.Q(id_number=""),
                name="person_id_number_unique",
            )
        ]
        indexes = [models.Index(fields=["unit", "name"])]

    def __str__(self):
        return self.name

    def clean(self):
        super().clean()
        if self.id_number:
            self.id_number = self.id_number.strip().upper()
            # Gender and birth date follow from the ID number; they are never typed twice.
            self.gender = id_gender(self.id_number) if len(self.id_number) == 18 else self.gender
            self.birth_date = id_birth_date(self.id_number) or self.birth_date

    @property
    def masked_id_number(self) -> str:
        return mask_id_number(self.id_number)


class User(AbstractUser):
    """A login, tied to the person it belongs to."""

    person = models.OneToOneField(
        Person,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="user",
        verbose_name=_("person"),
    )

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def display_name(self) -> str:
        return self.person.name if self.person_id else (self.get_full_name() or self.username)

    def save(self, *args, **kwargs):
        # A new password revokes every API token of the user, whichever door changed it (the
        # password page, the admin, set_password in a script): a token copied by someone who
        # knew the old password must not outlive it. The stored hash is compared, so a save
        # that leaves the password alone keeps the tokens. A queryset update() bypasses this.
        update_fields = kwargs.get("update_fields")
        old_hash = None
        if (
            self.pk
            and not self._state.adding
            and (update_fields is None or "password" in update_fields)
        ):
            old_hash = (
                type(self)._default_manager.filter(pk=self.pk).values_list("password", flat=True)
            ).first()
        super().save(*args, **kwargs)
        if old_hash is not None and old_hash != self.password:
            from rest_framework.authtoken.models import Token

            Token.objects.filter(user=self).delete()


class RoleAssignment(models.Model):
    """Grants `role` to `user` over `unit`'s subtree (only the unit itself for data entry)."""

    user = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="assignments", verbose_name=_("user")
    )
    unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="assignments", verbose_name=_("unit")
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("role assignment")
        verbose_name_plural = _("role assignments")
        constraints = [
            models.UniqueConstraint(fields=["user", "unit", "role"], name="role_assignment_unique")
        ]

    def __str__(self):
        return f"{self.user} · {self.get_role_display()} · {self.unit}"
