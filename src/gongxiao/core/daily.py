"""Daily jobs (每日任务): work an app wants done once a day without an operator, such as the
reminders of a notification ladder whose every notice has its key (running one again the same
day sends nothing new). An app registers its jobs in its AppConfig.ready (core imports no
domain app); every task worker (`gongxiao db_worker`) runs the jobs due between its waits for
tasks, once a day each, from the hour GONGXIAO_DAILY_JOBS_HOUR (7 by default) on. With several
workers each runs them: the jobs must be idempotent."""

from __future__ import annotations

import datetime
import logging
from collections.abc import Callable

from django.conf import settings
from django.utils import timezone

log = logging.getLogger(__name__)

_jobs: dict[str, Callable[..., object]] = {}


def register(name: str, func: Callable[..., object]) -> None:
    """Run `func(today=<date>)` once a day; `name` says what it is in the worker's log."""
    _jobs[name] = func


def registered() -> dict[str, Callable[..., object]]:
    return dict(_jobs)


def run_due(done: dict[str, datetime.date], now: datetime.datetime | None = None) -> list[str]:
    """Run each registered job not yet run today (by `done`, the caller's record of the day
    each last succeeded), once the day's hour has come. A job that fails is logged and tried
    again at the next call. Returns the names of the jobs run."""
    now = timezone.localtime(now)
    if now.hour < getattr(settings, "GONGXIAO_DAILY_JOBS_HOUR", 7):
        return []
    today = now.date()
    ran = []
    for name, func in list(_jobs.items()):
        if done.get(name) == today:
            continue
        try:
            result = func(today=today)
        except Exception:  # the database away for a while: try again later
            log.exception("daily job %s", name)
            continue
        done[name] = today
        ran.append(name)
        log.info("daily job %s on %s: %s", name, today, result)
    return ran
