"""`gongxiao db_worker`: django-tasks-db's worker, which first fails the jobs whose worker died
(core/jobs.py) and, while it waits for tasks, keeps looking for them and runs the daily jobs
the apps registered (core/daily.py: reminders and the like), each once a day (the watchdog)."""

import threading

from django.db import connection
from django_tasks_db.management.commands import db_worker

from gongxiao.core import daily, jobs


class Watchdog(threading.Thread):
    def __init__(self, every: float):
        super().__init__(daemon=True, name="job-watchdog")
        self.every = every
        self.stopped = threading.Event()
        self.daily_done: dict = {}  # the day each daily job last ran in this worker

    def run(self):
        while not self.stopped.wait(self.every):
            self.tick()

    def tick(self):
        try:
            jobs.fail_stale_jobs()
        except Exception:  # the database away for a while: try again later
            jobs.log.exception("job watchdog")
        try:
            daily.run_due(self.daily_done)
        finally:
            connection.close()


class Command(db_worker.Command):
    def handle(self, *args, **options):
        lost = jobs.recover_on_start()
        if lost and options.get("verbosity", 1):
            self.stderr.write(f"{lost} job(s) whose worker had died were marked failed.")
        watchdog = None
        if not options.get("batch"):
            watchdog = Watchdog(jobs._stale_after().total_seconds() / 2)
            watchdog.start()
        try:
            return super().handle(*args, **options)
        finally:
            if watchdog:
                watchdog.stopped.set()
