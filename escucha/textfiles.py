"""Reading the text files people hand to escucha (labelled CSVs, imports).

Spreadsheets save "CSV UTF-8" with a byte-order mark and "Unicode text" as UTF-16; both
are read as what they are. Anything else must be UTF-8: a byte that is not is named with
its line, rather than guessed at (a wrong guess would change the texts being scored).
"""
from __future__ import annotations

import codecs
from pathlib import Path

from escucha.errors import InputError


def _bytes(path: Path, n: int = -1) -> bytes:
    """The file's first ``n`` bytes (all by default), or InputError saying why not."""
    try:
        with path.open("rb") as fh:
            return fh.read(n)
    except FileNotFoundError:
        raise InputError(f"{path}: file not found") from None
    except IsADirectoryError:
        raise InputError(f"{path}: must be a file; got a directory") from None
    except OSError as exc:
        raise InputError(f"{path}: cannot be read ({exc.strerror})") from None


def read_text(path: str | Path) -> str:
    """The whole file as text: UTF-8 (a leading BOM dropped), or UTF-16 where a BOM says so."""
    path = Path(path)
    data = _bytes(path)
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


def open_text(path: str | Path):
    """The file as a text stream (memory stays flat however big it is), decoded as
    :func:`read_text` decodes it; a byte that is not UTF-8 raises InputError naming its
    line when the reader reaches it."""
    path = Path(path)
    head = _bytes(path, 2)
    encoding = "utf-16" if head in (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE) else "utf-8-sig"
    return path.open(encoding=encoding, newline="")


def first_bad_byte(path: str | Path) -> str:
    """Where a file stops being UTF-8, as "LINE: byte 0xNN at offset N" (read as a stream)."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    line, offset = 1, 0
    with Path(path).open("rb") as fh:
        while chunk := fh.read(1 << 16):
            try:
                decoder.decode(chunk)
            except UnicodeDecodeError as exc:
                line += chunk.count(b"\n", 0, max(exc.start, 0))
                return f"{line}: byte {chunk[exc.start]:#04x} at offset {offset + exc.start}"
            line += chunk.count(b"\n")
            offset += len(chunk)
    return "?"
