"""Evasions a reader's eye does not see are undone before every signal: the same threat
with and without them gets the same decision."""
import pytest

from classifiers.textnorm import clean
from classifiers.threat import match

ZW = "\u200b"  # zero-width space
SHY = "\u00ad"  # soft hyphen
WJ = "\u2060"  # word joiner


def _evasions(word: str) -> list[str]:
    mid = len(word) // 2
    cyr = word.translate(str.maketrans("aoeicpx", "аоеісрх"))  # Cyrillic look-alikes
    k = next(i for i, c in enumerate(word) if i and c in "aeiost")  # one letter inside the word as a digit
    leet = word[:k] + "431057"["aeiost".index(word[k])] + word[k + 1:]
    full = "".join(chr(ord(c) + 0xFEE0) if "a" <= c <= "z" else c for c in word)  # full-width letters
    return [word[:mid] + ZW + word[mid:], word[:mid] + SHY + word[mid:], word[:mid] + WJ + word[mid:],
            cyr, leet, full, "\u202e" + word + "\u202c"]


@pytest.mark.parametrize("sentence,word", [
    ("Te voy a matar el domingo", "matar"),
    ("I am going to kill you tomorrow", "kill"),
    ("Je vais te buter demain", "buter"),
    ("Vamos a quemar la iglesia con todos adentro", "quemar"),
    ("We will shoot up the polling station", "shoot"),
])
def test_an_evaded_word_reads_as_the_word(sentence, word):
    for evaded in _evasions(word):
        text = sentence.replace(word, evaded)
        assert text != sentence
        assert clean(text) == sentence, (text, clean(text))
        assert match(text) == match(sentence)


@pytest.mark.parametrize("text", ["COVID19 cases rise", "the g20 summit", "Le 14 juillet à 3pm", "mp3 player",
                                  "Привет, как дела", "Ελλάδα και Κύπρος", "ABC123", "1st of May", "año 2026"])
def test_ordinary_text_is_left_as_it_is(text):
    assert clean(text) == text


def test_the_scorer_decides_the_same_with_and_without_evasions(tmp_path):
    from datetime import datetime, timezone

    from classifiers.scorer import Scorer
    from escucha.config import Thresholds
    from escucha.records import Author, Mention

    scorer = Scorer(Thresholds())
    plain = ["Te voy a matar el domingo", "I am going to kill you tomorrow", "Je vais te buter demain"]
    words = ["matar", "kill", "buter"]
    evaded = [t.replace(w, e) for t, w in zip(plain, words) for e in _evasions(w)]
    originals = [t for t, w in zip(plain, words) for _ in _evasions(w)]
    at = datetime(2026, 1, 1, tzinfo=timezone.utc)
    got = scorer.score([Mention("t", str(i), t, Author("a"), at) for i, t in enumerate(originals + evaded)])
    n = len(originals)
    for a, b in zip(got[:n], got[n:]):
        assert a.labels == b.labels
        assert [f.label for f in a.flags] == [f.label for f in b.flags]
    assert all(c.labels["threat"] == "threat" for c in got)
