"""The People ledger (人员台账), declared through the kit."""

from gongxiao.core.ledgers import Ledger, register

from .models import Person
from .validators import mask_id_number


@register
class PersonLedger(Ledger):
    model = Person
    slug = "people"
    icon = "people"
    list_fields = ["name", "unit", "gender", "post", "rank", "phone", "is_cadre", "is_party_member"]
    form_fields = [
        "unit",
        "name",
        "id_number",
        "phone",
        "post",
        "rank",
        "is_cadre",
        "is_party_member",
    ]
    export_fields = [
        "unit",
        "name",
        "id_number",
        "gender",
        "birth_date",
        "phone",
        "post",
        "rank",
        "is_cadre",
        "is_party_member",
    ]
    api_fields = [*form_fields, "gender", "birth_date"]
    # A person is named by his unit, his name and his ID number (blank when not recorded).
    natural_key = ("unit", "name", "id_number")
    filter_fields = {
        "gender": ["exact"],
        "is_cadre": ["exact"],
        "is_party_member": ["exact"],
        "rank": ["exact"],
    }
    search_fields = ["name", "phone", "post"]
    sort_fields = ["name", "unit", "post", "updated_at"]
    # The mask hides the birth date inside the ID number; the birth date itself is hidden too.
    pii_fields = {"id_number": mask_id_number, "birth_date": lambda value: "****-**-**"}
