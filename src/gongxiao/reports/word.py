"""The draft as a Word file in the official document layout of GB/T 9704-2012 (SPEC §5):
A4, margins 37/35/28/26 mm, a 22 × 28 grid, title in 小标宋 二号, body in 仿宋_GB2312 三号,
headings 一、 in 黑体, （一） in 楷体, 1. and （1） in 仿宋, page numbers "— 1 —" in 宋体 四号 on
the outer side. Font names are set, never embedded.

The 22 × 28 grid is declared in the section (w:docGrid, so Word's page set-up shows it) and the
text is laid out on it explicitly, so that it does not depend on how a program snaps to the grid:
28 characters of 16 pt need 448 pt and the line has 442.2, so a program that gives each
character whole grid cells of 15.8 pt (LibreOffice does) puts two cells to each, 14 a line.
Hence no paragraph snaps to the grid: every character is condensed a little so that 28 fit, and
every line is exactly one grid pitch high, no space before or after. The checks are in
tests/test_render.py, on the PDF LibreOffice makes."""

from __future__ import annotations

import io

from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, Twips

from gongxiao.core import wordfile

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
# The text block is 156 × 225 mm, in the twips the section is written in: 8845 × 12756.
TEXT_WIDTH = Mm(210).twips - Mm(MARGINS_MM["left"]).twips - Mm(MARGINS_MM["right"]).twips
TEXT_HEIGHT = Mm(297).twips - Mm(MARGINS_MM["top"]).twips - Mm(MARGINS_MM["bottom"]).twips
# 579 twips = 28.95 pt; rounded down, for 22 lines of 580 would not fit the block.
LINE_PITCH = Twips(TEXT_HEIGHT // LINES)
# w:charSpace is the character pitch beyond the Normal style's East Asian font size (16 pt), in
# 1/4096 pt: 442.25 pt / 28 = 15.79 pt, so -841.
CHAR_SPACE = round((TEXT_WIDTH / 20 / CHARS - BODY_SIZE) * 4096)
# Character spacing of the body text, in 1/20 pt: 28 × 15.7 pt = 439.6 pt fit the 442.25 pt line
# with room for renderers that round a glyph's advance up (16 - 0.25 pt is too tight for
# LibreOffice); 29 would need 455 pt.
CONDENSE = -6
INDENT = Pt(BODY_SIZE * 2)  # two characters
# The order w:rPr's children must have (ECMA-376 CT_RPr); Word refuses some misplaced ones.
RPR_ORDER = (
    "w:rStyle", "w:rFonts", "w:b", "w:bCs", "w:i", "w:iCs", "w:caps", "w:smallCaps", "w:strike",
    "w:dstrike", "w:outline", "w:shadow", "w:emboss", "w:imprint", "w:noProof", "w:snapToGrid",
    "w:vanish", "w:webHidden", "w:color", "w:spacing", "w:w", "w:kern", "w:position", "w:sz",
    "w:szCs", "w:highlight", "w:u", "w:effect", "w:bdr", "w:shd", "w:fitText", "w:vertAlign",
    "w:rtl", "w:cs", "w:em", "w:lang", "w:eastAsianLayout", "w:specVanish", "w:oMath",
)  # fmt: skip
# The children of w:pPr that follow w:snapToGrid.
PPR_AFTER_SNAP = (
    "w:spacing", "w:ind", "w:contextualSpacing", "w:mirrorIndents", "w:suppressOverlap", "w:jc",
    "w:textDirection", "w:textAlignment", "w:textboxTightWrap", "w:outlineLvl", "w:divId",
    "w:cnfStyle", "w:rPr", "w:sectPr", "w:pPrChange",
)  # fmt: skip


def chinese_date(d) -> str:
    """2023年4月13日: full year, no zero padding."""
    return f"{d.year}年{d.month}月{d.day}日"


def _rpr_child(rpr, tag, value: str | None = None):
    el = rpr.find(qn(tag))
    if el is None:
        el = OxmlElement(tag)
        rpr.insert_element_before(el, *RPR_ORDER[RPR_ORDER.index(tag) + 1 :])
    if value is not None:
        el.set(qn("w:val"), value)
    return el


def _fonts(
    rpr_owner,
    east_asia: str,
    size: float | None = None,
    bold: bool | None = None,
    spacing: int | None = None,
    latin: str = LATIN_FONT,
):
    """Set the Latin and East Asian font names (no theme fonts, which would override them), and
    the size, weight and character spacing (1/20 pt) given."""
    if hasattr(rpr_owner, "get_or_add_rPr"):
        rpr = rpr_owner.get_or_add_rPr()
    else:  # w:rPrDefault, a plain element
        rpr = rpr_owner.find(qn("w:rPr"))
        if rpr is None:
            rpr = OxmlElement("w:rPr")
            rpr_owner.append(rpr)
    fonts = _rpr_child(rpr, "w:rFonts")
    for attr in list(fonts.attrib):
        if attr.lower().endswith("theme"):  # w:asciiTheme … w:cstheme
            del fonts.attrib[attr]
    fonts.set(qn("w:ascii"), latin)
    fonts.set(qn("w:hAnsi"), latin)
    fonts.set(qn("w:eastAsia"), east_asia)
    fonts.set(qn("w:cs"), latin)
    if bold is not None:
        _rpr_child(rpr, "w:b", "1" if bold else "0")
    if spacing is not None:
        _rpr_child(rpr, "w:spacing", str(spacing))
    if size is not None:
        for tag in ("w:sz", "w:szCs"):
            _rpr_child(rpr, tag, str(int(size * 2)))


def _run(paragraph, text, font, size, bold=False, **kw):
    run = paragraph.add_run(text)
    _fonts(run._element, font, size, bold, **kw)
    return run


def _page(doc):
    section = doc.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin = Mm(MARGINS_MM["top"])
    section.bottom_margin = Mm(MARGINS_MM["bottom"])
    section.left_margin = Mm(MARGINS_MM["left"])
    section.right_margin = Mm(MARGINS_MM["right"])
    # The dashes of the page number 7 mm below the text block (一字线上距版心下边缘7mm): the
    # footer's bottom edge is 2.5 mm below them (a 四号 line's descent and the dash's height).
    section.footer_distance = Mm(MARGINS_MM["bottom"] - 7 - 2.5)
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
    _fonts(normal.element, BODY_FONT, BODY_SIZE, spacing=CONDENSE)
    pf = normal.paragraph_format
    pf.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    pf.line_spacing = LINE_PITCH
    pf.space_before = pf.space_after = Pt(0)
    pf.widow_control = False
    # Laid out on the grid by the exact line height and the condensed characters, never snapped
    # (see the module's docstring): w:snapToGrid off for the lines (paragraph) and the
    # characters (run). Every style is based on Normal.
    snap = OxmlElement("w:snapToGrid")
    snap.set(qn("w:val"), "0")
    normal.element.get_or_add_pPr().insert_element_before(snap, *PPR_AFTER_SNAP)
    _rpr_child(normal.element.get_or_add_rPr(), "w:snapToGrid", "0")
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
    # 宋体 for the dashes and the figures too (半角宋体阿拉伯数字), not condensed.
    font = {"latin": PAGE_NUMBER_FONT, "spacing": 0}
    _run(paragraph, "— ", PAGE_NUMBER_FONT, PAGE_NUMBER_SIZE, **font)
    for kind, text in (("begin", None), (None, " PAGE "), ("separate", None), (None, "1")):
        run = _run(paragraph, "", PAGE_NUMBER_FONT, PAGE_NUMBER_SIZE, **font)
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
    end = _run(paragraph, "", PAGE_NUMBER_FONT, PAGE_NUMBER_SIZE, **font)
    fld = OxmlElement("w:fldChar")
    fld.set(qn("w:fldCharType"), "end")
    end._element.append(fld)
    _run(paragraph, " —", PAGE_NUMBER_FONT, PAGE_NUMBER_SIZE, **font)


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
    head = t.add_row()
    wordfile.repeat_header(head)
    cells = head.cells
    for cell, text in zip(cells, table.headers, strict=True):
        p = cell.paragraphs[0]
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER
        p.paragraph_format.line_spacing_rule = WD_LINE_SPACING.SINGLE
        _run(p, str(text), "黑体", TABLE_SIZE, spacing=0)
    for row in table.rows:
        cells = t.add_row().cells
        for i, (cell, seg) in enumerate(zip(cells, row, strict=True)):
            p = cell.paragraphs[0]
            p.alignment = WD_ALIGN_PARAGRAPH.LEFT if i == 0 else WD_ALIGN_PARAGRAPH.RIGHT
            p.paragraph_format.line_spacing_rule = WD_LINE_SPACING.SINGLE
            _run(p, seg.text, BODY_FONT, TABLE_SIZE, spacing=0)


def render(draft, document) -> bytes:
    """Write the resolved `document` (placeholders.build) of `draft` as .docx bytes."""
    doc = wordfile.new_document()
    section = _page(doc)
    _styles(doc)
    _footers(doc, section)
    body = doc.paragraphs[0] if doc.paragraphs else doc.add_paragraph()
    if draft.doc_number:
        # The title two lines below the separator 4 mm under the document number: line 4.
        body.alignment = WD_ALIGN_PARAGRAPH.CENTER
        _run(body, draft.doc_number, BODY_FONT, BODY_SIZE)
        doc.add_paragraph()
        doc.add_paragraph()
        body = doc.add_paragraph()
    body.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _run(body, "".join(s.text for s in document.title), TITLE_FONT, TITLE_SIZE, spacing=0)
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
