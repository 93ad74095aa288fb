"""Task heads in the scikit-learn style: ``fit`` returns self, ``predict_proba`` checks fitted-ness.

A head blends two views of a text, because neither wins everywhere (see
shared/STACK.md): a logistic regression over the encoder's embedding and one
over hashed character n-grams (no vocabulary to ship). A small stacker fitted
on out-of-fold predictions combines them. Its probabilities are then calibrated on
texts the encoder never learned from (:meth:`TextHead.fit_temperature`): over a
fine-tuned encoder, out-of-fold is not enough, since the encoder itself was trained
on those texts' labels and is surer of them than of new ones.
Learned state is plain numpy arrays, saved as ``.npz``: nothing is unpickled.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np

from escucha.errors import ClassifierError, NotFitted

N_HASH = 2**17


def _vectorizer():
    from sklearn.feature_extraction.text import HashingVectorizer

    return HashingVectorizer(analyzer="char_wb", ngram_range=(2, 5), n_features=N_HASH, alternate_sign=False,
                             norm="l2", lowercase=True, dtype=np.float32)


def hash_texts(texts: list[str]):
    """The hashed character n-grams every head shares."""
    return _vectorizer().transform(texts)


def _logits(coef: np.ndarray, intercept: np.ndarray, X) -> np.ndarray:
    return np.asarray(X @ coef.T + intercept, dtype=np.float64)


def _proba(coef: np.ndarray, intercept: np.ndarray, X) -> np.ndarray:
    return _softmax(_logits(coef, intercept, X))


def _softmax(z: np.ndarray) -> np.ndarray:
    if z.shape[1] == 1:  # binary logistic regression keeps one row
        p1 = 1.0 / (1.0 + np.exp(-z[:, 0]))
        return np.column_stack([1 - p1, p1])
    z -= z.max(axis=1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=1, keepdims=True)


def _lr(C: float, weight: str | None):
    from sklearn.linear_model import LogisticRegression

    return LogisticRegression(C=C, class_weight=weight, max_iter=2000)


class TextHead:
    """One task's classifier over (embeddings, texts).

    Parameters
    ----------
    task : str
        Task name, e.g. ``"sentiment"``.
    C_emb, C_hash : float
        Inverse regularisation of the two logistic regressions.
    class_weight : str or None
        ``"balanced"`` weights classes by inverse frequency.
    """

    def __init__(self, task: str = "", C_emb: float = 2.0, C_hash: float = 4.0, class_weight: str | None = "balanced",
                 use_hash: bool = True):
        self.task = task
        self.C_emb = C_emb
        self.C_hash = C_hash
        self.class_weight = class_weight
        self.use_hash = use_hash

    def get_params(self) -> dict:
        return {"task": self.task, "C_emb": self.C_emb, "C_hash": self.C_hash, "class_weight": self.class_weight,
                "use_hash": self.use_hash}

    def _check_fitted(self):
        if not hasattr(self, "classes_"):
            raise NotFitted(f"head {self.task!r} is not fitted; call fit() or load() first")

    def _views(self, X_emb, texts, hashed=None):
        views = [X_emb]
        if self.use_hash:
            views.append(hashed if hashed is not None else hash_texts(texts))
        return views

    def fit(self, X_emb: np.ndarray, texts: list[str], y: list[str], sample_weight=None) -> "TextHead":
        """``sample_weight`` (one per text, optional) lets a few hand-written examples weigh
        as much as many composed ones."""
        from sklearn.model_selection import StratifiedKFold

        X_emb = np.asarray(X_emb, dtype=np.float32)
        if X_emb.ndim != 2 or len(X_emb) != len(texts) or len(texts) != len(y):
            raise ClassifierError(f"head {self.task!r}: X_emb, texts and y must have the same length; got "
                                  f"{len(X_emb)}, {len(texts)}, {len(y)}")
        classes = sorted(set(y))
        if len(classes) < 2:
            raise ClassifierError(f"head {self.task!r}: y must hold at least 2 classes; got {classes}")
        y_idx = np.array([classes.index(v) for v in y])
        w, cw = None, self.class_weight
        if sample_weight is not None:
            w = np.asarray(sample_weight, dtype=np.float64)
            if w.shape != (len(y),) or not np.all(np.isfinite(w)) or (w <= 0).any():
                raise ClassifierError(f"head {self.task!r}: sample_weight must hold {len(y)} finite weights > 0; "
                                      f"got shape {w.shape}")
            if cw == "balanced":
                # scikit-learn's "balanced" counts texts; here a class weighs what its texts weigh,
                # or up-weighted threats would tip the whole head toward the threat class.
                w = w * (w.sum() / (len(classes) * np.bincount(y_idx, weights=w, minlength=len(classes))))[y_idx]
                cw = None
        views = self._views(X_emb, texts)
        Cs = [self.C_emb, self.C_hash]
        # Out-of-fold probabilities of each view train the stacker without leaking.
        oof = [np.zeros((len(y), len(classes))) for _ in views]
        for tr, te in StratifiedKFold(3, shuffle=True, random_state=0).split(X_emb, y_idx):
            for v, (X, C) in enumerate(zip(views, Cs)):
                m = _lr(C, cw).fit(X[tr], y_idx[tr], sample_weight=None if w is None else w[tr])
                oof[v][te] = m.predict_proba(X[te])
        self.view_coef_, self.view_intercept_ = [], []
        for X, C in zip(views, Cs):
            m = _lr(C, cw).fit(X, y_idx, sample_weight=w)
            self.view_coef_.append(m.coef_.astype(np.float32))
            self.view_intercept_.append(m.intercept_.astype(np.float32))
        # The weights shape what each view learns; the stacker, which calibrates them, sees every
        # text once: weighted too, it paged more on the threat suites at the same recall (README).
        stack = _lr(1.0, self.class_weight).fit(self._stack_features(oof), y_idx)
        self.stack_coef_, self.stack_intercept_ = stack.coef_, stack.intercept_
        self.classes_ = np.array(classes)
        self.temperature_ = 1.0
        return self

    def fit_temperature(self, X_emb: np.ndarray, texts: list[str], y: list[str]) -> "TextHead":
        """Divide the stacker's logits by the one temperature that gives ``y`` the highest
        likelihood (Guo et al., 2017): the probabilities move, their order does not, so the
        most probable class of every text stays what it was. ``X_emb, texts, y`` must be
        texts neither the head nor its encoder learned from (a validation split)."""
        from scipy.optimize import minimize_scalar

        self._check_fitted()
        classes = [str(c) for c in self.classes_]
        unknown = sorted(set(y) - set(classes))
        if unknown or len(y) != len(texts):
            raise ClassifierError(f"head {self.task!r}: y must hold one of {classes} per text; got "
                                  f"{unknown or f'{len(y)} labels for {len(texts)} texts'}")
        z = self._stack_logits(X_emb, texts)
        y_idx = np.array([classes.index(v) for v in y])

        def nll(log_t):
            return -np.log(np.clip(_softmax(z / np.exp(log_t))[np.arange(len(y_idx)), y_idx], 1e-12, 1)).mean()

        self.temperature_ = float(np.exp(minimize_scalar(nll, bounds=(-3, 3), method="bounded").x))
        return self

    @staticmethod
    def _stack_features(probas):
        return np.hstack([np.log(np.clip(p, 1e-6, 1)) for p in probas])

    def _stack_logits(self, X_emb, texts, hashed=None) -> np.ndarray:
        self._check_fitted()
        views = self._views(np.asarray(X_emb, dtype=np.float32), texts, hashed)
        probas = [_proba(c, b, X) for c, b, X in zip(self.view_coef_, self.view_intercept_, views)]
        return _logits(self.stack_coef_, self.stack_intercept_, self._stack_features(probas))

    def predict_proba(self, X_emb: np.ndarray, texts: list[str], hashed=None) -> np.ndarray:
        """Class probabilities; ``hashed`` (from :func:`hash_texts`) spares re-hashing for each head."""
        return _softmax(self._stack_logits(X_emb, texts, hashed) / self.temperature_)

    def predict(self, X_emb, texts) -> np.ndarray:
        return self.classes_[self.predict_proba(X_emb, texts).argmax(axis=1)]

    def top_words(self, text: str, label_index: int, k: int = 3) -> list[str]:
        """The words whose character n-grams weigh most toward ``label_index``: an explanation."""
        self._check_fitted()
        if not self.use_hash:
            return []
        coef = self.view_coef_[1]
        row = coef[0] * (1 if label_index == 1 else -1) if coef.shape[0] == 1 else coef[label_index]
        vec = _vectorizer()
        words = {w.strip(".,;:!?¡¿\"'()") for w in text.split()}
        scored = []
        for w in words:
            if len(w) < 3:
                continue
            x = vec.transform([w])
            scored.append((float(np.asarray(x @ row).ravel()[0]), w))
        return [w for s, w in sorted(scored, reverse=True)[:k] if s > 0]

    def save(self, path: str | Path) -> None:
        self._check_fitted()
        arrays = {"classes": self.classes_, "stack_coef": self.stack_coef_, "stack_intercept": self.stack_intercept_,
                  "temperature": np.array(self.temperature_)}
        for i, (c, b) in enumerate(zip(self.view_coef_, self.view_intercept_)):
            arrays[f"coef{i}"], arrays[f"intercept{i}"] = c.astype(np.float16 if i else np.float32), b
        with open(path, "wb") as f:  # a file, so numpy writes to the path as given (it would append .npz)
            np.savez_compressed(f, **arrays, params=np.array([repr(self.get_params())]))

    @classmethod
    def load(cls, path: str | Path) -> "TextHead":
        import ast

        path = Path(path)
        try:
            data = np.load(path, allow_pickle=False)
            params = ast.literal_eval(str(data["params"][0]))
            head = cls(**params)
            n = sum(1 for k in data.files if k.startswith("coef"))
            head.view_coef_ = [data[f"coef{i}"].astype(np.float32) for i in range(n)]
            head.view_intercept_ = [data[f"intercept{i}"] for i in range(n)]
            head.stack_coef_, head.stack_intercept_ = data["stack_coef"], data["stack_intercept"]
            head.classes_ = data["classes"]
            # Heads saved before calibration have none: their probabilities stay as they were.
            head.temperature_ = float(data["temperature"]) if "temperature" in data.files else 1.0
        except FileNotFoundError:
            raise ClassifierError(f"model artifact missing: {path}; rebuild it with `escucha train`") from None
        except Exception as exc:  # a truncated or foreign file: say which and how to fix it
            raise ClassifierError(f"model artifact corrupt: {path} ({type(exc).__name__}); "
                                  f"rebuild it with `escucha train`") from None
        return head
