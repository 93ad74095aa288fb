"""The int8 graphs on a CPU without VNNI, for real: these tests run Python under QEMU's
user-mode emulation of a Haswell (AVX2, no AVX-512, no VNNI), where ONNX Runtime picks
the AVX2 kernels whose u8 x s8 product adds two products in int16 and clips. There the
shipped graphs must give the vectors they give here (issue #31: the same vectors on
every CPU, and the int8 product itself wherever it cannot clip)."""
import json
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parent.parent
QEMU = shutil.which("qemu-x86_64")
pytestmark = pytest.mark.skipif(QEMU is None, reason="needs qemu-user (tests/system-deps.sh installs it)")

TEXTS = ["La casilla 14 abrió tarde y nadie explicó nada", "I'll be waiting outside your office with a gun",
         "Ils ont truqué le vote, partagez avant qu'ils effacent", "merci pour l'information"]

_ENCODE = """
import json, sys
from pathlib import Path
from classifiers import int8_rows
from classifiers.confirm import ThreatConfirm
from classifiers.encoders import OnnxEncoder
texts = json.loads(sys.argv[1])
models = Path("classifiers/models")
out = {"saturates": int8_rows.saturates(),
       "runs_as_is": {d: int8_rows.fits_int16(models / d / "encoder.onnx")
                      for d in ("finetuned-e5-int8", "e5-small-int8", "default/threat_confirm")},
       "finetuned": OnnxEncoder(models / "finetuned-e5-int8").encode(texts).tolist(),
       "plain": OnnxEncoder(models / "e5-small-int8").encode(texts).tolist(),
       "confirm": ThreatConfirm(models / "default" / "threat_confirm").predict_proba(texts).tolist()}
print(json.dumps(out))
"""


def _run(cpu):
    cmd = [sys.executable, "-c", _ENCODE, json.dumps(TEXTS)]
    if cpu:
        cmd = [QEMU, "-cpu", cpu, *cmd]
    r = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=900)
    assert r.returncode == 0, r.stderr[-2000:]
    return json.loads(r.stdout.strip().splitlines()[-1])


@pytest.fixture(scope="module")
def both():
    return _run(None), _run("Haswell")


def test_the_emulated_cpu_clips_where_this_one_may_not(both):
    _, haswell = both
    assert haswell["saturates"], "the emulated Haswell must run the clipping AVX2 kernel, or these tests prove nothing"


def test_the_encoders_run_their_int8_product_as_it_is_and_give_the_same_vectors(both):
    host, haswell = both
    assert haswell["runs_as_is"]["finetuned-e5-int8"] and haswell["runs_as_is"]["e5-small-int8"]
    for name in ("finetuned", "plain"):
        a, b = np.array(host[name]), np.array(haswell[name])
        # The int8 sums are equal; the float kernels around them (layer norm, softmax, GELU)
        # are AVX2 there and AVX-512 here, and a rounding apart can move one token's
        # activation across a step of the next quantization: measured up to 6e-5 on these
        # unit vectors (0 on most coordinates), where a clipped product moved them to cosine 0.95.
        assert (a * b).sum(axis=1).min() > 0.99999 and np.abs(a - b).max() < 5e-4, name


def test_a_graph_with_8_bit_weights_runs_in_float32_there_and_decides_the_same(both):
    host, haswell = both
    assert not haswell["runs_as_is"]["default/threat_confirm"]
    assert np.abs(np.array(host["confirm"]) - np.array(haswell["confirm"])).max() < 1e-5
