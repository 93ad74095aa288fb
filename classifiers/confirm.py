"""The confirming threat model: e5 fine-tuned for the threat task alone, a second opinion
beside the threat head.

The head is a linear model over a mean-pooled vector: it learns which words threats use,
and flags their harmless twins, which use the same words ("the rounds I've got aren't
small" and "the count just killed it"). An encoder fine-tuned on the threat task reads
the sentence itself: on three suites it was never trained on it flagged a fifth as many
twins as the head, at a somewhat lower recall. So its vote decides what pages (critical),
and what only the head or the written-examples vote flags is reviewed (high): nothing
either model sees is dropped. Built by ``python -m lab.finetune --tasks threat --train-from 8`` and
``escucha model export-onnx --tuned``; it sits beside the heads it confirms
(``threat_confirm/`` in the model folder) and runs only on the texts the head does not
rule out.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np

from classifiers.encoders import text_key
from classifiers.finetuned import FinetunedOnnx
from escucha.errors import ClassifierError

REBUILD = ("python -m lab.finetune --base models/e5-small --out models/threat-tuned --tasks threat "
           "--train-from 8 --epochs 2 --batch 32 --max-len 64, then escucha model export-onnx --tuned "
           "models/threat-tuned --out {folder}")


class ThreatConfirm:
    """``predict_proba(texts)``: the fine-tuned threat model's P(threat) per text."""

    def __init__(self, folder: str | Path):
        self.folder = Path(folder)
        try:
            self.model = FinetunedOnnx(self.folder)
        except ClassifierError as exc:
            raise ClassifierError(f"confirming threat model: {exc}; rebuild it: {REBUILD.format(folder=self.folder)}") \
                from None
        if "threat" not in self.model.classes:
            raise ClassifierError(f"confirming threat model {self.folder} has no threat head (tasks: "
                                  f"{', '.join(self.model.classes)}); rebuild it: {REBUILD.format(folder=self.folder)}")
        self._col = self.model.classes["threat"].index("threat")
        self._seen: dict[str, float] = {}  # reposts and repeated texts are scored once, as by the encoders

    def predict_proba(self, texts: list[str]) -> np.ndarray:
        keys = [text_key(t) for t in texts]
        todo = list({k: t for k, t in zip(keys, texts) if k not in self._seen}.items())
        if todo:
            got = self.model.predict_proba([t for _, t in todo])["threat"][:, self._col]
            self._seen.update((k, float(v)) for (k, _), v in zip(todo, got))
        return np.array([self._seen[k] for k in keys], dtype=np.float64)
