from django.tasks import task

from gongxiao.core import jobs


@task()
def run_job(job_id: str) -> None:
    jobs.run(job_id)


@task()
def email_notification(notification_id: int) -> None:
    from gongxiao.core.notifications import send_email

    send_email(notification_id)
