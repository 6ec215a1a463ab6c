"""The usual rules, as data an administrator may change: more than half of the members due
present; two thirds for cadre appointments; passed when agreeing members exceed half of the
members due."""

from django.db import migrations


def add(apps, schema_editor):
    Rule = apps.get_model("decisions", "DecisionRule")
    Rule.objects.get_or_create(body="", category="", defaults={
        "quorum_num": 1, "quorum_den": 2, "quorum_strict": True,
        "pass_num": 1, "pass_den": 2, "pass_strict": True})
    Rule.objects.get_or_create(body="", category="cadre", defaults={
        "quorum_num": 2, "quorum_den": 3, "quorum_strict": False,
        "pass_num": 1, "pass_den": 2, "pass_strict": True})


def remove(apps, schema_editor):
    apps.get_model("decisions", "DecisionRule").objects.filter(body="", category__in=["", "cadre"]).delete()


class Migration(migrations.Migration):
    dependencies = [("decisions", "0001_initial")]
    operations = [migrations.RunPython(add, remove)]
