"""Accounts: a new password revokes the API tokens, the password page is throttled like the
login, and the demo (with its published password) is refused under production settings."""

import os
import subprocess
import sys

import pytest
from django.conf import settings
from django.urls import reverse
from rest_framework.authtoken.models import Token

from gongxiao.org.tests.factories import UserFactory

PASSWORD = "Old-pass-2026!"


@pytest.fixture
def user(db):
    u = UserFactory(username="clerk")
    u.set_password(PASSWORD)
    u.save()
    return u


def test_set_password_and_save_revokes_the_users_tokens_only(user):
    other = UserFactory(username="other")
    Token.objects.create(user=user)
    kept = Token.objects.create(user=other)
    user.first_name = "改名"
    user.save()  # not a password change: the token stays
    assert Token.objects.filter(user=user).exists()

    user.set_password("New-pass-2026!")
    user.save()
    assert not Token.objects.filter(user=user).exists()
    assert list(Token.objects.all()) == [kept]


def test_password_page_revokes_tokens(client, user):
    Token.objects.create(user=user)
    client.force_login(user)
    r = client.post(
        reverse("password_change"),
        {
            "old_password": PASSWORD,
            "new_password1": "Zx-9875-new!",
            "new_password2": "Zx-9875-new!",
        },
    )
    assert r.status_code == 302, r.content.decode()
    assert not Token.objects.filter(user=user).exists()


def test_admin_password_change_revokes_tokens(client, user):
    admin = UserFactory(username="root", is_staff=True, is_superuser=True)
    Token.objects.create(user=user)
    client.force_login(admin)
    url = reverse("admin:auth_user_password_change", args=[user.pk])
    r = client.post(
        url, {"password1": "Zx-9875-new!", "password2": "Zx-9875-new!", "usable_password": "true"}
    )
    assert r.status_code == 302, r.content.decode()
    user.refresh_from_db()
    assert user.check_password("Zx-9875-new!")
    assert not Token.objects.filter(user=user).exists()


def _change(client, old, remote="127.0.0.1"):
    return client.post(
        reverse("password_change"),
        {"old_password": old, "new_password1": "Zx-9875-new!", "new_password2": "Zx-9875-new!"},
        REMOTE_ADDR=remote,
    )


def test_wrong_old_passwords_lock_the_password_page_per_user_and_browser(client, user):
    client.force_login(user)
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        r = _change(client, "wrong")
        assert r.status_code == 200
        assert "locked_out" not in [
            e.code for e in r.context["form"].errors.as_data()["old_password"]
        ]
    r = _change(client, "wrong")  # the limit-th failure locks
    assert r.status_code == 429
    assert "修改密码已锁定" in r.content.decode()

    # Locked: even the right old password is refused, and the password stays.
    r = _change(client, PASSWORD)
    assert r.status_code == 429
    assert "修改密码已锁定" in r.content.decode()
    user.refresh_from_db()
    assert user.check_password(PASSWORD)

    # Another browser address is counted apart and may still change it.
    r = _change(client, PASSWORD, remote="10.0.0.9")
    assert r.status_code == 302
    user.refresh_from_db()
    assert user.check_password("Zx-9875-new!")


def test_password_page_failures_are_not_stored_in_clear(client, user):
    from axes.models import AccessAttempt

    client.force_login(user)
    _change(client, "my-secret-guess")
    attempt = AccessAttempt.objects.get(username="clerk")
    assert "my-secret-guess" not in attempt.post_data
    assert "Zx-9875-new!" not in attempt.post_data


def test_demo_refuses_the_production_settings(tmp_path):
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "gongxiao.config.settings.prod",
        "SECRET_KEY": "x" * 60,
        "GONGXIAO_SEAL_KEY": "k" * 48,
        "ALLOWED_HOSTS": "gongxiao.example.org",
        "GONGXIAO_DATA_DIR": str(tmp_path),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'prod.sqlite3'}",
    }
    proc = subprocess.run(  # noqa: S603
        [sys.executable, "-m", "gongxiao", "demo"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "生产环境" in proc.stderr
    assert "admin" not in proc.stdout
