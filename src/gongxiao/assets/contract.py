"""The unified lease contract (统一租赁合同文本): a Word template filled with the lease's data,
amounts also in words (人民币叁万陆仟元整). A built-in default, or a federation's own template
(the nearest unit up the tree that uploaded one), checked on upload: only the placeholders
listed below, filled in Jinja's sandbox over plain strings."""

from __future__ import annotations

import io
from decimal import ROUND_HALF_UP, Decimal

from django.utils.translation import gettext as _

DIGITS = "零壹贰叁肆伍陆柒捌玖"
UNITS = ["", "拾", "佰", "仟"]
GROUPS = ["", "万", "亿", "万亿"]

# The placeholders a template may use, each a plain string.
NAMES = {
    "lessor",
    "lessor_credit_code",
    "lessor_address",
    "tenant",
    "tenant_code",
    "tenant_phone",
    "property",
    "address",
    "area",
    "kind",
    "start",
    "end",
    "months",
    "annual_rent",
    "annual_rent_words",
    "cycle",
    "timing",
    "deposit",
    "deposit_words",
    "method",
    "steps",
    "contract_no",
}


def _group(n: int) -> str:
    """Four digits (0–9999) in capitals, with 零 for inner gaps."""
    out, zero = "", False
    for i in range(3, -1, -1):
        d = n // 10**i % 10
        if d:
            if zero and out:
                out += "零"
            out += DIGITS[d] + UNITS[i]
            zero = False
        else:
            zero = True
    return out


def amount_in_words(amount) -> str:
    """人民币 in capitals as on a contract or cheque: 36000 → 人民币叁万陆仟元整, 1234.5 →
    人民币壹仟贰佰叁拾肆元伍角, 0.05 → 人民币伍分."""
    value = Decimal(amount).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    if value < 0:
        return "负" + amount_in_words(-value)
    yuan = int(value)
    jiao = int(value * 10) % 10
    fen = int(value * 100) % 10
    text = ""
    if yuan:
        groups = []
        n = yuan
        while n:
            groups.append(n % 10000)
            n //= 10000
        parts: list[str] = []
        for i in range(len(groups) - 1, -1, -1):
            g = groups[i]
            if g:
                if parts and g < 1000:
                    parts.append("零")
                parts.append(_group(g) + GROUPS[i])
            elif parts and parts[-1] != "零":
                parts.append("零")
        text = "".join(parts).rstrip("零") + "元"
    if not jiao and not fen:
        return "人民币" + (text or "零元") + "整"
    if jiao:
        text += DIGITS[jiao] + "角"
    elif yuan:
        text += "零"
    if fen:
        text += DIGITS[fen] + "分"
    return "人民币" + text


def _money(value) -> str:
    return f"{Decimal(value).quantize(Decimal('0.01')):,.2f}"


def _date(d) -> str:
    return f"{d.year}年{d.month}月{d.day}日"


def values(lease) -> dict[str, str]:
    """What the template is filled with: plain strings only (the sandbox gives no objects)."""
    unit, prop = lease.unit, lease.property
    steps = ""
    if lease.steps == lease.Steps.PERCENT:
        steps = _("The rent rises by %(p)s%% every %(n)s months.") % {
            "p": lease.step_percent,
            "n": lease.step_every_months,
        }
    elif lease.steps == lease.Steps.SCHEDULE:
        steps = "；".join(
            _("from %(d)s %(r)s yuan a year")
            % {"d": _date(s.from_date), "r": _money(s.annual_rent)}
            for s in lease.rent_steps.order_by("from_date")
        )
    code = lease.tenant_credit_code or lease.tenant_id_number
    return {
        "lessor": unit.name,
        "lessor_credit_code": unit.credit_code,
        "lessor_address": unit.address,
        "tenant": lease.tenant_name,
        "tenant_code": code,
        "tenant_phone": lease.tenant_phone,
        "property": prop.name,
        "address": prop.address,
        "area": f"{lease.area_taken:.2f}",
        "kind": prop.get_kind_display(),
        "start": _date(lease.start_date),
        "end": _date(lease.end_date),
        "months": f"{lease.term_months.quantize(Decimal('1'))}",
        "annual_rent": _money(lease.annual_rent),
        "annual_rent_words": amount_in_words(lease.annual_rent),
        "cycle": lease.get_cycle_display(),
        "timing": lease.get_timing_display(),
        "deposit": _money(lease.deposit),
        "deposit_words": amount_in_words(lease.deposit),
        "method": lease.get_method_display(),
        "steps": steps or _("No rent steps."),
        "contract_no": f"ZL{lease.start_date:%Y}-{lease.pk:05d}",
    }


DEFAULT_TEXT = [
    ("title", "社有资产租赁合同"),
    ("", "合同编号：{{ contract_no }}"),
    ("", "出租方（甲方）：{{ lessor }}（统一社会信用代码：{{ lessor_credit_code }}）"),
    ("", "承租方（乙方）：{{ tenant }}（证件号码：{{ tenant_code }}，电话：{{ tenant_phone }}）"),
    ("", "甲方通过{{ method }}确定乙方为承租人。双方依法订立本合同，共同遵守。"),
    ("h", "第一条 租赁物"),
    (
        "",
        "甲方将位于{{ address }}的{{ property }}（{{ kind }}，"
        "面积{{ area }}平方米）出租给乙方使用。",
    ),
    ("h", "第二条 租赁期限"),
    ("", "租赁期自{{ start }}起至{{ end }}止，共{{ months }}个月。"),
    ("h", "第三条 租金及支付"),
    (
        "",
        "年租金为人民币{{ annual_rent }}元（大写：{{ annual_rent_words }}），"
        "{{ cycle }}缴纳，{{ timing }}。{{ steps }}",
    ),
    ("h", "第四条 押金"),
    (
        "",
        "乙方于签订本合同时向甲方交纳押金人民币{{ deposit }}元（大写：{{ deposit_words }}），"
        "合同终止时结清租金及相关费用后无息退还。",
    ),
    ("h", "第五条 其他约定"),
    ("", "乙方不得擅自转租、改变房屋用途或结构；未尽事宜，双方协商解决。"),
    ("", "甲方（盖章）：{{ lessor }}                乙方（签字或盖章）：{{ tenant }}"),
]


def default_template() -> bytes:
    """The built-in 统一租赁合同文本 as a docx with its placeholders."""
    from docx import Document
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Pt

    doc = Document()
    for style, text in DEFAULT_TEXT:
        p = doc.add_paragraph()
        run = p.add_run(text)
        run.font.size = Pt(22 if style == "title" else 16)
        run.bold = style in ("title", "h")
        if style == "title":
            p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def _env():
    from jinja2 import StrictUndefined
    from jinja2.sandbox import ImmutableSandboxedEnvironment

    return ImmutableSandboxedEnvironment(autoescape=True, undefined=StrictUndefined)


def _open(data: bytes):
    from docxtpl import DocxTemplate

    return DocxTemplate(io.BytesIO(data))


def check_template(file) -> list[str]:
    """What is wrong with an uploaded contract template, in words a clerk can act on."""
    name = getattr(file, "name", "") or ""
    if not name.lower().endswith(".docx"):
        return [_("The template must be a Word file (.docx).")]
    file.seek(0)
    data = file.read()
    file.seek(0)
    try:
        tpl = _open(data)
        tpl.init_docx()
        names = tpl.get_undeclared_template_variables(jinja_env=_env())
    except Exception as exc:  # noqa: BLE001 - a zip that is not a document, a Jinja error
        return [_("The template cannot be read: %(err)s") % {"err": exc}]
    unknown = sorted(set(names) - NAMES)
    if unknown:
        return [
            _("Unknown placeholders: %(names)s. Allowed: %(allowed)s.")
            % {"names": "、".join(unknown), "allowed": "、".join(sorted(NAMES))}
        ]
    from jinja2.exceptions import SecurityError, TemplateError

    try:
        _open(data).render(dict.fromkeys(NAMES, "样例"), jinja_env=_env(), autoescape=True)
    except SecurityError:
        return [_("The template uses something other than the placeholders listed; remove it.")]
    except (TemplateError, TypeError, ValueError, AttributeError, KeyError) as exc:
        return [_("The template cannot be filled: %(err)s") % {"err": exc}]
    return []


def template_for(unit) -> bytes:
    """The template of the nearest unit up the tree that has one, else the built-in default."""
    from .models import ContractTemplate

    ids = [int(p) for p in unit.path.strip("/").split("/")]
    found = {t.unit_id: t for t in ContractTemplate.objects.filter(unit_id__in=ids).order_by("pk")}
    for pk in reversed(ids):
        if pk in found:
            with found[pk].file.open("rb") as fh:
                return fh.read()
    return default_template()


def render(lease) -> bytes:
    """The lease's contract, filled."""
    tpl = _open(template_for(lease.unit))
    tpl.render(values(lease), jinja_env=_env(), autoescape=True)
    out = io.BytesIO()
    tpl.save(out)
    return out.getvalue()
