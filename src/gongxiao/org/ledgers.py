"""The People ledger (人员台账), declared through the kit, with the administrator's actions on a
person's login: open it, grant and withdraw roles, deactivate it, reset its password."""

from typing import cast

from django import forms
from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from gongxiao.core.actions import Action, ActionForm, ActionRefused
from gongxiao.core.ledgers import Ledger, register
from gongxiao.core.navigation import NavLink, register_link

from . import services
from .models import Person, RoleAssignment, User
from .roles import Role
from .validators import mask_id_number


def login_of(person) -> User | None:
    # Asked by each button's dry run on the person's page: once per person object.
    if "_gx_login" not in person.__dict__:
        person.__dict__["_gx_login"] = User.objects.filter(person=person).first()
    return person.__dict__["_gx_login"]


def _login(person) -> User:
    login = login_of(person)
    if login is None:
        raise ActionRefused(gettext("This person has no login yet."))
    return login


def _administers(user, unit_id) -> bool:
    """services.administers, remembered on the user for the request (the dry runs of six
    buttons ask it about one unit); the services check again, uncached, when they act."""
    seen = user.__dict__.setdefault("_gx_administers", {})
    if unit_id not in seen:
        seen[unit_id] = services.administered_units(user).filter(pk=unit_id).exists()
    return seen[unit_id]


def _may_administer(person, user) -> None:
    if not _administers(user, person.unit_id):
        raise PermissionDenied(gettext("This person belongs to a unit you do not administer."))


def may_open_login(person, user) -> None:
    _may_administer(person, user)
    if login_of(person) is not None:
        raise ActionRefused(gettext("This person already has a login."))


def _has_login(person, user, *, active: bool | None = None) -> User:
    _may_administer(person, user)
    login = _login(person)
    if active is not None and login.is_active != active:
        if active:
            raise ActionRefused(gettext("This login is deactivated."))
        raise ActionRefused(gettext("This login is already active."))
    return login


def may_grant(person, user) -> None:
    _has_login(person, user, active=True)


def may_withdraw(person, user) -> None:
    login = _has_login(person, user)
    if not login.assignments.exists():
        raise ActionRefused(gettext("This login holds no role."))


def may_deactivate(person, user) -> None:
    _has_login(person, user, active=True)


def may_activate(person, user) -> None:
    _has_login(person, user, active=False)


class LoginForm(ActionForm):
    username = forms.CharField(label=_("login name"), max_length=150)
    password = forms.CharField(
        label=_("initial password"),
        widget=forms.PasswordInput(render_value=False),
        help_text=_("At least 8 characters, not only digits; tell it to the person in person."),
    )


class PasswordForm(ActionForm):
    password = forms.CharField(
        label=_("new password"),
        widget=forms.PasswordInput(render_value=False),
        help_text=_("At least 8 characters, not only digits."),
    )


class GrantForm(ActionForm):
    unit = forms.ModelChoiceField(label=_("unit"), queryset=services.Unit.objects.none())
    role = forms.ChoiceField(label=_("role"), choices=Role.choices)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The units this administrator administers; the person's own unit first.
        units = services.administered_units(self.user) if self.user else None
        if units is not None:
            field = cast(forms.ModelChoiceField, self.fields["unit"])
            field.queryset = units
            field.label_from_instance = lambda u: "\u3000" * u.depth + u.name  # type: ignore[method-assign,assignment]
            if self.obj is not None and not self.is_bound:
                self.initial.setdefault("unit", self.obj.unit_id)


class WithdrawForm(ActionForm):
    assignment = forms.ModelChoiceField(
        label=_("role to withdraw"), queryset=RoleAssignment.objects.none()
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        login = login_of(self.obj) if self.obj is not None else None
        if login is not None:
            field = cast(forms.ModelChoiceField, self.fields["assignment"])
            field.queryset = login.assignments.select_related("unit").order_by("unit__path")
            field.label_from_instance = lambda a: f"{a.get_role_display()} · {a.unit.name}"  # type: ignore[method-assign,assignment]


def open_login(person, user, *, username, password):
    return services.open_login(by=user, person=person, username=username, password=password)


def grant(person, user, *, unit, role):
    return services.grant_role(by=user, user=_login(person), unit=unit, role=role)


def withdraw(person, user, *, assignment):
    if assignment.user_id != _login(person).pk:
        raise ActionRefused(gettext("This role is not held by this person's login."))
    return services.withdraw_role(by=user, assignment=assignment)


def deactivate(person, user):
    return services.set_login_active(by=user, user=_login(person), active=False)


def activate(person, user):
    return services.set_login_active(by=user, user=_login(person), active=True)


def reset(person, user, *, password):
    return services.reset_password(by=user, user=_login(person), password=password)


EXAMPLE_PASSWORD = "Gx-chushi-2026"


@register
class PersonLedger(Ledger):
    model = Person
    slug = "people"
    icon = "people"
    list_fields = ["name", "unit", "gender", "post", "rank", "phone", "is_cadre", "is_party_member"]
    form_fields = [
        "unit",
        "name",
        "id_number",
        "phone",
        "post",
        "rank",
        "is_cadre",
        "is_party_member",
    ]
    export_fields = [
        "unit",
        "name",
        "id_number",
        "gender",
        "birth_date",
        "phone",
        "post",
        "rank",
        "is_cadre",
        "is_party_member",
    ]
    api_fields = [*form_fields, "gender", "birth_date"]
    # A person is named by his unit, his name and his ID number (blank when not recorded).
    natural_key = ("unit", "name", "id_number")
    filter_fields = {
        "gender": ["exact"],
        "is_cadre": ["exact"],
        "is_party_member": ["exact"],
        "rank": ["exact"],
    }
    search_fields = ["name", "phone", "post"]
    sort_fields = ["name", "unit", "post", "updated_at"]
    # The mask hides the birth date inside the ID number; the birth date itself is hidden too.
    pii_fields = {"id_number": mask_id_number, "birth_date": lambda value: "****-**-**"}
    detail_template = "org/person_detail.html"

    def detail_extra(self, request, obj) -> dict:
        login = login_of(obj)
        if login is None or not _administers(request.user, obj.unit_id):
            return {"login": None, "login_roles": []}
        return {
            "login": login,
            "login_roles": login.assignments.select_related("unit").order_by("unit__path"),
        }

    actions = [
        Action(
            "open_login",
            _("Open a login"),
            service=open_login,
            right="administer",
            input=LoginForm,
            check=may_open_login,
            secret=("password",),
            example={"username": lambda p: f"clerk{p.pk}", "password": EXAMPLE_PASSWORD},
        ),
        Action(
            "grant_role",
            _("Grant a role"),
            service=grant,
            right="administer",
            input=GrantForm,
            check=may_grant,
            example={"unit": lambda p: p.unit_id, "role": Role.DATA_ENTRY.value},
        ),
        Action(
            "withdraw_role",
            _("Withdraw a role"),
            service=withdraw,
            right="administer",
            input=WithdrawForm,
            check=may_withdraw,
            style="outline-danger",
            example={"assignment": lambda p: _login(p).assignments.values_list("pk", flat=True)[0]},
        ),
        Action(
            "reset_password",
            _("Reset the password"),
            service=reset,
            right="administer",
            input=PasswordForm,
            check=may_grant,
            style="outline-secondary",
            secret=("password",),
            example={"password": "Gx-xinmima-2027"},
        ),
        Action(
            "deactivate_login",
            _("Deactivate the login"),
            service=deactivate,
            right="administer",
            check=may_deactivate,
            style="outline-danger",
            example={},
        ),
        Action(
            "activate_login",
            _("Activate the login"),
            service=activate,
            right="administer",
            check=may_activate,
            style="outline-secondary",
            example={},
        ),
    ]


register_link(
    NavLink(
        "org",
        _("Units and users"),  # type: ignore[arg-type]  # lazy: read in the request's language
        "org:units",
        icon="diagram-3",
        action="administer",
    )
)
