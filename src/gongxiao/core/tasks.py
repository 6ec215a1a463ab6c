from django.tasks import task

from gongxiao.core import jobs


@task()
def run_job(job_id: str) -> None:
    jobs.run(job_id)
