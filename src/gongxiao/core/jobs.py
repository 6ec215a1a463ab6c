"""Background jobs: exports and imports that may be long run here, in a task worker, and report
their progress on the Job row so the page can show a progress bar."""

from __future__ import annotations

import io
import logging
from types import SimpleNamespace

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
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
        fields = {"done": done}
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
    return {*_runners, Job.Kind.EXPORT, Job.Kind.IMPORT_CHECK, Job.Kind.IMPORT_COMMIT}


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


def run(job_id) -> None:
    """Run one job to its end; never raises (a failure is recorded on the job)."""
    job = Job.objects.select_related("user").get(pk=job_id)
    if job.finished:
        return  # a job is never run twice
    Job.objects.filter(pk=job.pk).update(status=Job.Status.RUNNING)
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
    except Exception:
        log.exception("job %s failed", job.pk)
        Job.objects.filter(pk=job.pk).update(
            status=Job.Status.FAILED,
            finished_at=timezone.now(),
            message=_(
                "The job failed unexpectedly; nothing was written. Please tell the administrator."
            ),
        )


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
    job.refresh_from_db()
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
                created = importer.commit(check, job.user)
        except Exception as exc:  # e.g. a row that became a duplicate since the check
            log.warning("import %s refused at commit: %s", job.pk, exc)
            job.status = Job.Status.FAILED
            job.result["ok"] = False
            job.message = _(
                "The import was refused while writing (%(err)s); nothing was written."
            ) % {"err": exc}
        else:
            job.status = Job.Status.DONE
            job.result["ok"] = True
            job.result["created"] = created
            job.message = _("%(n)s rows imported.") % {"n": created}
    job.finished_at = timezone.now()
    job.save()


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
    run(job_id)
