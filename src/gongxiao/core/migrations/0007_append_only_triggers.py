"""Change records refused UPDATE and DELETE by the database itself (core/appendonly.py)."""

from django.db import migrations

from gongxiao.core import appendonly


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0006_job_worker_heartbeat"),
    ]

    operations = [
        migrations.RunPython(*appendonly.installer(appendonly.CORE_TABLES)),
    ]
