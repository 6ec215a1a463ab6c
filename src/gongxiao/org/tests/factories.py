import random

import factory
from factory.django import DjangoModelFactory

from gongxiao.core.testing import factory_for, prepares
from gongxiao.org.demo import make_credit_code, make_id_number
from gongxiao.org.models import Person, RoleAssignment, Unit, User

_rng = random.Random(7)


class UnitFactory(DjangoModelFactory):
    class Meta:
        model = Unit

    code = factory.Sequence(lambda n: f"U{n:04d}")
    name = factory.Sequence(lambda n: f"测试单位{n}")
    kind = Unit.Kind.GRASSROOTS
    division_code = "430302"
    credit_code = factory.LazyFunction(lambda: make_credit_code(_rng, "430302"))


class PersonFactory(DjangoModelFactory):
    class Meta:
        model = Person
        skip_postgeneration_save = True

    unit = factory.SubFactory(UnitFactory)
    name = factory.Sequence(lambda n: f"人员{n:05d}")
    id_number = factory.LazyFunction(lambda: make_id_number(_rng, "430302"))
    phone = factory.Sequence(lambda n: f"139{n:08d}")
    post = "业务员"

    @factory.post_generation
    def derive(obj, create, extracted, **kwargs):
        obj.clean()
        if create:
            obj.save()


class UserFactory(DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    password = factory.PostGenerationMethodCall("set_password", "pw-Secret-123")

    @factory.post_generation
    def saved(obj, create, extracted, **kwargs):
        if create:
            obj.save()


def user_with(role: str, unit: Unit, **kwargs) -> User:
    user = UserFactory(**kwargs)
    RoleAssignment.objects.create(user=user, unit=unit, role=role)
    return user


@factory_for(Person)
def make_person(unit, **overrides):
    return PersonFactory(unit=unit, **overrides)


# --- rows ready for the administrator's actions on a person (core/tests/test_actions.py) ------


def _person_with_login(unit, *, active=True):
    person = PersonFactory(unit=unit)
    login = UserFactory(person=person, is_active=active)
    RoleAssignment.objects.create(user=login, unit=unit, role="read_only")
    return person


prepares("org.people", "open_login")(lambda unit: PersonFactory(unit=unit))
prepares("org.people", "grant_role", "withdraw_role", "reset_password", "deactivate_login")(
    _person_with_login
)
prepares("org.people", "activate_login")(lambda unit: _person_with_login(unit, active=False))
