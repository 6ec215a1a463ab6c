"""The fields each kind of member requires for its record to count as complete (会员信息录入率),
kept as data the federation may change."""

from django.db import migrations

REQUIRED = {
    "cooperative": [
        "organisation.representative",
        "organisation.address",
        "organisation.phone",
        "industry",
        "main_products",
    ],
    "family_farm": [
        "organisation.representative",
        "organisation.address",
        "land_area",
        "main_products",
    ],
    "enterprise": ["organisation.representative", "organisation.address", "main_products"],
    "grain_grower": ["person.id_number", "person.phone", "land_area", "main_products"],
    "farmer": ["person.id_number", "person.phone", "land_area"],
}


def seed(apps, schema_editor):
    RequiredField = apps.get_model("agri", "RequiredField")
    for kind, fields in REQUIRED.items():
        for field in fields:
            RequiredField.objects.get_or_create(kind=kind, field=field)


class Migration(migrations.Migration):
    dependencies = [("agri", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
