"""Keyed seals: a `scheme` per seal (seals made so far are plain SHA-256 and keep verifying;
new ones are HMAC-SHA256), the legacy chains written to the anchors file so that a chain
recomputed with the public SHA-256 later is caught, and seals and amendments refused UPDATE and
DELETE by the database itself (core/appendonly.py)."""

from django.db import migrations, models

from gongxiao.core import appendonly


def anchor_legacy_seals(apps, schema_editor):
    """Every seal made before the key goes into the anchors file as it is now: from here on a
    legacy (unkeyed) seal is trusted only where the file holds its digest."""
    from gongxiao.decisions import anchors

    Seal = apps.get_model("decisions", "Seal")
    seals = Seal.objects.using(schema_editor.connection.alias).order_by("unit_id", "position")
    lines = [
        anchors.line(unit_id=s.unit_id, count=s.position, digest=s.digest, sealed_at=s.sealed_at)
        for s in seals.iterator()
    ]
    if lines:
        anchors.append(lines)


class Migration(migrations.Migration):
    dependencies = [
        ("decisions", "0003_matter_category"),
    ]

    operations = [
        migrations.AddField(
            model_name="seal",
            name="scheme",
            field=models.CharField(
                choices=[("sha256", "SHA-256 (legacy, no key)"), ("hmac-v1", "HMAC-SHA256")],
                default="sha256",
                max_length=10,
            ),
        ),
        migrations.AlterField(
            model_name="seal",
            name="scheme",
            field=models.CharField(
                choices=[("sha256", "SHA-256 (legacy, no key)"), ("hmac-v1", "HMAC-SHA256")],
                default="hmac-v1",
                max_length=10,
            ),
        ),
        migrations.RunPython(anchor_legacy_seals, migrations.RunPython.noop),
        migrations.RunPython(*appendonly.installer(appendonly.DECISIONS_TABLES)),
    ]
