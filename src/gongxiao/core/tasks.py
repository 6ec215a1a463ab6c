"""The background tasks, where tasks queued before they moved beside their work still find them
(a queued task names its function by module path). New code enqueues them from where they live:
gongxiao.core.jobs.run_job and gongxiao.core.notifications.email_notification."""

from gongxiao.core.jobs import run_job
from gongxiao.core.notifications import email_notification

__all__ = ["email_notification", "run_job"]
