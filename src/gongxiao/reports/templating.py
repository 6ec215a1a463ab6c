"""Users' own Word templates (docxtpl): checked when uploaded, filled when a draft is exported.

In the template: {{ title }}, {{ unit }}, {{ period }}, {{ issuer }}, {{ date }}, {{ doc_number }},
{{ addressee }}, {{ figures['supervision.talks.persons'] }}, {{ last_year['…'] }} (a figure
may be narrowed as in the text: {{ figures['decisions.meetings.held | 会议类型=党组会'] }}; rates
carry their %), and the sections:
{% for s in sections %}{{ s.number }}{{ s.heading }} … {% for p in s.paragraphs %}.
"""

from __future__ import annotations

import io
import re

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _
from jinja2 import StrictUndefined
from jinja2.sandbox import ImmutableSandboxedEnvironment

from gongxiao.core import metrics

from .placeholders import BadRef, FigureRef, _parse_token
from .word import chinese_date

NAMES = {
    "title",
    "unit",
    "period",
    "issuer",
    "date",
    "doc_number",
    "addressee",
    "sections",
    "figures",
    "last_year",
}
KEY_RE = re.compile(r"(?:figures|last_year)\[\s*['\"‘’“”]([^'\"‘’“”]+)['\"‘’“”]\s*\]")


def _env():
    """Templates are written by users: render them in Jinja's sandbox, which refuses attribute
    tricks (__class__, __globals__ …), over plain values only (strings, lists, dicts)."""
    # Strict: a name or attribute that is not there is an error at upload, not a blank.
    return ImmutableSandboxedEnvironment(autoescape=True, undefined=StrictUndefined)


def _open(file_or_bytes):
    from docxtpl import DocxTemplate

    if isinstance(file_or_bytes, bytes):
        return DocxTemplate(io.BytesIO(file_or_bytes))
    file_or_bytes.seek(0)
    data = file_or_bytes.read()
    file_or_bytes.seek(0)
    return DocxTemplate(io.BytesIO(data))


def check_template(file) -> list[str]:
    """What is wrong with an uploaded template, in words a clerk can act on."""
    name = getattr(file, "name", "") or ""
    if not name.lower().endswith(".docx"):
        return [_("The template must be a Word file (.docx).")]
    try:
        tpl = _open(file)
        tpl.init_docx()
        names = tpl.get_undeclared_template_variables(jinja_env=_env())
        xml = tpl.get_xml()
    except Exception as exc:  # a zip that is not a document, or a Jinja syntax error
        return [_("The template cannot be read: %(err)s") % {"err": exc}]
    errors = []
    unknown = sorted(set(names) - NAMES)
    if unknown:
        errors.append(
            _("Unknown placeholders: %(names)s. Allowed: %(allowed)s.")
            % {"names": "、".join(unknown), "allowed": "、".join(sorted(NAMES))}
        )
    plain = re.sub(r"<[^>]+>", "", xml)
    for key in KEY_RE.findall(plain):
        ref = _ref(key)
        if isinstance(ref, BadRef):
            errors.append(ref.message)
    if not errors:
        errors += _trial(file)
    return errors


def _trial(file) -> list[str]:
    """Fill the template once with sample values, in the sandbox, to refuse what would fail or
    reach beyond the values given (attributes of objects, Python internals)."""
    from jinja2.exceptions import SecurityError, TemplateError

    sample = {
        "title": "标题",
        "unit": "单位",
        "period": "期间",
        "issuer": "单位",
        "date": "2024年1月1日",
        "doc_number": "",
        "addressee": "",
        "sections": [
            {"level": 1, "number": "一、", "heading": "标题", "paragraphs": ["正文"], "tables": []}
        ],
        "figures": dict.fromkeys([*metrics._metrics, *KEY_RE.findall(_plain(file))], "0"),
        "last_year": dict.fromkeys([*metrics._metrics, *KEY_RE.findall(_plain(file))], "0"),
    }
    try:
        _open(file).render(sample, jinja_env=_env(), autoescape=True)
    except SecurityError:
        return [_("The template uses something other than the placeholders listed; remove it.")]
    except (TemplateError, TypeError, ValueError, AttributeError, KeyError) as exc:
        return [_("The template cannot be filled: %(err)s") % {"err": exc}]
    return []


def _keys(tpl) -> tuple[set, set]:
    """The metric keys the template asks for, this year's and last year's."""
    plain = re.sub(r"<[^>]+>", "", tpl.get_xml())
    this, last = set(), set()
    for m in re.finditer(r"(figures|last_year)\[\s*['\"‘’“”]([^'\"‘’“”]+)['\"‘’“”]\s*\]", plain):
        (this if m.group(1) == "figures" else last).add(m.group(2))
    return this, last


def _ref(key: str):
    """A template's figures['…'] key read as a placeholder: a metric key, perhaps narrowed."""
    return _parse_token(key, "{{ " + key + " }}")


def _plain(file) -> str:
    try:
        tpl = _open(file)
        tpl.init_docx()
        return re.sub(r"<[^>]+>", "", tpl.get_xml())
    except Exception:  # noqa: BLE001 - the upload check says what is wrong with the file
        return ""


def _figures(resolver, keys, *, last_year=False) -> dict:
    """Figures resolved before rendering (and so recorded for the working papers)."""
    out = {}
    for k in keys:
        ref = _ref(k)
        if not isinstance(ref, FigureRef):
            continue
        if last_year:
            ref = FigureRef(ref.key, ref.modifiers | {"last_year"}, ref.narrow)
        out[k] = resolver.figure_segment(ref).text
    return out


def render(draft, document) -> bytes:
    tpl = _open(draft.template.file.open("rb").read())
    tpl.init_docx()
    this_year, last_year = _keys(tpl)
    sections = []
    current = None
    for block in document.blocks:
        if block.kind == "heading" or current is None:
            current = {
                "level": block.level,
                "number": block.number if block.kind == "heading" else "",
                "heading": block.text if block.kind == "heading" else "",
                "paragraphs": [],
                "tables": [],
            }
            sections.append(current)
            if block.kind == "heading":
                continue
        if block.kind == "table":
            current["tables"].append(
                {
                    "headers": [str(h) for h in block.table.headers],
                    "rows": [[c.text for c in r] for r in block.table.rows],
                }
            )
        else:
            current["paragraphs"].append(block.text)
    resolver = document.resolver
    ctx = {
        "title": "".join(s.text for s in document.title),
        "unit": draft.unit.name,
        "period": draft.period_obj.label,
        "issuer": draft.issuer or draft.unit.name,
        "date": chinese_date(draft.issue_date) if draft.issue_date else "",
        "doc_number": draft.doc_number,
        "addressee": draft.addressee,
        "sections": sections,
        "figures": _figures(resolver, this_year),
        "last_year": _figures(resolver, last_year, last_year=True),
    }
    try:
        tpl.render(ctx, jinja_env=_env(), autoescape=True)
    except PermissionDenied:
        raise
    except Exception as exc:
        raise ValueError(
            _("The Word template could not be filled: %(err)s") % {"err": exc}
        ) from exc
    buf = io.BytesIO()
    tpl.save(buf)
    return buf.getvalue()
