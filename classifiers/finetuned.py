"""Inference with the fine-tuned e5 (``lab/finetune.py``) in production: the int8 export
(``escucha model export-onnx --tuned``) through ONNX Runtime, no torch. The same model
through torch, as trained, is the lab's (``lab/finetuned_torch.py``).
"""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from escucha.errors import ClassifierError

DEFAULT_DIR = Path(__file__).parent / "models" / "finetuned-e5"
ONNX_DIR = Path(__file__).parent / "models" / "finetuned-e5-int8"


def _softmax(z: np.ndarray) -> np.ndarray:
    e = np.exp(z - z.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


class _Predict:
    classes: dict

    def predict(self, task: str, texts: list[str]) -> list[str]:
        if task not in self.classes:
            raise ClassifierError(f"task must be one of {', '.join(self.classes)}; got {task!r}")
        p = self.predict_proba(texts)[task]
        return [self.classes[task][i] for i in p.argmax(axis=1)]


class FinetunedOnnx(_Predict):
    """The fine-tuned encoder in int8 (``encoder.onnx``) and its heads (``heads.npz``)."""

    def __init__(self, folder: str | Path = ONNX_DIR):
        from classifiers.encoders import OnnxEncoder

        self.folder = Path(folder)
        rebuild = (f"rebuild it with `escucha model export-onnx --tuned {DEFAULT_DIR} --out {self.folder}`")
        for name in ("finetune.json", "heads.npz", "encoder.onnx"):
            if not (self.folder / name).exists():
                raise ClassifierError(f"fine-tuned model missing: {self.folder / name}; {rebuild}")
        self.classes = json.loads((self.folder / "finetune.json").read_text())["classes"]
        heads = np.load(self.folder / "heads.npz")
        self.heads = {t: (heads[f"{t}.weight"], heads[f"{t}.bias"]) for t in self.classes}
        self.encoder = OnnxEncoder(self.folder)

    def predict_proba(self, texts: list[str]) -> dict[str, np.ndarray]:
        pooled = self.encoder.pooled(texts)
        return {t: _softmax(pooled @ w.T + b) for t, (w, b) in self.heads.items()}
