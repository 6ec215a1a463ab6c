"""The reports app's background jobs: the statistical table and the draft's export (its
finalisation is the drafts ledger's background action, run by the kit). Imported by
CoreConfig.ready() in every process, so a task worker that never loads the URL conf runs them."""

import io

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from gongxiao.core import jobs, scoping
from gongxiao.core.models import Job
from gongxiao.core.periods import parse_period

from . import services
from .models import ReportDraft


def run_statistics(job):
    from . import stats

    unit = scoping.units_for(job.user).filter(pk=job.params["unit"]).first()
    if unit is None:
        jobs.fail(job, _("The unit is no longer within your scope."))
        return
    period = parse_period(job.params["period"])
    Job.objects.filter(pk=job.pk).update(total=len(job.params["keys"]))
    buf = io.BytesIO()
    n = stats.write(
        user=job.user,
        unit=unit,
        period=period,
        keys=job.params["keys"],
        compare=job.params.get("compare", False),
        target=buf,
        progress=jobs.progress(job),
    )
    name = "{}-{}-{}.xlsx".format(unit.name, period.code, _("statistics"))
    jobs.finish(
        job,
        filename=name,
        data=buf.getvalue(),
        message=_("Statistical table of %(n)s units ready.") % {"n": n},
        result={"units": n},
    )


def run_export(job):
    draft = ReportDraft.objects.permitted(job.user, "export").filter(pk=job.params["draft"]).first()
    if draft is None:
        jobs.fail(job, _("The report is no longer within your scope."))
        return
    try:
        name, data = services.export_zip(draft=draft, user=job.user, progress=jobs.progress(job))
    except (services.ReportError, PermissionDenied) as exc:
        # A finalised report holding figures beyond the user's reach says so, not "failed".
        jobs.fail(job, str(exc))
        return
    except ValueError as exc:  # a Word template that cannot be filled
        jobs.fail(job, str(exc))
        return
    jobs.finish(
        job,
        filename=name,
        data=data,
        message=_("The report and its working papers are ready."),
    )


jobs.register_runner(Job.Kind.STATISTICS, run_statistics)
jobs.register_runner(Job.Kind.REPORT, run_export)
