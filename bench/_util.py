"""Shared helpers for the benchmarks: peak memory and the final JSON line."""
import json
import resource
import sys


def peak_rss_mb() -> float:
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def report(name, value, unit, baseline, **extra):
    ratio = round(value / baseline, 3) if baseline else None
    line = {"name": name, "value": round(value, 2), "unit": unit, "baseline": round(baseline, 2), "ratio": ratio}
    line.update(extra)
    print(json.dumps(line))
    sys.stdout.flush()
