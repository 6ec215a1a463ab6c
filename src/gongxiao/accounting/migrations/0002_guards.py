"""The database's own guards of the books (accounting/guards.py): vouchers entered as drafts,
posted only when balanced into an open period, immutable once posted; lines change only in a
draft. On SQLite a later migration that rebuilds these tables must install them again."""

from django.db import migrations

from gongxiao.accounting import guards


class Migration(migrations.Migration):
    dependencies = [("accounting", "0001_initial")]

    operations = [migrations.RunPython(guards.forward, guards.backward)]
