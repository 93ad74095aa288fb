"""Threats by their nearest written examples (classifiers/neighbours.py): the bank itself on
known vectors, the decision rule, and the shipped bank through the Scorer and the detector."""
from dataclasses import replace

import numpy as np
import pytest

from classifiers.neighbours import ThreatNeighbours
from classifiers.threat import decides, match
from escucha.config import Thresholds
from escucha.errors import ClassifierError


def _bank(k=3):
    rng = np.random.default_rng(0)
    a, b = np.eye(8)[0], np.eye(8)[1]
    X = np.vstack([a + rng.normal(0, 0.05, (4, 8)), b + rng.normal(0, 0.05, (4, 8))])
    labels = ["threat"] * 4 + ["not_threat"] * 4
    texts = [f"amenaza {i}" for i in range(4)] + [f"otro {i}" for i in range(4)]
    return ThreatNeighbours(k).fit(X, labels, texts), X


def test_share_counts_threats_among_the_k_nearest_and_names_the_nearest_threat():
    bank, X = _bank()
    q = np.vstack([X[2] + 0.001, np.eye(8)[1], (np.eye(8)[0] + np.eye(8)[1]) / np.sqrt(2)])
    q /= np.linalg.norm(q, axis=1, keepdims=True)
    share, nearest = bank.share(q)
    assert share[0] == 1.0 and nearest[0] == "amenaza 2"
    assert share[1] == 0.0 and nearest[1] == ""
    assert 0.0 < share[2] < 1.0 and nearest[2].startswith("amenaza")


def test_saved_bank_reads_back_the_same_and_a_broken_one_is_named(tmp_path):
    bank, X = _bank()
    bank.save(tmp_path / "b.npz")
    again = ThreatNeighbours.load(tmp_path / "b.npz")
    q = X[:3] / np.linalg.norm(X[:3], axis=1, keepdims=True)
    assert again.k == 3 and np.array_equal(again.share(q)[0], bank.share(q)[0])
    (tmp_path / "bad.npz").write_bytes(b"not a bank")
    with pytest.raises(ClassifierError, match=r"threat examples bank unreadable: .*bad\.npz"):
        ThreatNeighbours.load(tmp_path / "bad.npz")


def test_bad_shapes_are_refused_with_what_was_expected():
    with pytest.raises(ClassifierError, match="k must be a positive integer, got 0"):
        ThreatNeighbours(0)
    with pytest.raises(ClassifierError, match="one row each"):
        ThreatNeighbours(1).fit(np.zeros((3, 4)), ["threat"] * 2, ["a", "b", "c"])
    with pytest.raises(ClassifierError, match="at least k=5 examples, got 3"):
        ThreatNeighbours(5).fit(np.ones((3, 4)), ["threat"] * 3, ["a", "b", "c"])
    bank, _ = _bank()
    with pytest.raises(ClassifierError, match="vectors must have 8 dimensions .*got 4"):
        bank.share(np.ones((1, 4)))


def test_resemblance_counts_only_while_the_head_leans_that_way():
    th = Thresholds()
    text = "un texto sin patrones"
    assert match(text) == []
    assert decides(text, 0.02, th, 0.9)
    assert not decides(text, 0.005, th, 0.9)  # the head rules it out: resemblance alone is not enough
    assert not decides(text, 0.02, th, 0.6)  # under thresholds.threat_neighbours (0.7)
    assert not decides(text, 0.02, replace(th, threat_neighbours=0.99), 0.9)


def test_oblique_threats_like_the_written_ones_are_possible_threats_for_review():
    """Threats with no violent word, in es/en/fr, that no pattern matches and the head scores
    under an institution's strict ``thresholds.threat``: most of their nearest written examples
    are threats. They are flagged, naming the written threat they resemble, and reviewed at
    "high" severity instead of paging at "critical". (At the defaults the confirming threat
    model pages for these itself; here it is as strict as the head.)"""
    from alerting.detect import detect_threats
    from classifiers.scorer import Scorer
    from escucha.config import parse
    from escucha.records import Author, Mention, parse_time

    config = parse({"institution": {"name": "t"}, "thresholds": {"threat": 0.999, "threat_confirm": 0.999}}, env={})
    scorer = Scorer(config.thresholds)
    texts = ["Le vamos a mandar flores a la consejera, pero al panteón",
             "Next time the institute holds a press conference there won't be anyone left to ask questions",
             "Après dimanche, on parlera du maire au passé"]
    assert [match(t) for t in texts] == [[], [], []]
    ms = [Mention("x", str(i), t, Author("a"), parse_time("2026-11-20T10:00:00Z")) for i, t in enumerate(texts)]
    out = scorer.score(ms)
    written = set(scorer.neighbours.threat_texts_)
    for c in out:
        assert c.labels["threat"] == "threat"
        assert c.scores["threat"]["threat"] < config.thresholds.threat
        flag = next(f for f in c.flags if f.task == "threat")
        assert flag.label == "possible_threat" and "nearest written examples are threats" in flag.reason
        assert flag.evidence in written
    incidents = detect_threats(config, list(zip(ms, out)), parse_time("2026-11-20T10:05:00Z"))
    assert [i.severity for i in incidents] == ["high"] * 3
    assert all(i.explanation.startswith("Posible amenaza violenta, para revisar") for i in incidents)
