"""Reading the text files people hand to escucha (labelled CSVs, imports).

Spreadsheets save "CSV UTF-8" with a byte-order mark and "Unicode text" as UTF-16; both
are read as what they are. Anything else must be UTF-8: a byte that is not is named with
its line, rather than guessed at (a wrong guess would change the texts being scored).
"""
from __future__ import annotations

import codecs
from pathlib import Path

from escucha.errors import InputError


def read_text(path: str | Path) -> str:
    """The whole file as text: UTF-8 (a leading BOM dropped), or UTF-16 where a BOM says so."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise InputError(f"{path}: file not found") from None
    except IsADirectoryError:
        raise InputError(f"{path}: must be a file; got a directory") from None
    except OSError as exc:
        raise InputError(f"{path}: cannot be read ({exc.strerror})") from None
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        encoding, newline = "utf-16", "\n".encode("utf-16-le")
    else:
        encoding, newline = "utf-8-sig", b"\n"
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as exc:
        line = data.count(newline, 0, exc.start) + 1
        raise InputError(f"{path}:{line}: must be UTF-8 text; byte {data[exc.start]:#04x} at offset {exc.start} is "
                         f"not (save the file as UTF-8, \"CSV UTF-8\" in a spreadsheet)") from None
