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
    return {"cpu": model, "cores": os.cpu_count(), "int8_path": path}


def report(name, value, unit, baseline, **extra):
    ratio = round(value / baseline, 3) if baseline else None
    line = {"name": name, "value": round(value, 2), "unit": unit, "baseline": round(baseline, 2), "ratio": ratio}
    line.update(extra)
    line["hardware"] = hardware()
    print(json.dumps(line, ensure_ascii=False))
    sys.stdout.flush()
