"""A streaming Excel workbook (.xlsx) of one sheet, written a DataFrame chunk at a time.

openpyxl's write-only mode took 70 s, and XlsxWriter's constant-memory mode about 36 s, for
the 200,000 rows × 48 columns of a large export (``bench/export.py``): both build a Python
object per cell. This writes the sheet's SpreadsheetML (ECMA-376, the part a spreadsheet
reads) a column at a time with pandas string operations, so the cost is per column, not per
cell, and the XML goes straight into the zip stream: memory holds one chunk.

Every text is an inline string (``t="inlineStr"``). A cell is a formula only when it holds an
``<f>`` element, which this never writes, so a stranger's "=HYPERLINK(...)" stays text.
"""
from __future__ import annotations

import zipfile

_NS = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PKG = "http://schemas.openxmlformats.org/package/2006/relationships"
_XML = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
_CT = "application/vnd.openxmlformats-officedocument.spreadsheetml"
_PARTS = {
    "[Content_Types].xml": (
        f'<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        f'<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        f'<Default Extension="xml" ContentType="application/xml"/>'
        f'<Override PartName="/xl/workbook.xml" ContentType="{_CT}.sheet.main+xml"/>'
        f'<Override PartName="/xl/worksheets/sheet1.xml" ContentType="{_CT}.worksheet+xml"/>'
        f'<Override PartName="/xl/styles.xml" ContentType="{_CT}.styles+xml"/></Types>'),
    "_rels/.rels": (
        f'<Relationships xmlns="{_PKG}"><Relationship Id="rId1" Type="{_REL}/officeDocument" '
        f'Target="xl/workbook.xml"/></Relationships>'),
    "xl/_rels/workbook.xml.rels": (
        f'<Relationships xmlns="{_PKG}"><Relationship Id="rId1" Type="{_REL}/worksheet" '
        f'Target="worksheets/sheet1.xml"/><Relationship Id="rId2" Type="{_REL}/styles" Target="styles.xml"/>'
        f'</Relationships>'),
    # Styles: 0 plain, 1 a date and time, 2 the header (bold).
    "xl/styles.xml": (
        f'<styleSheet {_NS}><numFmts count="1"><numFmt numFmtId="164" formatCode="yyyy-mm-dd hh:mm:ss"/>'
        f'</numFmts><fonts count="2"><font><sz val="11"/><name val="Calibri"/></font><font><b/><sz val="11"/>'
        f'<name val="Calibri"/></font></fonts><fills count="2"><fill><patternFill patternType="none"/></fill>'
        f'<fill><patternFill patternType="gray125"/></fill></fills><borders count="1"><border><left/><right/>'
        f'<top/><bottom/><diagonal/></border></borders><cellStyleXfs count="1"><xf numFmtId="0" fontId="0" '
        f'fillId="0" borderId="0"/></cellStyleXfs><cellXfs count="3"><xf numFmtId="0" fontId="0" fillId="0" '
        f'borderId="0" xfId="0"/><xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" '
        f'applyNumberFormat="1"/><xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/>'
        f'</cellXfs><cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
        f'</styleSheet>'),
}
# The header row stays in view while scrolling.
_SHEET_HEAD = (f'<worksheet {_NS}><sheetViews><sheetView workbookViewId="0"><pane ySplit="1" topLeftCell="A2" '
               f'activePane="bottomLeft" state="frozen"/></sheetView></sheetViews><sheetData>')
_ILLEGAL = r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]"  # characters XML 1.0 cannot hold
MAX_TEXT = 32_767  # Excel refuses a workbook whose cell holds more characters


def column_letters(i: int) -> str:
    """0 → A, 25 → Z, 26 → AA."""
    s = ""
    i += 1
    while i:
        i, r = divmod(i - 1, 26)
        s = chr(65 + r) + s
    return s


def _escape(s):
    """Text cells' XML: control characters XML cannot hold are removed, & < > escaped."""
    s = s.str.slice(0, MAX_TEXT).str.replace(_ILLEGAL, "", regex=True)
    return s.str.replace("&", "&amp;", regex=False).str.replace("<", "&lt;", regex=False) \
        .str.replace(">", "&gt;", regex=False)


def _cells(col, ref):
    """One column's cells as XML strings, ``ref`` being each cell's opening ``<c r="B7"``."""
    import numpy as np
    import pandas as pd

    empty = ref + "/>"
    if pd.api.types.is_datetime64_any_dtype(col.dtype):
        days = (col.dt.tz_localize(None) if col.dt.tz else col) - pd.Timestamp("1899-12-30")
        serial = days / pd.Timedelta(days=1)  # Excel's date serial, local time
        return (ref + ' s="1"><v>' + serial.astype(str) + "</v></c>").where(col.notna(), empty)
    if pd.api.types.is_bool_dtype(col.dtype):
        return ref + ' t="b"><v>' + col.astype(int).astype(str) + "</v></c>"
    if pd.api.types.is_numeric_dtype(col.dtype):
        num = col.astype("float64")
        ok = pd.Series(np.isfinite(num.to_numpy(na_value=np.nan)), index=col.index)
        text = col.astype("object").astype(str)
        return (ref + "><v>" + text + "</v></c>").where(ok, empty)
    present = col.notna()
    text = _escape(col.astype("object").where(present, "").astype(str))
    return (ref + ' t="inlineStr"><is><t xml:space="preserve">' + text + "</t></is></c>").where(present, empty)


class SheetWriter:
    """``write(df)`` appends a chunk's rows (its columns' names head the sheet, once);
    ``close()`` finishes the workbook. ``title`` names the sheet tab."""

    def __init__(self, path, title: str = "escucha"):
        # Level 1 deflate: the sheet's XML is repetitive, so it shrinks nearly as much as at
        # level 6, several times faster.
        self.zip = zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=1)
        self.title = title
        self.sheet = self.zip.open("xl/worksheets/sheet1.xml", "w", force_zip64=True)
        self.sheet.write((_XML + _SHEET_HEAD).encode())
        self.rows = 0
        self.letters: list[str] = []

    def _header(self, names):
        import pandas as pd

        self.letters = [column_letters(i) for i in range(len(names))]
        text = _escape(pd.Series([str(n) for n in names], dtype=object))
        cells = "".join(f'<c r="{a}1" s="2" t="inlineStr"><is><t xml:space="preserve">{t}</t></is></c>'
                        for a, t in zip(self.letters, text))
        self.sheet.write(f'<row r="1">{cells}</row>'.encode())
        self.rows = 1

    def write(self, df) -> None:
        import pandas as pd

        if not self.rows:
            self._header(list(df.columns))
        if df.empty:
            return
        numbers = pd.Series(range(self.rows + 1, self.rows + 1 + len(df)), index=df.index).astype(str)
        xml = None
        for letter, name in zip(self.letters, df.columns):
            cells = _cells(df[name], f'<c r="{letter}' + numbers + '"')
            xml = cells if xml is None else xml + cells
        rows = '<row r="' + numbers + '">' + xml + "</row>"
        self.sheet.write("".join(rows).encode("utf-8", "replace"))
        self.rows += len(df)

    def close(self) -> None:
        title = self.title.replace("&", "&amp;").replace("<", "&lt;").replace('"', "&quot;")[:31]
        self.sheet.write(b"</sheetData></worksheet>")
        self.sheet.close()
        for name, body in {**_PARTS, "xl/workbook.xml": (
                f'<workbook {_NS} xmlns:r="{_REL}"><sheets><sheet name="{title}" sheetId="1" r:id="rId1"/>'
                f'</sheets></workbook>')}.items():
            self.zip.writestr(name, _XML + body)
        self.zip.close()
