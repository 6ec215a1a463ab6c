"""The Word export as LibreOffice lays it out (SPEC §5, GB/T 9704-2012): the report is converted
to PDF once, by Debian's headless LibreOffice (scripts/test installs it and a CJK font), and the
PDF is read back with the position of every character. Millimetres from the page's top left."""

import datetime
import io
import shutil
import subprocess
import zipfile
from collections import defaultdict

import pdfplumber
import pytest
from django.db import transaction

from gongxiao.org.models import Unit
from gongxiao.org.roles import Role
from gongxiao.org.tests.factories import UnitFactory, user_with
from gongxiao.reports import services
from gongxiao.reports.models import Kind, ReportDraft

from .factories import SectionFactory

# django_db: pytest-django sets up the test database only for the tests that ask for it.
pytestmark = [pytest.mark.render, pytest.mark.django_db]

MM = 72 / 25.4  # PDF points in a millimetre
LEFT, RIGHT, TOP, BOTTOM = 28, 210 - 26, 37, 297 - 35  # the text block, 156 × 225 mm
CHAR = 156 / 28  # a character of the grid
PITCH = 225 / 22  # a line of the grid
# Han characters only, so that every full line ends where the grid does, never at a rule that
# keeps punctuation off the start of a line. Four times 33 characters: a paragraph of 5 lines.
PROSE = "全面从严治党治社各项工作扎实推进基层组织建设持续加强作风建设成效明显" * 4
PARAGRAPHS = 3  # in each of 8 sections: 1 + 3 × 5 lines each, about 6 pages in all
TITLE = "市社关于全面从严治党工作情况的报告"


@pytest.fixture(scope="module")
def pdf(django_db_setup, django_db_blocker, tmp_path_factory):
    soffice = shutil.which("soffice")
    if soffice is None:
        pytest.fail("The render tests need LibreOffice: scripts/test installs it (Debian's).")
    out = tmp_path_factory.mktemp("render")
    with django_db_blocker.unblock(), transaction.atomic():
        city = UnitFactory(code="C", name="市社", kind=Unit.Kind.CITY)
        user = user_with(Role.DISCIPLINE, city, username="city_jijian")
        draft = ReportDraft(
            unit=city,
            kind=Kind.BLANK,
            title="{{ 单位 }}关于全面从严治党工作情况的报告",
            addressee="市纪委监委",
            period="2024",
            doc_number="湘供党〔2025〕3号",
            issue_date=datetime.date(2025, 1, 5),
        )
        services.create_draft(draft=draft, user=user)
        for i in range(8):
            SectionFactory(draft=draft, heading=f"第{i + 1}部分", body="\n".join([PROSE] * 3))
        _name, data = services.export_zip(draft=draft, user=user)
        transaction.set_rollback(True)
    z = zipfile.ZipFile(io.BytesIO(data))
    docx = out / "report.docx"
    docx.write_bytes(z.read(next(n for n in z.namelist() if n.endswith(".docx"))))
    # A profile of its own: a user's running LibreOffice or another test run is not disturbed.
    done = subprocess.run(  # noqa: S603 (soffice from PATH, our own file)
        [
            soffice,
            f"-env:UserInstallation={(out / 'profile').as_uri()}",
            "--headless",
            "--convert-to",
            "pdf",
            "--outdir",
            str(out),
            str(docx),
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    # soffice may exit 0 without writing the file (a profile it cannot make, a filter missing).
    assert (out / "report.pdf").exists(), done.stdout + done.stderr
    with pdfplumber.open(out / "report.pdf") as doc:
        yield doc


def _baseline(page, char):
    return (page.height - char["matrix"][5]) / MM


def _lines(page):
    """The lines of text in the text block, top to bottom: lists of characters left to right
    (pdfplumber's dicts, with the baseline added in mm)."""
    rows = defaultdict(list)
    for c in page.chars:
        if c["text"].strip() and TOP < _baseline(page, c) <= BOTTOM:
            rows[round(_baseline(page, c), 1)].append(c | {"baseline": _baseline(page, c)})
    return [sorted(rows[y], key=lambda c: c["x0"]) for y in sorted(rows)]


def _text(line):
    return "".join(c["text"] for c in line)


def _mm(line, key):
    """Where a line starts (x0), ends (x1) or stands (baseline), in mm."""
    if key == "x0":
        return line[0]["x0"] / MM
    if key == "x1":
        return line[-1]["x1"] / MM
    return line[0][key]


def _body_pages(pdf):
    return [_lines(p) for p in pdf.pages]


def test_the_export_runs_to_several_full_pages(pdf):
    assert len(pdf.pages) >= 4


def test_full_lines_hold_28_characters(pdf):
    full, indented = [], []
    for lines in _body_pages(pdf):
        for line in lines:
            if not set(_text(line)) <= set(PROSE):
                continue
            # A full line reaches the right edge of the text block, within half a character.
            if _mm(line, "x1") < RIGHT - CHAR / 2:
                continue
            if _mm(line, "x0") == pytest.approx(LEFT, abs=1):
                full.append(_text(line))
            elif _mm(line, "x0") == pytest.approx(LEFT + 2 * CHAR, abs=1):
                indented.append(_text(line))  # the first line of a paragraph
    assert len(full) > 50 and len(indented) > 15
    assert {len(t) for t in full} == {28}, full[:3]
    assert {len(t) for t in indented} == {26}, indented[:3]
    # And the characters are in their places: the 28th ends at the right edge.
    for line in (line for lines in _body_pages(pdf) for line in lines if len(line) == 28):
        pitch = (line[-1]["x0"] - line[0]["x0"]) / MM / 27
        assert pitch == pytest.approx(CHAR, abs=0.15)


def test_full_pages_hold_22_lines_on_the_grid(pdf):
    pages = _body_pages(pdf)
    # The first page has blank lines, the last is not full.
    for n, lines in enumerate(pages[1:-1], start=2):
        baselines = [_mm(line, "baseline") for line in lines]
        assert len(lines) == 22, (n, [_text(line)[:6] for line in lines])
        for upper, lower in zip(baselines, baselines[1:], strict=False):
            assert lower - upper == pytest.approx(PITCH, abs=0.15), n
        # The first line in the first row of the block, the 22nd in the last.
        assert TOP < baselines[0] < TOP + PITCH
        assert BOTTOM - PITCH < baselines[-1] <= BOTTOM
    # Page 1 with its three blank lines keeps the same grid as the others, down to the 22nd.
    first = [_mm(line, "baseline") for line in pages[0]]
    second = [_mm(line, "baseline") for line in pages[1]]
    assert len(first) == 22 - 3
    for y in first:
        assert min(abs(y - z) for z in second) < 0.3
    assert first[-1] == pytest.approx(second[-1], abs=0.3)


def test_the_title_is_centred_on_the_fourth_line_of_the_first_page(pdf):
    lines = _lines(pdf.pages[0])
    number, title = lines[0], lines[1]
    assert _text(number) == "湘供党〔2025〕3号"
    # 发文字号 centred on the first line; the title two blank lines below the red separator
    # 4 mm under it (GB/T 9704-2012 7.2.4, 7.3.1), in 二号, centred on one line.
    assert _text(title) == TITLE
    assert {round(c["size"]) for c in title} == {22}
    assert _mm(title, "baseline") - _mm(number, "baseline") == pytest.approx(3 * PITCH, abs=0.3)
    for line in (number, title):
        centre = (_mm(line, "x0") + _mm(line, "x1")) / 2
        assert centre == pytest.approx((LEFT + RIGHT) / 2, abs=1)
    # Not spread over the grid: 17 characters of 22 pt side by side.
    assert _mm(title, "x1") - _mm(title, "x0") == pytest.approx(17 * 22 / MM, abs=2)
    # The addressee one blank line below the title, at the left edge.
    assert _text(lines[2]) == "市纪委监委："
    assert _mm(lines[2], "baseline") - _mm(title, "baseline") == pytest.approx(2 * PITCH, abs=0.3)
    assert _mm(lines[2], "x0") == pytest.approx(LEFT, abs=0.5)


def _dash_row(page):
    """Where the page number's dashes are: the row of the footer with the most ink, in mm."""
    strip = page.crop((0, BOTTOM * MM, page.width, page.height))
    image = strip.to_image(resolution=300).original.convert("L")
    width, height = image.size
    ink = image.load()
    counts = [sum(ink[x, y] < 128 for x in range(width)) for y in range(height)]
    row = max(range(height), key=counts.__getitem__)
    return BOTTOM + row / height * (297 - BOTTOM)


def test_page_numbers_at_the_outer_side_below_the_text_block(pdf):
    for n, page in enumerate(pdf.pages, start=1):
        chars = [c for c in page.chars if c["top"] > BOTTOM * MM]
        assert "".join(c["text"] for c in chars) == f"— {n} —"
        assert {round(c["size"]) for c in chars} == {14}  # 四号
        ink = [c for c in chars if c["text"].strip()]
        # Odd pages right, even pages left, one character (四号) in from the text block.
        if n % 2:
            assert ink[-1]["x1"] / MM == pytest.approx(RIGHT - 14 / MM, abs=1)
        else:
            assert ink[0]["x0"] / MM == pytest.approx(LEFT + 14 / MM, abs=1)
        # 一字线上距版心下边缘7mm.
        if n <= 2:
            assert _dash_row(page) == pytest.approx(BOTTOM + 7, abs=1)
