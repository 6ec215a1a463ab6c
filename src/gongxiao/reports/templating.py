"""Users' own Word templates (docxtpl): checked when uploaded, filled when a draft is exported.

In the template: {{ title }}, {{ unit }}, {{ period }}, {{ issuer }}, {{ date }}, {{ doc_number }},
{{ addressee }}, {{ figures['supervision.talks.persons'] }}, {{ last_year['…'] }}, and the
sections: {% for s in sections %}{{ s.number }}{{ s.heading }} … {% for p in s.paragraphs %}.
"""

from __future__ import annotations

import io
import re
from collections.abc import Mapping

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from gongxiao.core import metrics

from .placeholders import FigureRef
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
        names = tpl.get_undeclared_template_variables()
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
        if key not in metrics._metrics:
            errors.append(
                _("There is no metric “%(key)s”; look its key up in the metric catalogue.")
                % {"key": key}
            )
    return errors


class _Figures(Mapping):
    """figures['key'] inside a template: resolved, and recorded for the working papers."""

    def __init__(self, resolver, last_year=False):
        self.resolver = resolver
        self.last_year = last_year

    def __getitem__(self, key):
        if key not in metrics._metrics:
            raise KeyError(key)
        ref = FigureRef(key, frozenset({"last_year"} if self.last_year else set()))
        return self.resolver.figure_segment(ref).text

    def __iter__(self):
        return iter(metrics._metrics)

    def __len__(self):
        return len(metrics._metrics)


def render(draft, document) -> bytes:
    tpl = _open(draft.template.file.open("rb").read())
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
        "figures": _Figures(resolver),
        "last_year": _Figures(resolver, last_year=True),
    }
    try:
        tpl.render(ctx, autoescape=True)
    except PermissionDenied:
        raise
    except Exception as exc:
        raise ValueError(
            _("The Word template could not be filled: %(err)s") % {"err": exc}
        ) from exc
    buf = io.BytesIO()
    tpl.save(buf)
    return buf.getvalue()
