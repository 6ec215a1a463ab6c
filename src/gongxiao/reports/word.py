"""The draft as a Word file in the official document layout of GB/T 9704-2012 (SPEC §5):
A4, margins 37/35/28/26 mm, a 22 × 28 grid, title in 小标宋 二号, body in 仿宋_GB2312 三号,
headings 一、 in 黑体, （一） in 楷体, 1. and （1） in 仿宋, page numbers "— 1 —" in 宋体 四号 on
the outer side. Font names are set, never embedded."""

from __future__ import annotations

import io

from docx import Document as new_docx
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, Twips

TITLE_FONT = "方正小标宋简体"
BODY_FONT = "仿宋_GB2312"
PAGE_NUMBER_FONT = "宋体"
LATIN_FONT = "Times New Roman"
HEADING_FONTS = {1: "黑体", 2: "楷体_GB2312", 3: BODY_FONT, 4: BODY_FONT}
TITLE_SIZE = 22  # 二号
BODY_SIZE = 16  # 三号
PAGE_NUMBER_SIZE = 14  # 四号
TABLE_SIZE = 12  # 小四, so a units × metrics table fits the text block
MARGINS_MM = {"top": 37, "bottom": 35, "left": 28, "right": 26}
LINES, CHARS = 22, 28
# The text block is 156 × 225 mm: 22 lines of 28 characters.
LINE_PITCH = Twips(round(Mm(225).twips / LINES))  # 579 twips ≈ 28.95 pt
CHAR_SPACE = round((Mm(156).pt / CHARS - BODY_SIZE) * 4096)  # pitch beyond 16 pt, in 1/4096 pt
INDENT = Pt(BODY_SIZE * 2)  # two characters


def chinese_date(d) -> str:
    """2023年4月13日: full year, no zero padding."""
    return f"{d.year}年{d.month}月{d.day}日"


def _fonts(rpr_owner, east_asia: str, size: float | None = None, bold: bool | None = None):
    """Set the Latin and East Asian font names (no theme fonts, which would override them)."""
    if hasattr(rpr_owner, "get_or_add_rPr"):
        rpr = rpr_owner.get_or_add_rPr()
    else:  # w:rPrDefault, a plain element
        rpr = rpr_owner.find(qn("w:rPr"))
        if rpr is None:
            rpr = OxmlElement("w:rPr")
            rpr_owner.append(rpr)
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.insert(0, fonts)
    for attr in list(fonts.attrib):
        if attr.endswith("Theme"):
            del fonts.attrib[attr]
    fonts.set(qn("w:ascii"), LATIN_FONT)
    fonts.set(qn("w:hAnsi"), LATIN_FONT)
    fonts.set(qn("w:eastAsia"), east_asia)
    fonts.set(qn("w:cs"), LATIN_FONT)
    if size is not None:
        for tag in ("w:sz", "w:szCs"):
            el = rpr.find(qn(tag))
            if el is None:
                el = OxmlElement(tag)
                rpr.append(el)
            el.set(qn("w:val"), str(int(size * 2)))
    if bold is not None:
        el = rpr.find(qn("w:b"))
        if el is None:
            el = OxmlElement("w:b")
            rpr.append(el)
        el.set(qn("w:val"), "1" if bold else "0")


def _run(paragraph, text, font, size, bold=False):
    run = paragraph.add_run(text)
    _fonts(run._element, font, size, bold)
    return run


def _page(doc):
    section = doc.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin = Mm(MARGINS_MM["top"])
    section.bottom_margin = Mm(MARGINS_MM["bottom"])
    section.left_margin = Mm(MARGINS_MM["left"])
    section.right_margin = Mm(MARGINS_MM["right"])
    # The page number sits 7 mm below the text block.
    section.footer_distance = Mm(MARGINS_MM["bottom"] - 7 - 5)
    sect_pr = section._sectPr
    grid = sect_pr.find(qn("w:docGrid"))
    if grid is None:
        grid = OxmlElement("w:docGrid")
        sect_pr.append(grid)
    grid.set(qn("w:type"), "linesAndChars")
    grid.set(qn("w:linePitch"), str(LINE_PITCH.twips))
    grid.set(qn("w:charSpace"), str(CHAR_SPACE))
    return section


def _styles(doc):
    # The document defaults carry theme fonts in python-docx's template: replace them.
    defaults = doc.styles.element.find(qn("w:docDefaults"))
    rpr_default = defaults.find(qn("w:rPrDefault"))
    _fonts(rpr_default, BODY_FONT, BODY_SIZE)
    normal = doc.styles["Normal"]
    _fonts(normal.element, BODY_FONT, BODY_SIZE)
    pf = normal.paragraph_format
    pf.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    pf.line_spacing = LINE_PITCH
    pf.space_before = pf.space_after = Pt(0)
    pf.widow_control = False
    for level, font in HEADING_FONTS.items():
        style = doc.styles.add_style(f"GB Heading {level}", 1)
        style.base_style = normal
        style.quick_style = True
        _fonts(style.element, font, BODY_SIZE, False)
        style.paragraph_format.first_line_indent = INDENT
        style.paragraph_format.keep_with_next = True
        outline = OxmlElement("w:outlineLvl")
        outline.set(qn("w:val"), str(level - 1))
        style.element.get_or_add_pPr().append(outline)


def _page_number_field(paragraph):
    _run(paragraph, "— ", PAGE_NUMBER_FONT, PAGE_NUMBER_SIZE)
    for kind, text in (("begin", None), (None, " PAGE "), ("separate", None), (None, "1")):
        run = _run(paragraph, "", PAGE_NUMBER_FONT, PAGE_NUMBER_SIZE)
        if kind:
            fld = OxmlElement("w:fldChar")
            fld.set(qn("w:fldCharType"), kind)
            run._element.append(fld)
        elif text == " PAGE ":
            instr = OxmlElement("w:instrText")
            instr.set(qn("xml:space"), "preserve")
            instr.text = text
            run._element.append(instr)
        else:
            run.text = text
    end = _run(paragraph, "", PAGE_NUMBER_FONT, PAGE_NUMBER_SIZE)
    fld = OxmlElement("w:fldChar")
    fld.set(qn("w:fldCharType"), "end")
    end._element.append(fld)
    _run(paragraph, " —", PAGE_NUMBER_FONT, PAGE_NUMBER_SIZE)


def _footers(doc, section):
    # Odd pages right, even pages left, each one character in from the edge of the text block.
    doc.settings.odd_and_even_pages_header_footer = True
    odd = section.footer.paragraphs[0]
    odd.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    odd.paragraph_format.right_indent = Pt(PAGE_NUMBER_SIZE)
    _page_number_field(odd)
    even = section.even_page_footer.paragraphs[0]
    even.alignment = WD_ALIGN_PARAGRAPH.LEFT
    even.paragraph_format.left_indent = Pt(PAGE_NUMBER_SIZE)
    _page_number_field(even)


def _table(doc, table):
    t = doc.add_table(rows=0, cols=len(table.headers))
    t.style = "Table Grid"
    t.alignment = WD_TABLE_ALIGNMENT.CENTER
    cells = t.add_row().cells
    for cell, text in zip(cells, table.headers, strict=True):
        p = cell.paragraphs[0]
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER
        p.paragraph_format.line_spacing_rule = WD_LINE_SPACING.SINGLE
        _run(p, str(text), "黑体", TABLE_SIZE)
    for row in table.rows:
        cells = t.add_row().cells
        for i, (cell, seg) in enumerate(zip(cells, row, strict=True)):
            p = cell.paragraphs[0]
            p.alignment = WD_ALIGN_PARAGRAPH.LEFT if i == 0 else WD_ALIGN_PARAGRAPH.RIGHT
            p.paragraph_format.line_spacing_rule = WD_LINE_SPACING.SINGLE
            _run(p, seg.text, BODY_FONT, TABLE_SIZE)


def render(draft, document) -> bytes:
    """Write the resolved `document` (placeholders.build) of `draft` as .docx bytes."""
    doc = new_docx()
    section = _page(doc)
    _styles(doc)
    _footers(doc, section)
    body = doc.paragraphs[0] if doc.paragraphs else doc.add_paragraph()
    if draft.doc_number:
        body.alignment = WD_ALIGN_PARAGRAPH.CENTER
        _run(body, draft.doc_number, BODY_FONT, BODY_SIZE)
        doc.add_paragraph()
        body = doc.add_paragraph()
    body.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _run(body, "".join(s.text for s in document.title), TITLE_FONT, TITLE_SIZE)
    doc.add_paragraph()  # a blank line below the title
    if draft.addressee:
        p = doc.add_paragraph()
        text = draft.addressee.rstrip("：:")
        _run(p, f"{text}：", BODY_FONT, BODY_SIZE)
    for block in document.blocks:
        if block.kind == "table":
            _table(doc, block.table)
            continue
        if block.kind == "heading":
            p = doc.add_paragraph(style=f"GB Heading {block.level}")
            _run(p, block.number + block.text, HEADING_FONTS[block.level], BODY_SIZE)
            continue
        p = doc.add_paragraph()
        p.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
        p.paragraph_format.first_line_indent = INDENT
        _run(p, block.text, BODY_FONT, BODY_SIZE)
    doc.add_paragraph()
    issuer = doc.add_paragraph()
    issuer.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    issuer.paragraph_format.right_indent = Pt(BODY_SIZE * 4)
    _run(issuer, draft.issuer or draft.unit.name, BODY_FONT, BODY_SIZE)
    if draft.issue_date:
        date = doc.add_paragraph()
        date.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        date.paragraph_format.right_indent = Pt(BODY_SIZE * 2)
        _run(date, chinese_date(draft.issue_date), BODY_FONT, BODY_SIZE)
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()
