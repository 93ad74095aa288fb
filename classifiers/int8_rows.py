"""int8 linear layers that give every text its own scale, so texts can run in batches.

onnxruntime's ``quantize_dynamic`` scales a layer's input once per tensor: in a batch,
one text's largest activation sets the scale of all the others, and a text's vector
depends on what runs beside it. Here every row of a layer's input (one token) gets its
own scale, and every output channel of its weight its own: a token's result depends on
that token only, so a batch gives each text the vector it gets alone (to float rounding,
about 1e-7), and the graph stays closer to fp32 than per-tensor scaling does, with no
layer left in fp32 (the fine-tuned e5 needed six before).

Standard ONNX operators (QuantizeLinear per axis, Mul) and onnxruntime's
MatMulIntegerToFloat (int8 product and the weight's scale in one pass).
"""
from __future__ import annotations

import functools
from pathlib import Path

import numpy as np

QMAX = 127.0  # activations: 8 bits
# Weights: 7 bits. CPUs without VNNI multiply u8 by s8 with vpmaddubsw, which adds two
# products in int16 and clips; with weights within +-63 the worst pair is 2 x 255 x 63 =
# 32,130, under int16's 32,767, so their int8 product is exact and runs as it is instead of
# in float32 (:func:`exact_graph`). Measured against the fp32 fine-tuned e5: min cosine
# 0.989 with 7-bit weights, 0.987 with 8-bit ones (48 es/en/fr texts).
WEIGHT_MAX = 63.0
INT16_MAX = 32767


def quantize_weight(w: np.ndarray, qmax: float = WEIGHT_MAX) -> tuple[np.ndarray, np.ndarray]:
    """Symmetric int8 per output column: ``w ~= q * scale``, ``|q| <= qmax``."""
    scale = np.maximum(np.abs(w).max(axis=0), 1e-12) / qmax
    return np.clip(np.round(w / scale), -qmax, qmax).astype(np.int8), scale.astype(np.float32)


def quantize_rows(src: str | Path, dst: str | Path, weight_max: float = WEIGHT_MAX) -> int:
    """Rewrite every MatMul by a constant 2-D weight in ``src`` as int8 per row and per
    output channel; write ``dst``; return how many were rewritten."""
    import onnx
    from onnx import helper, numpy_helper

    model = onnx.load(str(src))
    graph = model.graph
    opset = next((o.version for o in model.opset_import if o.domain in ("", "ai.onnx")), 0)
    weights = {t.name: t for t in graph.initializer}
    nodes = []
    shared = [numpy_helper.from_array(np.array(1 / QMAX, np.float32), "rows/inv_qmax"),
              numpy_helper.from_array(np.array(1e-8, np.float32), "rows/eps"),
              numpy_helper.from_array(np.array(128, np.uint8), "rows/zero_point"),
              numpy_helper.from_array(np.array([0], np.int64), "rows/zero"),
              numpy_helper.from_array(np.array([-1], np.int64), "rows/last"),
              numpy_helper.from_array(np.array(1.0, np.float32), "rows/one_f")]
    if opset >= 18:
        shared.append(numpy_helper.from_array(np.array([1], np.int64), "rows/one"))
    added, done = [], 0
    for node in graph.node:
        w = weights.get(node.input[1]) if node.op_type == "MatMul" and len(node.input) == 2 else None
        if w is None or len(w.dims) != 2:
            nodes.append(node)
            continue
        q, scale = quantize_weight(numpy_helper.to_array(w).astype(np.float32), weight_max)
        k, n = q.shape
        p = f"rows/{done}/"
        added += [numpy_helper.from_array(q, p + "w"), numpy_helper.from_array(scale, p + "w_scale"),
                  numpy_helper.from_array(np.array([-1, k], np.int64), p + "rows_shape"),
                  numpy_helper.from_array(np.array([n], np.int64), p + "n")]
        x, y = node.input[0], node.output[0]
        # Activations as uint8 around 128 (symmetric): the u8 x s8 product is the fast one.
        nodes += [
            helper.make_node("Reshape", [x, p + "rows_shape"], [p + "x"]),
            helper.make_node("Abs", [p + "x"], [p + "abs"]),
            # Opset 18 moved ReduceMax's axes from an attribute to an input.
            helper.make_node("ReduceMax", [p + "abs"], [p + "amax"], axes=[1], keepdims=0) if opset < 18 else
            helper.make_node("ReduceMax", [p + "abs", "rows/one"], [p + "amax"], keepdims=0),
            helper.make_node("Max", [p + "amax", "rows/eps"], [p + "amax_eps"]),
            helper.make_node("Mul", [p + "amax_eps", "rows/inv_qmax"], [p + "x_scale"]),
            helper.make_node("Shape", [p + "x_scale"], [p + "n_rows"]),
            helper.make_node("Expand", ["rows/zero_point", p + "n_rows"], [p + "x_zero"]),
            helper.make_node("QuantizeLinear", [p + "x", p + "x_scale", p + "x_zero"], [p + "xq"], axis=0),
            # onnxruntime's MatMulIntegerToFloat takes the weight's per-column scale; its
            # input scale can only be per tensor (given a per-row one, its fusion computed
            # wrong vectors: cosine 0.6 to fp32), so the row scale is a Mul after it.
            helper.make_node("MatMulIntegerToFloat", [p + "xq", p + "w", "rows/one_f", p + "w_scale", "rows/zero_point"],
                             [p + "yw"], domain="com.microsoft"),
            helper.make_node("Unsqueeze", [p + "x_scale", "rows/last"], [p + "x_scale_col"]),
            helper.make_node("Mul", [p + "yw", p + "x_scale_col"], [p + "y2"]),
            helper.make_node("Shape", [x], [p + "in_shape"]),
            helper.make_node("Slice", [p + "in_shape", "rows/zero", "rows/last"], [p + "lead"]),
            helper.make_node("Concat", [p + "lead", p + "n"], [p + "out_shape"], axis=0),
            helper.make_node("Reshape", [p + "y2", p + "out_shape"], [y]),
        ]
        done += 1
    used = {i for n in nodes for i in n.input}
    kept = [t for t in graph.initializer if t.name in used]
    del graph.node[:]
    graph.node.extend(nodes)
    del graph.initializer[:]
    graph.initializer.extend(kept + shared + added)
    if done and not any(o.domain == "com.microsoft" for o in model.opset_import):
        model.opset_import.append(helper.make_opsetid("com.microsoft", 1))
    onnx.save(model, str(dst))
    return done


@functools.lru_cache(maxsize=1)
def saturates() -> bool:
    """Whether this CPU's int8 product saturates. x86 processors without VNNI (AMD before
    Zen 4, Intel before Cascade Lake) multiply u8 by s8 with vpmaddubsw, which adds two
    products in int16 and clips: activations near 255 against weights near 127 come out
    wrong (on such a machine the e5 vectors moved up to cosine 0.95 from the true int8
    ones). Asked of ONNX Runtime itself, with the worst case: 64 products of 127 x 127."""
    import onnxruntime as ort
    from onnx import TensorProto, helper, numpy_helper

    k = 64
    graph = helper.make_graph(
        [helper.make_node("MatMulIntegerToFloat", ["a", "w", "one", "w_scale", "zero"], ["y"], domain="com.microsoft")],
        "probe", [helper.make_tensor_value_info("a", TensorProto.UINT8, [None, k])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [None, 8])],
        [numpy_helper.from_array(np.full((k, 8), 127, np.int8), "w"),
         numpy_helper.from_array(np.array(1.0, np.float32), "one"),
         numpy_helper.from_array(np.ones(8, np.float32), "w_scale"),
         numpy_helper.from_array(np.array(128, np.uint8), "zero")])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17), helper.make_opsetid("com.microsoft", 1)])
    opts = ort.SessionOptions()
    opts.log_severity_level = 3
    got = ort.InferenceSession(model.SerializeToString(), opts, providers=["CPUExecutionProvider"]).run(
        None, {"a": np.full((4, k), 255, np.uint8)})[0]
    return not np.all(got == 127.0 * 127 * k)


def exact_graph(src: str | Path) -> bytes:
    """``src`` with every int8 product computed in float32 instead: the same integers
    (activations quantized per row as before, weights as stored), summed exactly in float32
    and scaled after, so the same vectors as the int8 product gives where it does not
    saturate, to the bit: the product decides the same on every CPU. Slower (about 0.65x on
    a 2-core AMD EPYC), used only where :func:`saturates`."""
    import onnx
    from onnx import helper, numpy_helper

    model = onnx.load(str(src))
    graph = model.graph
    weights = {t.name: t for t in graph.initializer}
    nodes, added = [], []
    for node in graph.node:
        if node.op_type != "MatMulIntegerToFloat":
            nodes.append(node)
            continue
        xq, w, x_scale, w_scale, zero = node.input
        p = node.output[0] + "/exact/"
        # The integers stay integers in float32: every product and partial sum is a whole
        # number, which float32 holds exactly under 2**24 in any order of summation (384 x 127
        # x 127 is 6.2 million; the 1536-wide layers could pass it only with most products
        # near their maximum at once), so the sum is the int32 one to the bit. The weight's scale is
        # applied after, once, as MatMulIntegerToFloat does. (Folding it into the weight first
        # rounded every product: vectors moved by float rounding, then the next layer's
        # quantization turned that into whole steps, and decisions differed by CPU.)
        q = numpy_helper.to_array(weights[w]).astype(np.float32)
        added += [numpy_helper.from_array(q, p + "w"), numpy_helper.from_array(
            numpy_helper.to_array(weights[w_scale]).astype(np.float32), p + "w_scale")]
        nodes += [helper.make_node("DequantizeLinear", [xq, x_scale, zero], [p + "x"]),
                  helper.make_node("MatMul", [p + "x", p + "w"], [p + "sum"]),
                  helper.make_node("Mul", [p + "sum", p + "w_scale"], [node.output[0]])]
    used = {i for n in nodes for i in n.input}
    kept = [t for t in graph.initializer if t.name in used]
    del graph.node[:]
    graph.node.extend(nodes)
    del graph.initializer[:]
    graph.initializer.extend(kept + added)
    return model.SerializeToString()


def _int8_weights(model):
    """(name, integers) of every int8 product's weight in ``model``."""
    from onnx import numpy_helper

    weights = {t.name: t for t in model.graph.initializer}
    return [(n.input[1], numpy_helper.to_array(weights[n.input[1]])) for n in model.graph.node
            if n.op_type == "MatMulIntegerToFloat" and n.input[1] in weights]


def fits_int16(src: str | Path) -> bool:
    """Whether no int8 product of the graph can clip on a CPU without VNNI: two products of
    an activation (at most 255 as u8) by a weight add up under int16's limit."""
    import onnx

    return all(2 * 255 * int(np.abs(q.astype(np.int32)).max(initial=0)) <= INT16_MAX
               for _, q in _int8_weights(onnx.load(str(src))))


def requantize(src: str | Path, dst: str | Path, weight_max: float = WEIGHT_MAX) -> int:
    """``src``'s int8 weights brought within ``weight_max`` (for graphs exported with 8-bit
    weights whose fp32 layers are not kept: each weight is its integer times its scale,
    quantized again); write ``dst``; return how many were rewritten."""
    import onnx
    from onnx import numpy_helper

    model = onnx.load(str(src))
    by_name = {t.name: t for t in model.graph.initializer}
    scales = {n.input[1]: n.input[3] for n in model.graph.node if n.op_type == "MatMulIntegerToFloat"}
    done = 0
    for name, q in _int8_weights(model):
        if np.abs(q.astype(np.int32)).max(initial=0) <= weight_max:
            continue
        w = q.astype(np.float32) * numpy_helper.to_array(by_name[scales[name]])
        q2, scale2 = quantize_weight(w, weight_max)
        by_name[name].CopyFrom(numpy_helper.from_array(q2, name))
        by_name[scales[name]].CopyFrom(numpy_helper.from_array(scale2, scales[name]))
        done += 1
    onnx.save(model, str(dst))
    return done


def session(path: str | Path, opts=None):
    """An ONNX Runtime session of an encoder graph; the int8 products of :func:`quantize_rows`
    are exact on every CPU: run as they are where they cannot clip (a CPU with VNNI, or 7-bit
    weights), in float32 otherwise."""
    import onnxruntime as ort

    graph = exact_graph(path) if saturates() and not fits_int16(path) else str(path)
    return ort.InferenceSession(graph, opts, providers=["CPUExecutionProvider"])
