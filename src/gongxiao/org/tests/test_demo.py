from django.core.management import call_command

from gongxiao.core.models import ChangeRecord
from gongxiao.org.models import Person, RoleAssignment, Unit, User
from gongxiao.org.roles import Role
from gongxiao.org.validators import validate_credit_code, validate_division_code, validate_id_number


def test_demo_builds_a_believable_federation_once(
    db, capsys, settings, tmp_path, django_capture_on_commit_callbacks
):
    settings.GONGXIAO_SEAL_ANCHORS = tmp_path / "seal-anchors.jsonl"
    with django_capture_on_commit_callbacks(execute=True):  # the seals' anchors are written
        call_command("demo")
    out = capsys.readouterr().out
    assert Unit.objects.filter(kind=Unit.Kind.CITY).count() == 1
    assert Unit.objects.filter(kind=Unit.Kind.COUNTY).count() == 5
    assert 35 <= Unit.objects.filter(kind=Unit.Kind.GRASSROOTS).count() <= 45
    assert Unit.objects.filter(kind=Unit.Kind.ENTERPRISE).exists()
    assert Unit.objects.filter(kind=Unit.Kind.OUTLET).exists()
    for unit in Unit.objects.exclude(credit_code=""):
        validate_credit_code(unit.credit_code)
        validate_division_code(unit.division_code)
    assert Unit.objects.filter(credit_code__startswith="N").exists()
    for person in Person.objects.all():
        validate_id_number(person.id_number)
    from django.contrib.contenttypes.models import ContentType

    person_type = ContentType.objects.get_for_model(Person)
    created = ChangeRecord.objects.filter(kind="create", content_type=person_type).count()
    assert created == Person.objects.count()
    # Every role in two sibling counties, logins printed.
    yuhu, xtx = Unit.objects.get(code="XT-01"), Unit.objects.get(code="XT-02")
    for county in (yuhu, xtx):
        roles = set(RoleAssignment.objects.filter(unit=county).values_list("role", flat=True))
        assert roles == set(Role.values) - {Role.DATA_ENTRY}
        assert RoleAssignment.objects.filter(role=Role.DATA_ENTRY, unit__parent=county).exists()
    assert "yuhu_leader" in out and "xtx_clerk" in out and "gongxiao2026" in out
    assert all(u.check_password("gongxiao2026") for u in User.objects.all()[:3])
    n = Person.objects.count()
    call_command("demo")
    assert Person.objects.count() == n  # a second run changes nothing
    _every_module_alive()


def _every_module_alive():
    import datetime

    from gongxiao.decisions.models import Amendment, Matter, Meeting
    from gongxiao.decisions.services import verify_seals
    from gongxiao.rectification.models import Campaign, RectificationItem, Transition

    today = datetime.date.today()
    items = RectificationItem.objects
    assert set(items.values_list("status", flat=True)) == {
        "open",
        "in_progress",
        "requested",
        "closed",
    }
    assert items.overdue().exists() and items.filter(kind="ongoing").exists()
    assert Transition.objects.filter(action="reject_close_out").exists()
    assert Transition.objects.filter(action="reopen").exists()
    assert items.filter(found_date__lt=today - datetime.timedelta(days=365)).exists()
    assert items.values("unit__parent").distinct().count() >= 5
    assert Campaign.objects.count() >= 3
    assert Meeting.objects.filter(sealed_at__isnull=False).exists()
    assert Meeting.objects.filter(sealed_at__isnull=True).exists()
    assert set(Matter.objects.values_list("outcome", flat=True)) >= {
        "passed",
        "rejected",
        "deferred",
        "pending",
    }
    assert Amendment.objects.exists()
    assert verify_seals() == []
    from gongxiao.supervision import models as sup

    for model in (
        sup.Talk,
        sup.Inspection,
        sup.Finding,
        sup.Notice,
        sup.ResponsibilityLetter,
        sup.DutyRecord,
        sup.Audit,
        sup.Recommendation,
        sup.SupervisoryMatter,
        sup.PersonalMattersReport,
        sup.Opinion,
        sup.Education,
    ):
        assert model.objects.exists(), model
    assert sup.Finding.objects.filter(item__isnull=False).count() == sup.Finding.objects.count()
    assert sup.Recommendation.objects.filter(adopted=True, item__isnull=False).exists()
    assert sup.DisciplinaryAction.objects.exists()
