"""Contract suites per seam: what any implementation, built-in or plugin, must do.

* a classifier head (scikit-learn's rules): ``fit`` returns self, an unfitted head says
  so, probabilities are one row per text summing to 1, ``save``/``load`` give the same;
* a channel URL: it opens or is refused, and is printed masked, whatever it holds;
* a collector (every ``escucha.collectors`` entry point): a Collector subclass with a
  name, whose ``collect`` returns a CollectResult, and which refuses to work without
  its credential instead of collecting nothing quietly;
* a detector: every detector returns incidents with a key, a kind, a known severity and
  evidence that is among the mentions it was given.
(The store's contract is tests/test_store.py, on every backend.)
"""
from datetime import timedelta

import numpy as np
import pytest

from escucha import registry
from escucha.errors import NotFitted
from escucha.records import SEVERITY_ORDER

from .conftest import utc

# -- classifier head -------------------------------------------------------------


def _toy():
    rng = np.random.default_rng(0)
    texts = [f"buen servicio {i}" for i in range(20)] + [f"pésimo servicio {i}" for i in range(20)]
    X = np.vstack([rng.normal(1, 0.3, (20, 8)), rng.normal(-1, 0.3, (20, 8))]).astype(np.float32)
    return X, texts, ["positive"] * 20 + ["negative"] * 20


def test_a_head_fits_as_scikit_learn_estimators_do(tmp_path):
    from classifiers.head import TextHead

    X, texts, y = _toy()
    head = TextHead(task="sentiment")
    with pytest.raises(NotFitted, match="not fitted"):
        head.predict_proba(X, texts)
    assert head.fit(X, texts, y) is head
    proba = head.predict_proba(X, texts)
    assert proba.shape == (40, 2) and np.allclose(proba.sum(axis=1), 1.0) and (proba >= 0).all()
    assert set(head.predict(X, texts)) <= set(head.classes_)
    head.save(tmp_path / "h")  # the path as given, no suffix added
    again = type(head).load(tmp_path / "h")
    # The extra views' weights are kept in float16: the same decisions, probabilities to 1e-3.
    assert (again.predict(X, texts) == head.predict(X, texts)).all()
    assert np.allclose(again.predict_proba(X, texts), proba, atol=1e-3)


# -- channel URLs ----------------------------------------------------------------

SECRETS = ["S3cr3tPass", "T0K3Nvalue", "hookpath42"]


@pytest.mark.parametrize("url", [
    "mailtos://user:S3cr3tPass@smtp.example.org?to=ana@example.org",
    "tgram://123456:T0K3Nvalue/987654",
    "json://hooks.example.org/hookpath42",
    "slack://T0K3Nvalue/B0000/hookpath42",
    "not a url at all S3cr3tPass",
    "mailto://",
])
def test_a_channel_url_is_printed_masked_whatever_it_holds(url):
    channel = registry.load("channels", "apprise")(url)
    shown = channel.masked
    assert shown and not any(s in shown for s in SECRETS), shown


def test_a_broken_channel_url_is_an_outcome_not_an_exception():
    out = registry.load("channels", "apprise")("nosuchscheme://x").send("t", "b")
    assert out.ok is False and out.detail


# -- collectors ------------------------------------------------------------------


@pytest.mark.parametrize("name", registry.names("collectors"))
def test_every_collector_keeps_the_seams_contract(name, config, store, monkeypatch):
    from collectors.base import CollectResult, Collector

    cls = registry.load("collectors", name)
    assert issubclass(cls, Collector) and cls.name == name
    for var in ("ESCUCHA_X_BEARER_TOKEN", "ESCUCHA_BLUESKY_PASSWORD", "ESCUCHA_MASTODON_TOKEN"):
        monkeypatch.delenv(var, raising=False)
    try:
        res = cls(config, store).collect()
    except Exception as exc:  # a file import without a path must say so, by name
        from escucha.errors import EscuchaError

        assert isinstance(exc, EscuchaError) and str(exc), (name, exc)
        return
    assert isinstance(res, CollectResult)
    ours = [a for a in config.accounts if a.platform == name]
    # Without its credential a platform collector says which account it could not read.
    assert not ours or set(res.failed) >= {a.key for a in ours}, (name, res)


# -- detectors -------------------------------------------------------------------


def test_every_detector_returns_well_formed_incidents(config):
    from alerting.detect import DETECTORS
    from escucha.records import Author, Classification, Flag, Mention

    t0 = utc(2026, 11, 10, 12)
    items = []
    for i in range(30):  # a burst of negative posts, a threat, a claim repeated by several authors
        m = Mention("x", str(i), "el instituto destruyó boletas en Oaxaca" if i % 3 == 0 else f"queja {i}",
                    Author(f"u{i % 7}", followers=100 * i), t0 + timedelta(minutes=i), accounts=("x:@IEN_Oficial",))
        labels = {"sentiment": "negative", "threat": "threat" if i == 5 else "not_threat",
                  "misinformation": "fake" if i % 3 == 0 else "real", "offensive": "not_offensive",
                  "hate": "not_hate"}
        flags = (Flag("threat", "threat", 0.9, "model", ""),) if i == 5 else ()
        items.append((m, Classification(m.id, "v", {}, labels, flags)))
    given = {m.id for m, _ in items}
    for name, detect in DETECTORS.items():
        for inc in detect(config, items, t0 + timedelta(hours=1)):
            assert inc.key and inc.kind and inc.severity in SEVERITY_ORDER, (name, inc)
            assert inc.title and inc.explanation, (name, inc)
            assert inc.evidence and set(inc.evidence) <= given, (name, inc)
