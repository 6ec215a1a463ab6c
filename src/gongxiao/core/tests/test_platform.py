"""Settings and cross-cutting behaviour: security headers, language, login throttling, the
production settings, the database mode, periods and the working context."""

import datetime
import os
import subprocess
import sys

import pytest
from django.db import connection
from django.test import Client

from gongxiao.core.periods import parse_period
from gongxiao.org.roles import Role
from gongxiao.org.tests.factories import user_with


def test_pages_carry_a_content_security_policy_that_allows_no_other_origin(federation):
    c = Client()
    c.force_login(user_with(Role.PARTY, federation.county_a))
    resp = c.get("/")
    csp = resp["Content-Security-Policy"]
    assert "default-src 'self'" in csp and "object-src 'none'" in csp
    assert "http" not in csp and "unsafe-inline" not in csp
    html = resp.content.decode()
    assert "<script>" not in html and "http://" not in html and "https://" not in html


def test_the_interface_is_chinese_by_default_and_english_on_request(db):
    resp = Client().get("/accounts/login/")
    assert resp["Content-Language"] == "zh-hans"
    assert "登录" in resp.content.decode()
    resp = Client(headers={"accept-language": "en"}).get("/accounts/login/")
    assert resp["Content-Language"] == "en" and "Log in" in resp.content.decode()


def test_login_is_throttled_after_five_failures(federation):
    user = user_with(Role.PARTY, federation.county_a)
    c = Client()
    for _ in range(5):
        c.post("/accounts/login/", {"username": user.username, "password": "wrong"})
    resp = c.post("/accounts/login/", {"username": user.username, "password": "pw-Secret-123"})
    assert resp.status_code == 429
    assert "_auth_user_id" not in c.session


def test_login_logout_and_password_change(federation):
    user = user_with(Role.PARTY, federation.county_a)
    c = Client()
    resp = c.post("/accounts/login/", {"username": user.username, "password": "pw-Secret-123"})
    assert resp.status_code == 302 and int(c.session["_auth_user_id"]) == user.pk
    resp = c.post(
        "/accounts/password/",
        {
            "old_password": "pw-Secret-123",
            "new_password1": "Gx-new-pass-2026",
            "new_password2": "Gx-new-pass-2026",
        },
    )
    assert resp.status_code == 302
    user.refresh_from_db()
    assert user.check_password("Gx-new-pass-2026")
    assert user.password.startswith(("argon2", "md5"))  # md5 only in the test settings
    c.post("/accounts/logout/")
    assert "_auth_user_id" not in c.session


def test_argon2_is_the_production_password_hasher():
    from gongxiao.config.settings import base

    assert base.PASSWORD_HASHERS[0].endswith("Argon2PasswordHasher")


def test_production_settings_pass_check_deploy(tmp_path):
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env.update(
        GONGXIAO_DATA_DIR=str(tmp_path),
        DJANGO_SETTINGS_MODULE="gongxiao.config.settings.prod",
        SECRET_KEY="k" * 20 + "x9!Qz" * 10,
        GONGXIAO_SEAL_KEY="s" * 20 + "q7#Lm" * 8,
        ALLOWED_HOSTS="gongxiao.example.org",
        DATABASE_URL="postgres://u@127.0.0.1:5432/gongxiao",
    )
    out = subprocess.run(
        [sys.executable, "-m", "gongxiao", "check", "--deploy", "--fail-level", "WARNING"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert out.returncode == 0, out.stdout + out.stderr


def test_production_settings_refuse_to_start_without_a_secret():
    env = {k: v for k, v in os.environ.items() if k not in ("SECRET_KEY",)}
    env.update(
        DJANGO_SETTINGS_MODULE="gongxiao.config.settings.prod",
        DATABASE_URL="postgres://u@127.0.0.1:5432/gongxiao",
    )
    out = subprocess.run(
        [sys.executable, "-m", "gongxiao", "check"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert out.returncode != 0 and "SECRET_KEY" in out.stderr


def test_production_settings_refuse_to_start_without_a_seal_key(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in ("GONGXIAO_SEAL_KEY",)}
    env.update(
        GONGXIAO_DATA_DIR=str(tmp_path),
        DJANGO_SETTINGS_MODULE="gongxiao.config.settings.prod",
        SECRET_KEY="k" * 20 + "x9!Qz" * 10,
        DATABASE_URL="postgres://u@127.0.0.1:5432/gongxiao",
    )
    out = subprocess.run(
        [sys.executable, "-m", "gongxiao", "check"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert out.returncode != 0 and "GONGXIAO_SEAL_KEY" in out.stderr


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite only")
def test_sqlite_runs_in_wal_mode(db):
    with connection.cursor() as cur:
        cur.execute("PRAGMA journal_mode")
        mode = cur.fetchone()[0]
    # An in-memory test database reports "memory"; a file database must be in WAL.
    assert mode in ("wal", "memory")
    from gongxiao.config.settings.base import database_from_env

    assert "journal_mode=WAL" in database_from_env("x.sqlite3")["OPTIONS"]["init_command"]


@pytest.mark.parametrize(
    "code,start,end",
    [
        ("2022", (2022, 1, 1), (2022, 12, 31)),
        ("2022H1", (2022, 1, 1), (2022, 6, 30)),
        ("2022h2", (2022, 7, 1), (2022, 12, 31)),
        ("2024Q1", (2024, 1, 1), (2024, 3, 31)),
        ("2022Q3", (2022, 7, 1), (2022, 9, 30)),
        ("2024-02", (2024, 2, 1), (2024, 2, 29)),
    ],
)
def test_periods_parse_to_their_dates(code, start, end):
    p = parse_period(code)
    assert (p.start, p.end) == (datetime.date(*start), datetime.date(*end))


@pytest.mark.parametrize("code", ["22", "2022H3", "2022Q5", "2022-13", "2022-7", "abc"])
def test_bad_periods_are_refused(code):
    with pytest.raises(ValueError):
        parse_period(code)


def test_previous_year_of_a_period():
    assert parse_period("2023Q2").previous_year().code == "2022Q2"


def test_working_context_switch_stays_in_scope(federation):
    user = user_with(Role.PARTY, federation.county_a)
    c = Client()
    c.force_login(user)
    assert (
        c.post("/context/", {"unit": federation.a1.pk, "period": "2023H1", "next": "/"}).status_code
        == 302
    )
    resp = c.get("/")
    assert resp.wsgi_request.working_unit == federation.a1
    assert resp.wsgi_request.working_period.code == "2023H1"
    assert c.post("/context/", {"unit": federation.b1.pk}).status_code == 400
    assert c.post("/context/", {"period": "2023H3"}).status_code == 400
    assert (
        c.post("/context/", {"period": "2023", "next": "https://evil.example/"})["Location"] == "/"
    )


def test_home_counts_are_real_and_scoped(federation):
    from gongxiao.org.tests.factories import PersonFactory

    for unit in (federation.a1, federation.a2, federation.b1):
        PersonFactory(unit=unit)
    c = Client()
    c.force_login(user_with(Role.PARTY, federation.county_a))
    assert 'data-ledger="org.people">2<' in c.get("/").content.decode()
    c.post("/context/", {"unit": federation.a1.pk})
    assert 'data-ledger="org.people">1<' in c.get("/").content.decode()


def test_health_check(db):
    assert Client().get("/healthz").content == b"ok"
