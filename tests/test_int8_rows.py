"""int8 per token: a row's result depends on that row only, under ONNX Runtime's default
graph optimisations (which once fused a per-row scale into a per-tensor one), and it is the
same on every CPU, including those whose int8 product saturates."""
from pathlib import Path

import numpy as np
import pytest

import onnx
import onnxruntime as ort

from classifiers.int8_rows import (exact_graph, fits_int16, quantize_rows, quantize_weight, requantize, saturates,
                                   session)


def _linear_graph(path, w, opset=17):
    from onnx import TensorProto, helper, numpy_helper

    k, n = w.shape
    graph = helper.make_graph(
        [helper.make_node("MatMul", ["x", "w"], ["y"])], "linear",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["batch", "tokens", k])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, ["batch", "tokens", n])],
        [numpy_helper.from_array(w, "w")])
    onnx.save(helper.make_model(graph, opset_imports=[helper.make_opsetid("", opset)]), str(path))


def _run(path, x):
    return session(path).run(None, {"x": x})[0]


def _int8_reference(x, w, weight_max=63.0):
    """The integers the graph multiplies, in numpy: activations per row, weights per column."""
    q, w_scale = quantize_weight(w, weight_max)
    rows = x.reshape(-1, x.shape[-1])
    x_scale = np.maximum(np.abs(rows).max(axis=1), 1e-8) / 127.0
    xq = np.clip(np.round(rows / x_scale[:, None]), -127, 127)
    y = (xq.astype(np.int64) @ q.astype(np.int64)) * w_scale * x_scale[:, None]
    return y.reshape(*x.shape[:-1], w.shape[1])


def _worst_case(tmp_path, weight_max):
    """Large activations against large weights: the case a CPU without VNNI clips (two
    u8 x s8 products added in int16)."""
    rng = np.random.default_rng(3)
    w = rng.normal(0, 0.05, (256, 32)).astype(np.float32)
    w[:, 0] = 0.2  # a column at full scale: every weight at the top of its range
    _linear_graph(tmp_path / "fp32.onnx", w)
    quantize_rows(tmp_path / "fp32.onnx", tmp_path / "rows.onnx", weight_max=weight_max)
    x = np.abs(rng.normal(0, 1, (2, 4, 256))).astype(np.float32) + 2.0  # every activation near the top
    return w, x


@pytest.mark.parametrize("weight_max", [63.0, 127.0])
def test_the_product_is_the_int8_one_on_this_cpu_even_where_int8_saturates(tmp_path, weight_max):
    """8-bit weights: where the CPU clips, the graph is computed in float32 (on the same
    integers). 7-bit weights (the default): the int8 product cannot clip and runs as it is."""
    w, x = _worst_case(tmp_path, weight_max)
    want = _int8_reference(x, w, weight_max)
    got = _run(tmp_path / "rows.onnx", x)
    assert np.abs(got - want).max() <= 1e-4 * np.abs(want).max()
    plain = ort.InferenceSession(str(tmp_path / "rows.onnx"), providers=["CPUExecutionProvider"]).run(None, {"x": x})[0]
    exact = ort.InferenceSession(exact_graph(tmp_path / "rows.onnx"), providers=["CPUExecutionProvider"]).run(
        None, {"x": x})[0]
    assert np.abs(exact - want).max() <= 1e-4 * np.abs(want).max()
    clips = np.abs(plain - want).max() > 0.01 * np.abs(want).max()
    assert clips == (saturates() and weight_max > 64)
    assert fits_int16(tmp_path / "rows.onnx") == (weight_max <= 64)


def test_a_graph_with_8_bit_weights_is_brought_to_7_bits(tmp_path):
    w, x = _worst_case(tmp_path, 127.0)
    assert requantize(tmp_path / "rows.onnx", tmp_path / "rows7.onnx") == 1
    assert fits_int16(tmp_path / "rows7.onnx") and not fits_int16(tmp_path / "rows.onnx")
    got, ref = _run(tmp_path / "rows7.onnx", x), x @ w
    assert np.abs(got - ref).max() <= 0.02 * np.abs(ref).max()
    assert requantize(tmp_path / "rows7.onnx", tmp_path / "again.onnx") == 0  # 7 bits already


def test_the_float32_form_is_the_int8_result_to_the_bit(tmp_path):
    """Where int8 saturates the float32 form runs instead, and it must decide as the int8 one
    does: not nearly (a rounding moved by 1e-7 becomes a whole quantization step in the next
    layer, and a post paged on one CPU and not on another), but to the bit. Checked against
    the int8 arithmetic written out in numpy, on every CPU."""
    rng = np.random.default_rng(7)
    w = rng.normal(0, 0.05, (384, 48)).astype(np.float32)
    _linear_graph(tmp_path / "fp32.onnx", w)
    quantize_rows(tmp_path / "fp32.onnx", tmp_path / "rows.onnx")
    x = rng.normal(0, 1, (3, 5, 384)).astype(np.float32)
    exact = ort.InferenceSession(exact_graph(tmp_path / "rows.onnx"), providers=["CPUExecutionProvider"]).run(
        None, {"x": x})[0]
    q, w_scale = quantize_weight(w)
    rows = x.reshape(-1, 384)
    x_scale = np.maximum(np.abs(rows).max(axis=1), np.float32(1e-8)) * np.float32(1 / 127.0)
    xq = np.clip(np.round(rows / x_scale[:, None]), -127, 127).astype(np.int64)
    want = ((xq @ q.astype(np.int64)).astype(np.float32) * w_scale) * x_scale[:, None]
    assert np.array_equal(exact.reshape(-1, 48), want)


def test_a_real_encoder_gives_the_same_probabilities_on_either_form(monkeypatch):
    """The confirming threat model (12 layers, 72 int8 products) run natively and in the
    float32 form: where this CPU's int8 product is exact, every probability is equal."""
    import classifiers.int8_rows as rows
    from classifiers.confirm import ThreatConfirm

    if saturates():
        pytest.skip("this CPU's int8 product saturates: only the float32 form can run here")
    texts = ["te voy a matar", "el ministerio publica su informe cada jueves", "ojalá que caiga el sistema",
             "I'll be waiting outside your office with a gun", "merci pour l'information", "¿dónde voto?"] * 3
    folder = Path(rows.__file__).parent / "models" / "default" / "threat_confirm"
    native = ThreatConfirm(folder).predict_proba(texts)
    monkeypatch.setattr(rows, "saturates", lambda: True)
    exact = ThreatConfirm(folder).predict_proba(texts)
    assert np.array_equal(native, exact)


def test_each_token_gets_its_own_scale(tmp_path):
    rng = np.random.default_rng(0)
    w = rng.normal(0, 0.05, (96, 64)).astype(np.float32)
    _linear_graph(tmp_path / "fp32.onnx", w)
    assert quantize_rows(tmp_path / "fp32.onnx", tmp_path / "rows.onnx") == 1
    calm = rng.normal(0, 0.3, (1, 5, 96)).astype(np.float32)
    loud = rng.normal(0, 0.3, (1, 5, 96)).astype(np.float32)
    loud[0, :, 7] = 80.0  # one text whose activations carry an outlier channel
    both = np.concatenate([calm, loud])

    alone, batched = _run(tmp_path / "rows.onnx", calm), _run(tmp_path / "rows.onnx", both)
    exact = calm @ w
    assert np.abs(alone - exact).max() <= 0.02 * np.abs(exact).max()
    # Beside the loud text the calm one gets exactly the result it gets alone.
    assert np.array_equal(batched[:1], alone)

    # onnxruntime's per-tensor dynamic quantization, for contrast: the neighbour's outlier
    # sets the scale of the whole batch and the calm text's result degrades.
    from onnxruntime.quantization import QuantType, quantize_dynamic

    quantize_dynamic(str(tmp_path / "fp32.onnx"), str(tmp_path / "tensor.onnx"), weight_type=QuantType.QInt8,
                     per_channel=True)
    per_tensor = _run(tmp_path / "tensor.onnx", both)[:1]
    assert np.abs(per_tensor - exact).max() > 5 * np.abs(batched[:1] - exact).max()


@pytest.mark.parametrize("opset", [17, 18])
def test_graphs_of_either_reduce_max_form(tmp_path, opset):
    w = np.random.default_rng(1).normal(0, 0.05, (32, 16)).astype(np.float32)
    _linear_graph(tmp_path / "fp32.onnx", w, opset)
    quantize_rows(tmp_path / "fp32.onnx", tmp_path / "rows.onnx")
    onnx.checker.check_model(str(tmp_path / "rows.onnx"))
    x = np.random.default_rng(2).normal(0, 1, (2, 3, 32)).astype(np.float32)
    assert np.abs(_run(tmp_path / "rows.onnx", x) - x @ w).max() <= 0.02 * np.abs(x @ w).max()


def test_only_constant_two_dimensional_weights_are_rewritten(tmp_path):
    from onnx import TensorProto, helper

    # Attention's products multiply two activations: no weight to quantize, left in fp32.
    graph = helper.make_graph(
        [helper.make_node("MatMul", ["a", "b"], ["y"])], "product",
        [helper.make_tensor_value_info("a", TensorProto.FLOAT, [2, 3]),
         helper.make_tensor_value_info("b", TensorProto.FLOAT, [3, 4])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [2, 4])])
    onnx.save(helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)]), str(tmp_path / "p.onnx"))
    assert quantize_rows(tmp_path / "p.onnx", tmp_path / "q.onnx") == 0
    assert [n.op_type for n in onnx.load(str(tmp_path / "q.onnx")).graph.node] == ["MatMul"]
