"""escucha.xlsx, the streaming workbook writer: what it writes is read back the same by two
independent readers (openpyxl, and calamine in Rust), with types, escaping and limits."""
import zipfile
from datetime import datetime

import numpy as np
import pandas as pd
import pytest

from escucha.xlsx import MAX_TEXT, SheetWriter, column_letters


def _frame(start=0, n=3):
    return pd.DataFrame({
        "texto": [f"<b>uno & dos</b> {i}" if i % 3 == 0 else "=1+1" if i % 3 == 1 else None
                  for i in range(start, start + n)],
        "fecha": pd.to_datetime([datetime(2026, 11, 9, 0, 30, 15) if i % 3 != 2 else None
                                 for i in range(start, start + n)]),
        "me gusta": pd.array([i if i % 3 != 2 else None for i in range(start, start + n)], dtype="Int64"),
        "puntaje": [0.25, float("inf"), float("nan")][:n] + [0.5] * max(0, n - 3),
        "propia": [bool(i % 2) for i in range(start, start + n)],
        "sentimiento": pd.Categorical(["negativo", "neutral", "negativo"][:n] + ["neutral"] * max(0, n - 3)),
    })


def _write(path, chunks, title="menciones"):
    w = SheetWriter(path, title)
    for df in chunks:
        w.write(df)
    w.close()
    return path


@pytest.mark.parametrize("engine", ["openpyxl", "calamine"])
def test_two_readers_read_back_the_same_cells(tmp_path, engine):
    if engine == "calamine":
        pytest.importorskip("python_calamine")
    path = _write(tmp_path / "m.xlsx", [_frame(0, 3), _frame(3, 3)])
    back = pd.read_excel(path, engine=engine, sheet_name=None)
    assert list(back) == ["menciones"]
    df = back["menciones"]
    assert list(df.columns) == ["texto", "fecha", "me gusta", "puntaje", "propia", "sentimiento"]
    assert df["texto"].tolist()[:2] == ["<b>uno & dos</b> 0", "=1+1"] and pd.isna(df["texto"][2])
    assert pd.Timestamp(df["fecha"][0]) == pd.Timestamp("2026-11-09 00:30:15") and pd.isna(df["fecha"][2])
    assert df["me gusta"].tolist()[:2] == [0, 1] and pd.isna(df["me gusta"][2])
    assert df["puntaje"][0] == 0.25 and pd.isna(df["puntaje"][1]) and pd.isna(df["puntaje"][2])  # inf: no number
    assert df["propia"].tolist() == [False, True, False, True, False, True]
    assert df["sentimiento"].tolist() == ["negativo", "neutral", "negativo"] * 2


def test_text_is_never_a_formula_and_the_header_stays_in_view(tmp_path):
    from openpyxl import load_workbook

    path = _write(tmp_path / "m.xlsx", [_frame(0, 3)])
    sheet = load_workbook(path).active
    assert sheet["A3"].value == "=1+1" and sheet["A3"].data_type == "s"
    assert sheet.freeze_panes == "A2" and sheet["A1"].font.b
    assert sheet["B2"].number_format == "yyyy-mm-dd hh:mm:ss"
    with zipfile.ZipFile(path) as z:
        assert b"<f>" not in z.read("xl/worksheets/sheet1.xml")


def test_limits_excel_would_refuse_are_kept(tmp_path):
    from openpyxl import load_workbook

    wide = pd.DataFrame({f"c{i}": [f"v{i}"] for i in range(30)})
    wide["c0"] = ["x" * (MAX_TEXT + 10) + "\x07"]
    wide["c1"] = ["a\x00b\x1fc\ttab"]
    path = _write(tmp_path / "m.xlsx", [wide], title="un título muy largo para una pestaña de Excel")
    book = load_workbook(path)
    sheet = book.active
    assert len(book.sheetnames[0]) == 31
    assert len(sheet["A2"].value) == MAX_TEXT and sheet["B2"].value == "abc\ttab"
    assert sheet["AD2"].value == "v29" and column_letters(29) == "AD" and column_letters(701) == "ZZ"


def test_an_empty_export_still_opens_with_its_header(tmp_path):
    path = _write(tmp_path / "m.xlsx", [_frame(0, 3).iloc[0:0]])
    df = pd.read_excel(path, engine="openpyxl")
    assert list(df.columns)[:2] == ["texto", "fecha"] and len(df) == 0


def test_memory_holds_one_chunk(tmp_path):
    # Many chunks go straight to the zip stream: the writer keeps no rows.
    w = SheetWriter(tmp_path / "m.xlsx")
    for k in range(20):
        w.write(_frame(k * 50, 50))
    assert not any(isinstance(v, (list, pd.DataFrame)) and len(v) > 100 for v in vars(w).values())
    w.close()
    assert len(pd.read_excel(tmp_path / "m.xlsx", engine="openpyxl")) == 1000
    assert np.isnan(pd.read_excel(tmp_path / "m.xlsx", engine="openpyxl")["puntaje"][1])
