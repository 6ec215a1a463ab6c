"""Background jobs: exports and imports that may be long run here, in a task worker, and report
their progress on the Job row so the page can show a progress bar."""

from __future__ import annotations

import datetime
import io
import logging
import os
import socket
import threading
import uuid
from types import SimpleNamespace

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import models, transaction
from django.http import QueryDict
from django.tasks import task
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override

from gongxiao.core import excel
from gongxiao.core.filters import filtered
from gongxiao.core.ledgers import get_ledger_by_key
from gongxiao.core.models import Job

log = logging.getLogger(__name__)


def _progress(job: Job):
    def report(done: int, total: int | None = None):
        fields = {"done": done, "heartbeat_at": timezone.now()}
        if total is not None:
            fields["total"] = total
        Job.objects.filter(pk=job.pk).update(**fields)

    return report


def export_queryset(ledger, user, query: str):
    request = SimpleNamespace(user=user, GET=QueryDict(query))
    _fs, qs = filtered(
        ledger, request, ledger.queryset_for(user, "export", ledger.export_field_names)
    )
    return qs


def export_filename(ledger) -> str:
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    return f"{ledger.verbose_name_plural}-{stamp}.xlsx"


_runners: dict = {}


def register_runner(kind: str, fn) -> None:
    """Let an app run jobs of its own kind (a report export, say): fn(job) does the work,
    reporting progress through `progress(job)` and finishing with `finish(job, ...)`. An app
    registers its runners in its jobs.py, which CoreConfig.ready() imports in every process
    (the task worker too, which never loads the URL conf or the views)."""
    _runners[kind] = fn


def registered_kinds() -> set[str]:
    return {
        *_runners,
        Job.Kind.EXPORT,
        Job.Kind.IMPORT_CHECK,
        Job.Kind.IMPORT_COMMIT,
        Job.Kind.ACTION,
    }


# --- actions that run in the background ---------------------------------------------------


def start_action(ledger, action, obj, user, data, version, *, source, back_url, language):
    """Check a background action now (scope, right, version, input, rules: a refusal raises
    here, in the request, with nothing written) and queue it as a job that takes it through
    the same runner."""
    from gongxiao.core import actions

    inputs = actions.perform(
        ledger, action, obj, user, data, version, source=source, validate_only=True
    )
    job = Job.objects.create(
        kind=Job.Kind.ACTION,
        ledger=ledger.key,
        user=user,
        params={
            "pk": obj.pk,
            "action": action.name,
            "data": actions.plain_inputs(inputs),
            "version": int(version),
            "source": source,
            "language": language,
            "back_url": back_url,
        },
    )
    return start(job, sync=False)


def _run_action(job: Job, ledger) -> None:
    from gongxiao.core import actions

    action = next((a for a in ledger.actions if a.name == job.params.get("action")), None)
    obj = ledger.model.objects.filter(pk=job.params.get("pk")).first()
    if action is None or obj is None:
        fail(job, _("The record or its action is no longer there; nothing was done."))
        return
    try:
        out = actions.perform(
            ledger,
            action,
            obj,
            job.user,
            job.params.get("data") or {},
            job.params.get("version"),
            source=job.params.get("source", "web"),
            progress=progress(job),
        )
    except Exception as exc:
        _status, message = actions.refusal(exc)
        if _status is None:
            raise
        fail(job, message)
        return
    if isinstance(out, actions.Output):
        finish(job, filename=out.filename, data=out.data, message=out.message)
    else:
        Job.objects.filter(pk=job.pk).update(
            status=Job.Status.DONE,
            finished_at=timezone.now(),
            message=_("Done: %(action)s.") % {"action": action.label},
        )


def progress(job: Job):
    return _progress(job)


def finish(job: Job, *, filename: str, data: bytes, message: str, result=None) -> None:
    job.refresh_from_db()
    job.result_file.save(filename, ContentFile(data), save=False)
    job.status = Job.Status.DONE
    job.done = job.total or job.done
    job.result = result or {}
    job.message = message
    job.finished_at = timezone.now()
    job.save()


def fail(job: Job, message: str) -> None:
    Job.objects.filter(pk=job.pk).update(
        status=Job.Status.FAILED, finished_at=timezone.now(), message=message
    )


# --- workers that die -------------------------------------------------------------------------
# A run claims its job (queued -> running, with a token naming the process) and keeps a heartbeat
# on it while it works. A job still "running" whose heartbeat stopped for JOB_STALE seconds, or
# whose process on this host is gone when a worker starts, lost its worker: it is marked failed
# with a message and its owner may run it again. Nothing half-done is left: an import writes in
# one transaction, which the database rolls back when the connection of a dead worker drops.


def _stale_after() -> datetime.timedelta:
    return datetime.timedelta(seconds=getattr(settings, "GONGXIAO_JOB_STALE_SECONDS", 300))


def _heartbeat_every() -> float:
    return getattr(settings, "GONGXIAO_JOB_HEARTBEAT_SECONDS", 30)


def _token() -> str:
    return f"{socket.gethostname()[:50]}:{os.getpid()}:{uuid.uuid4().hex[:12]}"


def _mark_lost(jobs) -> int:
    n = 0
    for job in jobs:
        with override(job.params.get("language", settings.LANGUAGE_CODE)):
            message = _(
                "The job stopped because the process running it ended unexpectedly; nothing "
                "was written. You may run it again."
            )
        # Only if it is still the same run: a run that finished meanwhile is left alone.
        n += Job.objects.filter(pk=job.pk, status=Job.Status.RUNNING, worker=job.worker).update(
            status=Job.Status.FAILED,
            finished_at=timezone.now(),
            message=message,
            result={**job.result, "lost_worker": True},
        )
    if n:
        log.warning("%s job(s) lost their worker and were marked failed", n)
    return n


def fail_stale_jobs(now=None) -> int:
    """The watchdog: fail running jobs with no heartbeat (or progress) for JOB_STALE seconds."""
    cutoff = (now or timezone.now()) - _stale_after()
    silent = models.Q(heartbeat_at__lt=cutoff)
    never = models.Q(heartbeat_at__isnull=True, created_at__lt=cutoff)
    stale = Job.objects.filter(status=Job.Status.RUNNING).filter(silent | never)
    return _mark_lost(stale.only("pk", "worker", "params", "result"))


def fail_if_stale(job: Job) -> bool:
    """The watchdog for one job (its page asks while it polls)."""
    if job.status != Job.Status.RUNNING:
        return False
    beat = job.heartbeat_at or job.created_at
    if beat >= timezone.now() - _stale_after():
        return False
    if _mark_lost([job]):
        job.refresh_from_db()
        return True
    return False


def recover_on_start() -> int:
    """When a worker starts: fail the running jobs of processes of this host that are gone (and
    any stale one). A new process cannot be running a job yet, so one with its own pid is gone
    too (a restarted container reuses pids)."""
    host = socket.gethostname()[:50]
    lost = []
    for job in Job.objects.filter(status=Job.Status.RUNNING, worker__startswith=f"{host}:").only(
        "pk", "worker", "params", "result"
    ):
        try:
            pid = int(job.worker.split(":")[1])
        except (IndexError, ValueError):
            continue
        if pid == os.getpid() or not _alive(pid):
            lost.append(job)
    return _mark_lost(lost) + fail_stale_jobs()


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


class _Heartbeat(threading.Thread):
    """Touches the job's heartbeat while a worker runs it."""

    def __init__(self, job_pk, token):
        super().__init__(daemon=True, name=f"heartbeat-{job_pk}")
        self.job_pk, self.token = job_pk, token
        self.stopped = threading.Event()

    def run(self):
        from django.db import connection

        try:
            while not self.stopped.wait(_heartbeat_every()):
                Job.objects.filter(
                    pk=self.job_pk, status=Job.Status.RUNNING, worker=self.token
                ).update(heartbeat_at=timezone.now())
        except Exception:  # a lost database is the watchdog's business, not this thread's
            log.exception("heartbeat of job %s stopped", self.job_pk)
        finally:
            connection.close()


def retry(job: Job) -> bool:
    """Queue a failed job again (its owner's button); False if it was not failed."""
    n = Job.objects.filter(pk=job.pk, status=Job.Status.FAILED).update(
        status=Job.Status.QUEUED,
        done=0,
        message="",
        finished_at=None,
        worker="",
        heartbeat_at=None,
        result={"retried": job.result.get("retried", 0) + 1},
    )
    if n:
        job.refresh_from_db()
        start(job, sync=False)
    return bool(n)


def run(job_id, *, heartbeat: bool = False) -> None:
    """Run one job to its end; never raises (a failure is recorded on the job). A worker runs it
    with a heartbeat; a page runs small ones in its request."""
    job = Job.objects.select_related("user").get(pk=job_id)
    token = _token()
    # Claim it: a job is never run twice, nor by two processes at once.
    if not Job.objects.filter(pk=job.pk, status=Job.Status.QUEUED).update(
        status=Job.Status.RUNNING, worker=token, heartbeat_at=timezone.now()
    ):
        return
    job.status, job.worker = Job.Status.RUNNING, token
    beat = _Heartbeat(job.pk, token) if heartbeat else None
    if beat:
        beat.start()
    lang = job.params.get("language", settings.LANGUAGE_CODE)
    try:
        with override(lang):
            if job.kind in _runners:
                _runners[job.kind](job)
                return
            if job.kind not in registered_kinds():
                # No runner for it in this process: say so, rather than leave it running.
                log.error("job %s has the unknown kind %r", job.pk, job.kind)
                fail(
                    job,
                    _("No runner is registered for jobs of the kind “%(kind)s”; nothing was done.")
                    % {"kind": job.kind},
                )
                return
            ledger = get_ledger_by_key(job.ledger)
            if job.kind == Job.Kind.EXPORT:
                _run_export(job, ledger)
            elif job.kind == Job.Kind.IMPORT_CHECK:
                _run_import(job, ledger, commit=False)
            elif job.kind == Job.Kind.IMPORT_COMMIT:
                _run_import(job, ledger, commit=True)
            elif job.kind == Job.Kind.ACTION:
                _run_action(job, ledger)
    except Exception:
        log.exception("job %s failed", job.pk)
        Job.objects.filter(pk=job.pk, worker=token).update(
            status=Job.Status.FAILED,
            finished_at=timezone.now(),
            message=_(
                "The job failed unexpectedly; nothing was written. Please tell the administrator."
            ),
        )
    finally:
        if beat:
            beat.stopped.set()


def _run_export(job: Job, ledger) -> None:
    qs = export_queryset(ledger, job.user, job.params.get("query", ""))
    total = qs.count()
    Job.objects.filter(pk=job.pk).update(total=total)
    buf = io.BytesIO()
    n = excel.write_workbook(
        ledger,
        qs.iterator(chunk_size=2000),
        job.user,
        ledger.export_field_names,
        target=buf,
        total=total,
        progress=_progress(job),
    )
    job.refresh_from_db()
    job.result_file.save(export_filename(ledger), ContentFile(buf.getvalue()), save=False)
    job.status = Job.Status.DONE
    job.done = n
    job.result = {"rows": n}
    job.message = _("%(n)s rows exported.") % {"n": n}
    job.finished_at = timezone.now()
    job.save()


def _run_import(job: Job, ledger, *, commit: bool) -> None:
    with job.upload.open("rb") as f:
        data = f.read()
    report = _progress(job)
    importer = ledger.importer(job.params.get("importer"))
    check = importer.check(data, job.user, progress=report)
    token = job.worker  # this run's, whatever the row says by now
    job.refresh_from_db()
    job.worker = token
    job.total = job.done = check.total
    job.result = check.as_result()
    if not check.ok:
        job.status = Job.Status.DONE if not commit else Job.Status.FAILED
        job.result["ok"] = False
        job.message = _(
            "The file has errors; nothing was imported. Correct them and upload it again."
        )
    elif not commit:
        job.status = Job.Status.DONE
        job.result["ok"] = True
        job.message = _("%(n)s rows checked, no errors. Confirm to import them.") % {
            "n": check.total
        }
    else:
        try:
            with transaction.atomic():
                # The rows and the job's "done" are written together, by the run that holds
                # the job: one whose job was taken from it (its worker thought dead and the job
                # run again) writes nothing.
                if not _still_ours(job):
                    log.warning("import %s was taken from this run; nothing written", job.pk)
                    return
                created = importer.commit(check, job.user)
                job.status = Job.Status.DONE
                job.result["ok"] = True
                job.result["created"] = created
                job.message = _("%(n)s rows imported.") % {"n": created}
                job.finished_at = timezone.now()
                job.save()
            return
        except Exception as exc:  # e.g. a row that became a duplicate since the check
            log.warning("import %s refused at commit: %s", job.pk, exc)
            job.status = Job.Status.FAILED
            job.result["ok"] = False
            job.result.pop("created", None)
            job.message = _(
                "The import was refused while writing (%(err)s); nothing was written."
            ) % {"err": exc}
    job.finished_at = timezone.now()
    with transaction.atomic():
        if _still_ours(job):
            job.save()


def _still_ours(job: Job) -> bool:
    """Whether this run still holds the job (locked until the end of the transaction)."""
    qs = Job.objects.filter(pk=job.pk, status=Job.Status.RUNNING, worker=job.worker)
    if transaction.get_connection().in_atomic_block:
        qs = qs.select_for_update()
    return qs.exists()


def start(job: Job, *, sync: bool) -> Job:
    """Run small jobs now; queue the rest for the worker once the job row is committed."""
    if sync:
        run(job.pk)
        job.refresh_from_db()
        return job
    transaction.on_commit(lambda: run_job.enqueue(str(job.pk)))
    return job


@task()
def run_job(job_id: str) -> None:
    # Every task a worker takes first looks for jobs whose worker died (the watchdog's sweep).
    fail_stale_jobs()
    run(job_id, heartbeat=True)
