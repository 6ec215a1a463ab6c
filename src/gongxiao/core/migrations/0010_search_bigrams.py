"""The bigram search index's fixed parts (core/textsearch.py): the function gx_bigrams on
PostgreSQL; the queue of rows written since and the record of each FTS table's columns on
SQLite. The per-table indexes follow the ledgers' declarations: `textsearch.sync`, run after
every migrate, makes them (and fills them from the rows already there)."""

from django.db import migrations

from gongxiao.core import textsearch


def forward(apps, schema_editor):
    for sql in textsearch.install_sql(schema_editor.connection.vendor):
        schema_editor.execute(sql)


def backward(apps, schema_editor):
    textsearch.drop_all(schema_editor.connection)
    for sql in textsearch.remove_sql(schema_editor.connection.vendor):
        schema_editor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0009_notification_kind"),
    ]

    operations = [
        migrations.RunPython(forward, backward),
    ]
