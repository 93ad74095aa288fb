"""Shared helpers for the benchmarks: peak memory, the hardware, and the final JSON line."""
import json
import os
import platform
import resource
import sys


def peak_rss_mb() -> float:
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def hardware() -> dict:
    """The CPU a number was measured on, and which int8 path its matrix products take:
    VNNI (AVX-512 or AVX) multiplies int8 in one instruction; AVX2 alone emulates it,
    slower than float32 on some models."""
    model, flags = platform.processor() or "unknown", set()
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as fh:
            for line in fh:
                key, _, value = line.partition(":")
                if key.strip() == "model name":
                    model = value.strip()
                elif key.strip() == "flags":
                    flags = set(value.split())
                if model != "unknown" and flags:
                    break
    except OSError:
        pass
    path = ("avx512_vnni" if "avx512_vnni" in flags else "avx_vnni" if "avx_vnni" in flags
            else "avx2 (no VNNI)" if "avx2" in flags else "no AVX2")
    return {"cpu": model, "cores": os.cpu_count(), "int8_path": path, "int8_products": _products()}


def _products() -> str:
    """How the default encoder's int8 products run on this CPU (classifiers/int8_rows.py)."""
    try:
        from classifiers.encoders import ONNX_DIR
        from classifiers.int8_rows import fits_int16, saturates

        if not saturates():
            return "int8 (the CPU's product does not clip)"
        graph = ONNX_DIR.parent / "finetuned-e5-int8" / "encoder.onnx"
        return "int8 (7-bit weights cannot clip)" if fits_int16(graph) else "float32 on the same integers"
    except ImportError:
        return "unknown (onnxruntime missing)"


def report(name, value, unit, baseline, **extra):
    ratio = round(value / baseline, 3) if baseline else None
    line = {"name": name, "value": round(value, 2), "unit": unit, "baseline": round(baseline, 2), "ratio": ratio}
    line.update(extra)
    line["hardware"] = hardware()
    print(json.dumps(line, ensure_ascii=False))
    sys.stdout.flush()
