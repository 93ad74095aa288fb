"""Calibrated probabilities: the reliability measure, the temperature a head learns, and the
shipped heads calibrated through the command that does it."""
import json
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from classifiers.head import TextHead
from lab.metrics import calibration
from escucha.errors import ClassifierError

MODELS = Path(__file__).resolve().parent.parent / "classifiers" / "models"


def test_ece_and_brier_read_what_they_should():
    # Of ten texts given 0.8, eight are right: calibrated.
    c = calibration(["a"] * 8 + ["b"] * 2, [{"a": 0.8, "b": 0.2}] * 10)
    assert c["ece"] == 0.0 and c["brier"] == pytest.approx((8 * 0.08 + 2 * 1.28) / 10)
    assert c["bins"] == [{"from": 0.8, "to": 0.9, "n": 10, "confidence": 0.8, "accuracy": 0.8}]
    # Sure at 0.99 and right half the time.
    c = calibration(["a", "b"] * 5, [{"a": 0.99, "b": 0.01}] * 10)
    assert c["ece"] == pytest.approx(0.49) and c["bins"][-1]["n"] == 10
    with pytest.raises(ValueError, match="one row per label; got 3 rows for 2 labels"):
        calibration(["a", "b"], [{"a": 1.0}] * 3)


def _noisy(n, seed):
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 2, n)
    X = (rng.normal(0, 1, (n, 4)) + np.outer(2 * y - 1, [0.6, 0, 0, 0])).astype(np.float32)
    return X, [f"t{i}" for i in range(n)], ["pos" if v else "neg" for v in y]


def test_a_head_too_sure_of_itself_learns_a_temperature_that_keeps_every_order(tmp_path):
    X, texts, y = _noisy(600, 0)
    head = TextHead("sentiment", use_hash=False).fit(X, texts, y)
    # What a head over an encoder that was trained on its texts' labels looks like: surer than right.
    head.stack_coef_ = head.stack_coef_ * 4
    Xv, tv, yv = _noisy(600, 1)

    def ece(h):
        return calibration(yv, [dict(zip(h.classes_, r)) for r in h.predict_proba(Xv, tv)])["ece"]

    before, p_before = ece(head), head.predict_proba(Xv, tv)[:, 1]
    assert head.fit_temperature(Xv, tv, yv) is head
    assert head.temperature_ > 2 and ece(head) < before / 2
    p_after = head.predict_proba(Xv, tv)[:, 1]
    assert np.array_equal(np.argsort(p_before, kind="stable"), np.argsort(p_after, kind="stable"))
    assert ((p_before >= 0.5) == (p_after >= 0.5)).all()  # the most probable class never moves
    head.save(tmp_path / "h.npz")
    assert TextHead.load(tmp_path / "h.npz").temperature_ == pytest.approx(head.temperature_)
    # A head saved before calibration existed keeps its probabilities as they were.
    data = dict(np.load(tmp_path / "h.npz"))
    del data["temperature"]
    np.savez(tmp_path / "old.npz", **data)
    assert TextHead.load(tmp_path / "old.npz").temperature_ == 1.0
    with pytest.raises(ClassifierError, match=r"y must hold one of \['neg', 'pos'\] per text; got \['maybe'\]"):
        head.fit_temperature(Xv[:2], tv[:2], ["pos", "maybe"])


def test_the_shipped_heads_are_calibrated_and_the_command_reproduces_it(tmp_path):
    shipped = json.loads((MODELS / "default" / "manifest.json").read_text(encoding="utf-8"))
    cal = shipped["calibration"]
    assert set(cal) == {"sentiment", "offensive", "hate", "misinformation"} and "threat" not in cal
    for task, c in cal.items():
        assert c["ece_after_cross_fitted"] < c["ece_before"], task
        assert TextHead.load(MODELS / "default" / f"{task}.npz").temperature_ == pytest.approx(c["temperature"],
                                                                                               abs=1e-4)
    copy = tmp_path / "model"
    shutil.copytree(MODELS / "default", copy)
    r = subprocess.run([sys.executable, "-m", "escucha.cli", "model", "calibrate", "--model-dir", str(copy),
                        "--task", "sentiment"], capture_output=True, text=True, timeout=600)
    assert r.returncode == 0, r.stderr
    assert "sentiment: temperature" in r.stderr and "(halves, cross-fitted)" in r.stderr
    again = json.loads((copy / "manifest.json").read_text(encoding="utf-8"))
    assert again["calibration"]["sentiment"]["temperature"] == pytest.approx(cal["sentiment"]["temperature"],
                                                                             abs=0.02)
    r = subprocess.run([sys.executable, "-m", "escucha.cli", "model", "calibrate", "--model-dir",
                        str(tmp_path / "nothing")], capture_output=True, text=True, timeout=60)
    assert r.returncode != 0 and "no manifest.json" in r.stderr and "Traceback" not in r.stderr
