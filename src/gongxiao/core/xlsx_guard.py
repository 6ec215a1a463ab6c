"""The import reader's own process: look at a workbook before the Excel library does, then read it.

An .xlsx is a zip of XML parts. The library that reads it (python-calamine) keeps a sheet as one
dense block from A1 to the last cell with a value, so one cell written at XFD1048576 makes it ask
for hundreds of gigabytes and abort the whole process. So this module, run as a child process by
`gongxiao.core.excel.read_sheet` (with a memory limit and a timeout), first streams the parts with
expat — a few kilobytes at a time, whatever the sheet says its size is — and refuses:

- anything that is not a zip workbook (.xlsx/.xlsm/.ods) or an OLE2 one (.xls);
- a zip whose parts unpack to more than a bound, or far more than deflate gives real sheets
  (a zip bomb), encrypted parts, too many parts or sheets;
- any XML part with a document type declaration (DTD: entity bombs, external entities);
- a first sheet whose last used cell lies beyond the row or column bound (the cells count, not
  the <dimension> the file declares), or whose block of cells is too large to hold;
- formula cells (the library would read their cached value, often 0 or blank).

Only then is the library asked for the rows, which go back to the parent as JSON lines of plain
values. Nothing here imports Django: the child starts in a fraction of a second.

Protocol: argv = [path, limits-json, (reader "module:function")]; stdout = one JSON line
{"ok": true, "merged": [...]} or {"error": code, ...}, then one JSON line per row, then
{"end": true}.
"""

from __future__ import annotations

import datetime
import html
import json
import posixpath
import re
import resource
import sys
import zipfile
from importlib import import_module
from xml.parsers import expat

ZIP_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
CHUNK = 64 * 1024

DEFAULT_LIMITS = {
    "rows": 200_001,  # the header and MAX_IMPORT_ROWS
    "columns": 200,
    "cells": 3_000_000,
    "sheets": 50,
    "parts": 2_000,
    "unpacked": 256 * 1024 * 1024,
    "ratio": 500,  # deflate gives at most ~1030:1; real sheets 5-50:1
    "ratio_floor": 5 * 1024 * 1024,  # parts smaller than this are not judged by their ratio
    "formula_examples": 5,
    "merged_examples": 5,
    "memory": 512 * 1024 * 1024,
}


class Refused(Exception):
    def __init__(self, code: str, **params):
        super().__init__(code)
        self.code = code
        self.params = params


_REF = re.compile(r"^\$?([A-Za-z]{1,7})\$?(\d{1,12})$")


def column_letters(n: int) -> str:
    s = ""
    while n > 0:
        n, r = divmod(n - 1, 26)
        s = chr(65 + r) + s
    return s


def _col_number(letters: str) -> int:
    n = 0
    for ch in letters.upper():
        n = n * 26 + (ord(ch) - 64)
    return n


def _local(name: str) -> str:
    return name.rsplit(" ", 1)[-1]


def _parser(*, namespaces=True):
    p = expat.ParserCreate(namespace_separator=" ") if namespaces else expat.ParserCreate()

    def no_dtd(*_args):
        raise Refused("dtd")

    p.StartDoctypeDeclHandler = no_dtd
    p.EntityDeclHandler = no_dtd
    p.ExternalEntityRefHandler = no_dtd
    return p


def _feed(parser, stream, budget: list[int]):
    """Parse a zip member a chunk at a time; `budget` holds the bytes still allowed unpacked."""
    try:
        while True:
            chunk = stream.read(CHUNK)
            budget[0] -= len(chunk)
            if budget[0] < 0:
                raise Refused("unpacked")
            if not chunk:
                break
            parser.Parse(chunk, False)
        parser.Parse(b"", True)
    except expat.ExpatError as exc:
        raise Refused("bad_xml", part=getattr(stream, "name", "")) from exc
    except (zipfile.BadZipFile, EOFError, OSError, RuntimeError) as exc:
        raise Refused("bad_zip") from exc


# The tags of a worksheet that matter here, with or without a namespace prefix, attributes
# read by XML's own grammar (a quoted value may hold ">"). The sheet was parsed by expat just
# before (well-formed, no DTD); this pass only looks for these tags, at the speed of `re`. Text
# cannot hold a raw "<", so every real tag is seen; one inside a comment or CDATA is counted too,
# which can only refuse a file, never let one through.
_TAG = re.compile(
    rb"<(/?)(?:[^\s<>/:=!?]+:)?(sheetData|row|c|f|mergeCell)"
    rb"((?:\s+[^\s=/>]+\s*=\s*(?:\"[^\"]*\"|'[^']*'))*)\s*(/?)>"
)
_PREFIX = rb"(?:[^\s<>/:=!?]+:)?"
_C_ANY = re.compile(rb"<" + _PREFIX + rb"c[\s/>]")
# A cell's plain reference: the attribute named exactly r, quoted values skipped whole.
_C_REF = re.compile(
    rb"<" + _PREFIX + rb"c\s(?:[^>\"']|\"[^\"]*\"|'[^']*')*?(?<=\s)r\s*=\s*"
    rb"[\"']([A-Z]{1,7})(\d{1,12})[\"']"
)
_C_REF_PLAIN = re.compile(
    rb"<c\s(?:[^>\"']|\"[^\"]*\"|'[^']*')*?(?<=\s)r\s*=\s*[\"']([A-Z]{1,7})(\d{1,12})[\"']"
)
_F_ANY = re.compile(rb"<" + _PREFIX + rb"f[\s/>]")
_SHEET_DATA = re.compile(rb"<(/?)" + _PREFIX + rb"sheetData(?=[\s/>])[^>]*?(/?)>")
_ATTR = re.compile(rb"""(?:^|\s)([^\s=/>]+)\s*=\s*(?:"([^"]*)"|'([^']*)')""")
_MAX_TAIL = 1024 * 1024
_SHEET_PART = re.compile(r"^xl/(worksheets|macrosheets|dialogsheets)/[^/]+\.xml$", re.IGNORECASE)


def _attrs(raw: bytes) -> dict:
    return {
        m[1].decode("utf-8", "replace"): (m[2] if m[2] is not None else m[3]).decode(
            "utf-8", "replace"
        )
        for m in _ATTR.finditer(raw)
    }


class _SheetScan:
    """The extent, formulas and merged cells of one xlsx worksheet, read as a stream."""

    def __init__(self, limits):
        self.limits = limits
        self.row = 0
        self.col = 0
        self.max_row = 0
        self.max_col = 0
        self.last_cell = ""
        self.formulas: list[tuple[str, str]] = []
        self.formula_count = 0
        self.merged: list[str] = []
        self.merged_count = 0
        self._cell = ""
        self._in_data = False

    def _tag(self, close, tag, raw, empty, buf, end):
        if tag == b"sheetData":
            self._in_data = not close and not empty
            return
        if close:
            return
        if tag == b"mergeCell":
            self.merged_count += 1
            if len(self.merged) < self.limits["merged_examples"]:
                self.merged.append(str(_attrs(raw).get("ref", ""))[:30])
            return
        if not self._in_data:
            return  # e.g. the formulas of data validations in extLst
        if tag == b"row":
            r = _attrs(raw).get("r") if raw else None
            self.row = int(r) if r and r.isdigit() else self.row + 1
            self.col = 0
        elif tag == b"c":
            ref = _attrs(raw).get("r") if raw else None
            m = _REF.match(ref) if ref else None
            if m:
                self.col = _col_number(m[1])
                self.row = int(m[2])
            elif ref:
                raise Refused("bad_xml", part="sheet")
            else:
                self.col += 1
            self._cell = f"{column_letters(self.col)}{self.row}"
            if self.row > self.max_row:
                self.max_row = self.row
                self.last_cell = self._cell
            if self.col > self.max_col:
                self.max_col = self.col
                self.last_cell = self._cell
            if self.row > self.limits["rows"]:
                raise Refused("rows", row=self.row, cell=self._cell)
            if self.col > self.limits["columns"]:
                raise Refused("columns", col=column_letters(self.col), cell=self._cell)
            self.check_area()
        elif tag == b"f":
            self.formula_count += 1
            if len(self.formulas) < self.limits["formula_examples"]:
                text = ""
                if not empty:
                    stop = buf.find(b"<", end)
                    text = buf[end : stop if stop >= 0 else end + 200].decode("utf-8", "replace")
                self.formulas.append((self._cell, html.unescape(text)[:60]))

    def check_area(self):
        """The library holds the block A1 to the last row and column, empty cells included."""
        if self.max_row * self.max_col > self.limits["cells"]:
            cell = f"{column_letters(self.max_col)}{self.max_row}"
            raise Refused("cells", rows=self.max_row, cols=self.max_col, cell=cell)

    def _fast(self, seg: bytes) -> bool:
        """Cells of a stretch of the sheet in a few passes in C (`re`, bytes.count, max over
        map); False when some cell has no plain reference (then the slow pass, tag by tag,
        places it)."""
        if b":c" in seg:  # maybe a cell with a namespace prefix: the general patterns
            refs = _C_REF.findall(seg)
            n_cells = len(_C_ANY.findall(seg))
        else:
            refs = _C_REF_PLAIN.findall(seg)
            n_cells = seg.count(b"<c")
            if n_cells != len(refs):  # "<col", "<cfRule"...: count the cells exactly
                n_cells = len(_C_ANY.findall(seg))
        if len(refs) != n_cells:
            return False
        if refs:
            cols, rows = zip(*refs, strict=True)
            top = max(map(int, rows))
            wide = max(map(len, cols))
            if wide == min(map(len, cols)):
                left = max(cols)
            else:
                left = max(c for c in cols if len(c) == wide)
            col = _col_number(left.decode())
            if top > self.limits["rows"]:
                c = next(c for c, r in refs if int(r) == top)
                raise Refused("rows", row=top, cell=f"{c.decode()}{top}")
            if col > self.limits["columns"]:
                r = next(r for c, r in refs if c == left)
                raise Refused("columns", col=left.decode(), cell=f"{left.decode()}{int(r)}")
            self.max_row, self.max_col = max(top, self.max_row), max(col, self.max_col)
            self.row = max(self.row, top)
            self.check_area()
        return True

    def _segment(self, seg: bytes):
        # Within <sheetData> cells and formulas; outside it merged cells (and the formulas of
        # data validations, which are not cells).
        if b"sheetData" not in seg:
            self._span(seg)
            return
        pos = 0
        for m in _SHEET_DATA.finditer(seg):
            self._span(seg[pos : m.start()])
            self._in_data = m[1] != b"/" and m[2] != b"/"
            pos = m.end()
        self._span(seg[pos:])

    def _span(self, span: bytes):
        if not span:
            return
        if self._in_data:
            formulas = (b"<f" in span or b":f" in span) and _F_ANY.search(span)
            if formulas or not self._fast(span):
                # The slow pass: tag by tag (cells without a reference, or formulas to name).
                for m in _TAG.finditer(span):
                    self._tag(m[1] == b"/", m[2], m[3], m[4] == b"/", span, m.end())
        elif b"mergeCell" in span:
            for m in _TAG.finditer(span):
                if m[2] == b"mergeCell":
                    self._tag(m[1] == b"/", m[2], m[3], m[4] == b"/", span, m.end())

    def run(self, stream, budget):
        tail = b""
        try:
            while True:
                chunk = stream.read(CHUNK)
                budget[0] -= len(chunk)
                if budget[0] < 0:
                    raise Refused("unpacked")
                buf = tail + chunk
                cut = buf.rfind(b"<") if chunk else len(buf)
                if cut < 0:
                    cut = len(buf)
                self._segment(buf[:cut])
                tail = buf[cut:]
                if len(tail) > _MAX_TAIL:
                    raise Refused("bad_xml", part="sheet")
                if not chunk:
                    break
        except (zipfile.BadZipFile, EOFError, OSError, RuntimeError) as exc:
            raise Refused("bad_zip") from exc


class _OdsScan(_SheetScan):
    """The same for the first table of an OpenDocument content.xml, where rows and cells may be
    "repeated" a million times by one attribute."""

    TABLE = "urn:oasis:names:tc:opendocument:xmlns:table:1.0"
    OFFICE = "urn:oasis:names:tc:opendocument:xmlns:office:1.0"

    def __init__(self, limits):
        super().__init__(limits)
        self.tables = 0

    def start(self, name, attrs):
        tag = _local(name)
        if tag == "table" and name.startswith(self.TABLE):
            self.tables += 1
            return
        if self.tables != 1:
            return
        t = self.TABLE + " "
        if tag == "table-row":
            self.row_repeat = int(attrs.get(t + "number-rows-repeated", "1") or 1)
            self.row += 1
            self.col = 0
        elif tag in ("table-cell", "covered-table-cell"):
            repeat = int(attrs.get(t + "number-columns-repeated", "1") or 1)
            first = self.col + 1
            self.col += repeat
            used = (self.OFFICE + " value-type") in attrs or (t + "formula") in attrs
            if used:
                last_row = self.row + getattr(self, "row_repeat", 1) - 1
                self._cell = f"{column_letters(first)}{self.row}"
                if last_row > self.max_row or self.col > self.max_col:
                    self.last_cell = f"{column_letters(self.col)}{last_row}"
                self.max_row = max(self.max_row, last_row)
                self.max_col = max(self.max_col, self.col)
                if last_row > self.limits["rows"]:
                    raise Refused("rows", row=last_row, cell=self.last_cell)
                if self.col > self.limits["columns"]:
                    raise Refused("columns", col=column_letters(self.col), cell=self.last_cell)
            if (t + "formula") in attrs:
                self.formula_count += 1
                if len(self.formulas) < self.limits["formula_examples"]:
                    self.formulas.append((self._cell, str(attrs[t + "formula"])[:60]))
            rows_span = int(attrs.get(t + "number-rows-spanned", "1") or 1)
            cols_span = int(attrs.get(t + "number-columns-spanned", "1") or 1)
            if rows_span > 1 or cols_span > 1:
                self.merged_count += 1
                if len(self.merged) < self.limits["merged_examples"]:
                    end = f"{column_letters(first + cols_span - 1)}{self.row + rows_span - 1}"
                    self.merged.append(f"{column_letters(first)}{self.row}:{end}")

    def end_row(self, name):
        if self.tables == 1 and _local(name) == "table-row":
            self.row += getattr(self, "row_repeat", 1) - 1
            self.row_repeat = 1

    def run(self, stream, budget):
        self._parser = p = _parser()
        p.StartElementHandler = self.start
        p.EndElementHandler = self.end_row
        _feed(p, stream, budget)


def _check_zip(zf: zipfile.ZipFile, limits) -> list[zipfile.ZipInfo]:
    infos = zf.infolist()
    if len(infos) > limits["parts"]:
        raise Refused("parts", n=len(infos))
    total = 0
    for info in infos:
        if info.flag_bits & 0x1:
            raise Refused("encrypted")
        total += info.file_size
        if total > limits["unpacked"]:
            raise Refused("unpacked")
        if info.file_size > limits["ratio_floor"] and info.file_size > limits["ratio"] * max(
            info.compress_size, 1
        ):
            raise Refused("unpacked")
    return infos


def _xml_parts(infos):
    return [i for i in infos if i.filename.lower().endswith((".xml", ".rels", ".vml"))]


def _no_dtd_anywhere(zf, infos, budget):
    """Every XML part is parsed once (cheaply: no handlers but the DTD refusal)."""
    for info in _xml_parts(infos):
        with zf.open(info) as stream:
            _feed(_parser(namespaces=False), stream, budget)


def _first_xlsx_sheet(zf, names, limits, budget) -> str:
    sheets: list[str] = []
    rels: dict[str, str] = {}

    def on_sheet(name, attrs):
        if _local(name) == "sheet":
            rid = next((v for k, v in attrs.items() if _local(k) == "id"), "")
            sheets.append(rid)
            if len(sheets) > limits["sheets"]:
                raise Refused("sheets", n=len(sheets), max=limits["sheets"])

    def on_rel(name, attrs):
        if _local(name) == "Relationship":
            rels[attrs.get("Id", "")] = attrs.get("Target", "")

    p = _parser()
    p.StartElementHandler = on_sheet
    with zf.open("xl/workbook.xml") as stream:
        _feed(p, stream, budget)
    if not sheets:
        raise Refused("no_sheet")
    rel_name = "xl/_rels/workbook.xml.rels"
    if rel_name in names:
        p = _parser()
        p.StartElementHandler = on_rel
        with zf.open(rel_name) as stream:
            _feed(p, stream, budget)
    target = rels.get(sheets[0], "")
    if target.startswith("/"):
        path = target.lstrip("/")
    else:
        path = posixpath.normpath(posixpath.join("xl", target))
    if path not in names:
        # calamine falls back on the usual name; so do we.
        path = "xl/worksheets/sheet1.xml"
        if path not in names:
            raise Refused("no_sheet")
    return path


def scan(path: str, limits: dict) -> dict:
    """Refuse a hostile or unreadable workbook (Refused), or say what the parent should know."""
    with open(path, "rb") as f:
        head = f.read(8)
    if head.startswith(OLE_MAGIC):
        return {"kind": "xls", "merged": [], "merged_count": 0}
    if not head.startswith(ZIP_MAGIC):
        raise Refused("not_excel")
    try:
        zf = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise Refused("bad_zip") from exc
    with zf:
        infos = _check_zip(zf, limits)
        names = {i.filename for i in infos}
        budget = [limits["unpacked"]]
        if "xl/workbook.xml" in names:
            kind = "xlsx"
            sheet = _first_xlsx_sheet(zf, names, limits, budget)
            scanner = _SheetScan(limits)
        elif "content.xml" in names:
            kind, sheet = "ods", "content.xml"
            scanner = _OdsScan(limits)
        else:
            raise Refused("not_excel")  # a .docx, an .xlsb, any other zip
        # The sheet first (a sheet bomb stops at its row bound), then every part for a DTD.
        if kind == "xlsx":
            with zf.open(sheet) as stream:
                scanner.run(stream, budget)
            # The other sheets for their extent only: should the library take another part
            # for the first sheet than the one found above, it is bounded all the same.
            for info in infos:
                if info.filename != sheet and _SHEET_PART.match(info.filename):
                    other = _SheetScan(limits)
                    with zf.open(info) as stream:
                        other.run(stream, budget)
                    other.check_area()
        _no_dtd_anywhere(zf, infos, [limits["unpacked"]])
        if kind == "ods":  # parsed by expat, after the DTD pass
            with zf.open(sheet) as stream:
                scanner.run(stream, budget)
    scanner.check_area()
    if scanner.formula_count:
        raise Refused(
            "formula",
            count=scanner.formula_count,
            examples=[list(x) for x in scanner.formulas],
        )
    return {
        "kind": kind,
        "rows": scanner.max_row,
        "columns": scanner.max_col,
        "merged": scanner.merged,
        "merged_count": scanner.merged_count,
    }


# --- reading (only after the scan) -------------------------------------------------------------


def read_calamine(path: str, info: dict, limits: dict):
    """Yield the first sheet's rows as lists of plain values."""
    from python_calamine import CalamineWorkbook

    with open(path, "rb") as f:
        wb = CalamineWorkbook.from_filelike(f)
        if info["kind"] == "xls" and len(wb.sheet_names) > limits["sheets"]:
            raise Refused("sheets", n=len(wb.sheet_names), max=limits["sheets"])
        sheet = wb.get_sheet_by_index(0)
        if info["kind"] == "xls":
            # No scan of the binary format: the limits are checked on what was read.
            if sheet.height > limits["rows"]:
                raise Refused("rows", row=sheet.height, cell=f"A{sheet.height}")
            if sheet.width > limits["columns"]:
                raise Refused("columns", col=column_letters(sheet.width), cell="")
            info["merged"] = [
                f"{column_letters(a[1] + 1)}{a[0] + 1}:{column_letters(b[1] + 1)}{b[0] + 1}"
                for a, b in (sheet.merged_cell_ranges or [])[: limits["merged_examples"]]
            ]
            info["merged_count"] = len(sheet.merged_cell_ranges or [])
        yield from sheet.iter_rows()


def _plain(value):
    if isinstance(value, datetime.datetime):
        return {"$dt": value.isoformat()}
    if isinstance(value, datetime.date):
        return {"$d": value.isoformat()}
    if isinstance(value, datetime.time):
        return {"$t": value.isoformat()}
    if isinstance(value, datetime.timedelta):
        return {"$td": value.total_seconds()}
    return str(value)


def decode(obj):
    """The parent's object_hook for the child's JSON lines."""
    if len(obj) == 1:
        if "$dt" in obj:
            return datetime.datetime.fromisoformat(obj["$dt"])
        if "$d" in obj:
            return datetime.date.fromisoformat(obj["$d"])
        if "$t" in obj:
            return datetime.time.fromisoformat(obj["$t"])
        if "$td" in obj:
            return datetime.timedelta(seconds=obj["$td"])
    return obj


def peak_kb() -> int:
    """This process's peak resident memory since it started (VmHWM: unlike getrusage, it does
    not count the parent's memory from before exec)."""
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def main(argv: list[str]) -> int:
    path, limits = argv[0], {**DEFAULT_LIMITS, **json.loads(argv[1])}
    reader = read_calamine
    if len(argv) > 2:
        module, _, name = argv[2].partition(":")
        reader = getattr(import_module(module), name)
    memory = int(limits["memory"])
    if memory:
        resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
    out = sys.stdout
    write = out.write
    try:
        info = scan(path, limits)
        rows = reader(path, info, limits)
        first = next(rows, None)  # the library's work happens here, before any answer
        write(json.dumps({"ok": True, **info}, ensure_ascii=False) + "\n")
        if first is not None:
            write(json.dumps(first, ensure_ascii=False, default=_plain) + "\n")
            for row in rows:
                write(json.dumps(row, ensure_ascii=False, default=_plain) + "\n")
    except Refused as exc:
        answer = {"error": exc.code, **exc.params, "peak_kb": peak_kb()}
        write(json.dumps(answer, ensure_ascii=False) + "\n")
        return 0
    except MemoryError:
        write('{"error": "memory"}\n')
        return 0
    except Exception as exc:  # noqa: BLE001 - calamine raises several kinds for bad files
        write(json.dumps({"error": "unreadable", "detail": type(exc).__name__}) + "\n")
        return 0
    write(json.dumps({"end": True, "peak_kb": peak_kb()}) + "\n")
    out.flush()
    return 0


if __name__ == "__main__":
    sys.stdout.reconfigure(encoding="utf-8")
    sys.exit(main(sys.argv[1:]))
