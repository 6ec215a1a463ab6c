"""The insert guards let a restoring connection load a backup's vouchers as they were
(accounting/guards.py, core/appendonly.restoring)."""

from django.db import migrations

from gongxiao.accounting import guards


class Migration(migrations.Migration):
    dependencies = [("accounting", "0005_openingbalance")]

    operations = [migrations.RunPython(guards.reinstall, guards.reinstall)]
