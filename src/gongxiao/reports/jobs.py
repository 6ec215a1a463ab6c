"""The reports app's background jobs: the statistical table and the report export. Imported by
CoreConfig.ready() in every process, so a task worker that never loads the URL conf runs them."""

from gongxiao.core import jobs
from gongxiao.core.models import Job
from gongxiao.reports.views import run_export, run_statistics

jobs.register_runner(Job.Kind.STATISTICS, run_statistics)
jobs.register_runner(Job.Kind.REPORT, run_export)
