"""The unified lease contract: amounts in words, the filled contract read back, a federation's
own template checked on upload and used below it, and the page scoped like the lease."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from gongxiao.assets import contract
from gongxiao.assets import models as m
from gongxiao.assets.tests import factories as f
from gongxiao.org.roles import Role
from gongxiao.org.tests.factories import user_with


@pytest.mark.parametrize(
    ("amount", "words"),
    [
        ("36000", "人民币叁万陆仟元整"),
        ("24000.00", "人民币贰万肆仟元整"),
        ("1234.5", "人民币壹仟贰佰叁拾肆元伍角"),
        ("1005.07", "人民币壹仟零伍元零柒分"),
        ("100000", "人民币壹拾万元整"),
        ("50010", "人民币伍万零壹拾元整"),
        ("120000000", "人民币壹亿贰仟万元整"),
        ("0.05", "人民币伍分"),
        ("0", "人民币零元整"),
    ],
)
def test_amounts_in_words(amount, words):
    assert contract.amount_in_words(Decimal(amount)) == words


def _text(data: bytes) -> str:
    from docx import Document

    return "\n".join(p.text for p in Document(io.BytesIO(data)).paragraphs)


def test_the_filled_contract_reads_back_tenant_property_term_and_rent(federation):
    lease = f.make_lease(
        federation.a1,
        tenant_kind="organisation",
        tenant_name="甲一便民超市",
        tenant_id_number="",
        tenant_credit_code=f.CREDIT_CODE,
        annual_rent=Decimal("36000"),
        deposit=Decimal("9000"),
    )
    user = user_with(Role.ASSET, federation.county_a)
    c = Client()
    c.force_login(user)
    resp = c.get(f"/assets/leases/{lease.pk}/contract.docx")
    assert resp.status_code == 200
    assert resp["Content-Type"].startswith("application/vnd.openxmlformats")
    text = _text(resp.content)
    assert "承租方（乙方）：甲一便民超市（证件号码：91350100M000100Y43" in text
    assert lease.property.name in text and federation.a1.name in text
    assert "租赁期自2023年1月1日起至2024年12月31日止，共24个月" in text
    assert "年租金为人民币36,000.00元（大写：人民币叁万陆仟元整）" in text
    assert "押金人民币9,000.00元（大写：人民币玖仟元整）" in text
    assert "{{" not in text


def test_the_contract_page_is_scoped_like_the_lease(federation):
    lease = f.make_lease(federation.a1)
    for user, status in [
        (user_with(Role.ASSET, federation.county_b), 404),
        (user_with(Role.DATA_ENTRY, federation.a2), 404),
        (user_with(Role.ASSET, federation.a1), 200),
    ]:
        c = Client()
        c.force_login(user)
        assert c.get(f"/assets/leases/{lease.pk}/contract.docx").status_code == status
    assert Client().get(f"/assets/leases/{lease.pk}/contract.docx").status_code == 302


def _docx(text: str) -> bytes:
    from docx import Document

    doc = Document()
    doc.add_paragraph(text)
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def test_a_federations_template_is_checked_and_used_below_it(federation):
    bad = m.ContractTemplate(
        unit=federation.county_a,
        name="县社模板",
        file=SimpleUploadedFile("t.docx", _docx("承租人{{ tenant }}，{{ salary }}")),
    )
    with pytest.raises(ValidationError) as e:
        bad.full_clean()
    assert "salary" in str(e.value)
    sneaky = m.ContractTemplate(
        unit=federation.county_a,
        name="县社模板",
        file=SimpleUploadedFile("t.docx", _docx("{{ tenant.__class__ }}")),
    )
    with pytest.raises(ValidationError):
        sneaky.full_clean()
    not_word = m.ContractTemplate(
        unit=federation.county_a, name="x", file=SimpleUploadedFile("t.txt", b"x")
    )
    with pytest.raises(ValidationError):
        not_word.full_clean()
    good = m.ContractTemplate(
        unit=federation.county_a,
        name="县社模板",
        file=SimpleUploadedFile("t.docx", _docx("县社合同：{{ tenant }}，{{ annual_rent_words }}")),
    )
    good.full_clean()
    good.save()
    lease = f.make_lease(federation.a1, annual_rent=Decimal("24000"))
    assert _text(contract.render(lease)) == f"县社合同：{lease.tenant_name}，人民币贰万肆仟元整"
    other = f.make_lease(federation.b1)
    assert "社有资产租赁合同" in _text(contract.render(other))  # county B: the default
