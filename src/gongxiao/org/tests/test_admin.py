"""The Django admin shows ledger rows and never changes them; roles granted in the admin go
through org's services."""

import pytest
from django.contrib import admin
from django.test import Client
from django.urls import reverse

from gongxiao.core.admin import LedgerReadOnlyAdmin
from gongxiao.core.ledgers import all_ledgers
from gongxiao.org.models import RoleAssignment
from gongxiao.org.roles import Role
from gongxiao.org.tests.factories import UserFactory

LEDGER_ADMINS = [ledger for ledger in all_ledgers() if ledger.model in admin.site._registry]


def test_every_ledger_model_in_the_admin_is_read_only():
    assert LEDGER_ADMINS, "no ledger model is registered in the admin"
    for ledger in LEDGER_ADMINS:
        assert isinstance(admin.site._registry[ledger.model], LedgerReadOnlyAdmin), ledger.key


@pytest.mark.parametrize("ledger", LEDGER_ADMINS, ids=lambda ledger: ledger.key)
def test_a_superuser_views_ledger_rows_in_the_admin_but_cannot_change_them(ledger, federation):
    from gongxiao.core.testing import row_factory

    obj = row_factory(ledger.model)(federation.a1)
    before = type(obj).objects.filter(pk=obj.pk).values().get()
    c = Client()
    c.force_login(UserFactory(is_staff=True, is_superuser=True))
    opts = ledger.model._meta
    name = f"admin:{opts.app_label}_{opts.model_name}"
    assert c.get(reverse(f"{name}_changelist")).status_code == 200
    assert c.get(reverse(f"{name}_change", args=[obj.pk])).status_code == 200  # the view page
    assert c.get(reverse(f"{name}_add")).status_code == 403
    assert c.post(reverse(f"{name}_add"), {}).status_code == 403
    assert c.post(reverse(f"{name}_change", args=[obj.pk]), {}).status_code == 403
    assert c.get(reverse(f"{name}_delete", args=[obj.pk])).status_code == 403
    assert c.post(reverse(f"{name}_delete", args=[obj.pk]), {"post": "yes"}).status_code == 403
    assert type(obj).objects.filter(pk=obj.pk).values().get() == before


def test_a_role_granted_in_the_admin_goes_through_the_services(federation, monkeypatch):
    from gongxiao.org import services

    granted, revoked = [], []
    real_assign, real_revoke = services.assign_role, services.revoke_role
    monkeypatch.setattr(
        services, "assign_role", lambda **kw: granted.append(kw["role"]) or real_assign(**kw)
    )
    monkeypatch.setattr(
        services, "revoke_role", lambda **kw: revoked.append(kw["role"]) or real_revoke(**kw)
    )
    user = UserFactory()
    c = Client()
    c.force_login(UserFactory(is_staff=True, is_superuser=True))
    url = reverse("admin:org_user_change", args=[user.pk])
    page = c.get(url)
    data = {
        k: v
        for k, v in page.context["adminform"].form.initial.items()
        if v is not None and not isinstance(v, list)
    }
    data.update(
        {
            "username": user.username,
            "date_joined_0": "2025-01-01",
            "date_joined_1": "09:00:00",
            "assignments-TOTAL_FORMS": "1",
            "assignments-INITIAL_FORMS": "0",
            "assignments-0-unit": str(federation.county_a.pk),
            "assignments-0-role": Role.READ_ONLY,
        }
    )
    data.pop("password", None)
    data.pop("last_login", None)
    resp = c.post(url, data)
    assert resp.status_code == 302, resp.context and resp.context["adminform"].form.errors
    assert granted == [Role.READ_ONLY]
    assert RoleAssignment.objects.filter(user=user, role=Role.READ_ONLY).count() == 1
    row = RoleAssignment.objects.get(user=user)
    data.update(
        {
            "assignments-INITIAL_FORMS": "1",
            "assignments-0-id": str(row.pk),
            "assignments-0-user": str(user.pk),
            "assignments-0-DELETE": "on",
        }
    )
    assert c.post(url, data).status_code == 302
    assert revoked == [Role.READ_ONLY]
    assert not RoleAssignment.objects.filter(user=user).exists()
