import datetime
import random

import pytest
from django.core.exceptions import ValidationError

from gongxiao.org.demo import make_credit_code, make_id_number
from gongxiao.org.validators import (
    id_birth_date,
    id_gender,
    mask_id_number,
    validate_credit_code,
    validate_division_code,
    validate_id_number,
)


@pytest.mark.parametrize("code", ["91350100M000100Y43", "91512081MA62K0260E", "91110108551385082Q"])
def test_spec_credit_code_vectors_are_valid(code):
    validate_credit_code(code)


@pytest.mark.parametrize("authority,kind", [("N", "3"), ("N", "2"), ("Y", "1")])
def test_n_and_y_credit_codes_are_accepted(authority, kind):
    # python-stdnum rejects these; they are common among farmers' cooperatives.
    code = make_credit_code(random.Random(3), "430321", authority, kind)
    assert code[0] == authority
    validate_credit_code(code)


@pytest.mark.parametrize(
    "code,reason",
    [
        ("91350100M000100Y44", "checksum"),
        ("91350100M000100Y4", "length"),
        ("91350100M000100I43", "alphabet"),  # I is not in the alphabet
        ("Z1350100M000100Y43", "alphabet"),
        ("X1350100M000100Y43", "authority"),
        ("9135A100M000100Y43", "division"),
    ],
)
def test_bad_credit_codes_are_refused_with_their_reason(code, reason):
    with pytest.raises(ValidationError) as err:
        validate_credit_code(code)
    assert err.value.code == reason


def test_lowercase_credit_code_is_read_as_uppercase():
    validate_credit_code("91512081ma62k0260e")


@pytest.mark.parametrize("code", ["11010519491231002X", "34052419800101001X"])
def test_spec_id_number_vectors_are_valid(code):
    validate_id_number(code)


def test_id_number_lowercase_x_is_accepted():
    validate_id_number("11010519491231002x")


@pytest.mark.parametrize(
    "code,reason",
    [
        ("110105194912310021", "checksum"),
        ("11010519491231002", "format"),
        ("1101051949123100AX", "format"),
        ("99010519491231002X", "address"),
        ("110105194913310028", "birth"),  # month 13
    ],
)
def test_bad_id_numbers_are_refused(code, reason):
    with pytest.raises(ValidationError) as err:
        validate_id_number(code)
    assert err.value.code == reason


def test_id_number_future_birth_date_is_refused():
    body = f"430302{datetime.date.today().year + 1}0101001"
    from gongxiao.org.validators import id_check_character

    with pytest.raises(ValidationError) as err:
        validate_id_number(body + id_check_character(body))
    assert err.value.code == "birth"


def test_gender_and_birth_date_come_from_the_id_number():
    assert id_gender("11010519491231002X") == "F"  # sequence 002: even
    assert id_birth_date("11010519491231002X") == datetime.date(1949, 12, 31)
    assert id_gender(make_id_number(random.Random(5), "430302", female=False)) == "M"


def test_id_numbers_are_masked_keeping_region_and_last_four():
    assert mask_id_number("11010519491231002X") == "110105********002X"
    assert mask_id_number("") == ""


@pytest.mark.parametrize("code", ["430302", "430321100", "430321100201", "110000"])
def test_division_codes_of_each_level_are_valid(code):
    validate_division_code(code)


@pytest.mark.parametrize("code", ["43030", "4303021", "990302", "430002", "43030A"])
def test_bad_division_codes_are_refused(code):
    with pytest.raises(ValidationError):
        validate_division_code(code)
