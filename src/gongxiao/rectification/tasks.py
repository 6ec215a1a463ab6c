from django.tasks import task

from gongxiao.rectification.services import run_escalation


@task()
def escalate() -> int:
    """The ladder as a background task, for deployments that schedule through the queue."""
    return run_escalation().total
