from django.tasks import task

from gongxiao.core import jobs


@task()
def run_job(job_id: str) -> None:
    # Every task a worker takes first looks for jobs whose worker died (the watchdog's sweep).
    jobs.fail_stale_jobs()
    jobs.run(job_id, heartbeat=True)


@task()
def email_notification(notification_id: int) -> None:
    from gongxiao.core.notifications import send_email

    send_email(notification_id)
