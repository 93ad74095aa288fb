"""The product's threat decision: patterns and the threat head of the shipped model together,
through the Scorer that classifies every mention (real ONNX encoder, real heads)."""
import csv
from pathlib import Path

import pytest

from lab import datasets as D
from classifiers.scorer import Scorer
from classifiers.threat import match
from escucha.config import Thresholds
from escucha.records import Author, Mention, parse_time

DATA = Path(__file__).resolve().parent.parent / "lab" / "data" / "threat_suites"


@pytest.fixture(scope="module")
def scorer():
    return Scorer(Thresholds())


def labels(scorer, texts):
    mentions = [Mention(platform="x", native_id=str(i), text=t, author=Author(id="a", handle="a"),
                        created_at=parse_time("2026-11-20T10:00:00Z")) for i, t in enumerate(texts)]
    out = scorer.score(mentions)
    return [c.labels["threat"] for c in out], out


def suite(name):
    rows = list(csv.DictReader((DATA / name).open(encoding="utf-8")))
    return [r["text"] for r in rows], [r["label"] for r in rows]


def test_held_out_suite_recall_and_false_alarms(scorer):
    """Suite 20 is a threat suite the shipped head was not trained on (judged: recall 0.90,
    11/30 false alarms, 7 of them paging; the layer before: 0.67, 5/30, none paging; with
    complaints in the corpus, 0.97, 8/30, 6 paging on an AVX-512 VNNI CPU; with the
    confirming model deciding what pages, 1.00, 8/30, 1 paging).
    This guards that; the judged suites 5-19 are training data, so a check on them would
    test memory, not generalisation. False alarms that page (critical) are counted apart
    from possible threats (reviewed at high)."""
    texts, truth = suite("threat_suite_blind16.csv")
    pred, out = labels(scorer, texts)
    threats = [p for p, y in zip(pred, truth) if y == "threat"]
    others = [c for c, y in zip(out, truth) if y != "threat" and c.labels["threat"] == "threat"]
    paging = [c for c in others if next(f for f in c.flags if f.task == "threat").label == "threat"]
    assert threats.count("threat") / len(threats) >= 0.9
    assert len(paging) <= 3  # 6 before the confirming model decided what pages
    assert len(others) <= 12


def test_threats_the_patterns_do_not_read_are_the_models(scorer):
    """The patterns name places and events, never people (issue #26): the written examples'
    and the development suite's threats against officials that only a list of officials
    matched rest on the models now. These texts are training data of the head, so this guards
    against a regression; it does not measure generalisation (lab.threat_report does)."""
    from lab.training import suite_file

    examples = Path(__file__).resolve().parent.parent / "classifiers" / "data" / "threat_examples.csv"
    threats = [r["text"] for f in (examples, suite_file("threat_suite_dev.csv"))
               for r in csv.DictReader(f.open(encoding="utf-8")) if r["label"] == "threat"]
    unread = [t for t in threats if not match(t)]
    pred, _ = labels(scorer, unread)
    assert len(threats) > 100 and unread
    assert [t for t, p in zip(unread, pred) if p != "threat"] == []


def test_the_confirming_model_decides_what_pages(scorer):
    """Where a confirming threat model ships (classifiers/confirm.py), it decides what pages:
    what only the head flags is reviewed, and what it flags pages although the head is low."""
    assert scorer.confirm is not None
    texts = ["Le bureau de vote de mon quartier a changé d'adresse sans prévenir personne",  # the head's word error
             "Gonna teach the commissioner a lesson he won't survive"]
    p, _, q = scorer.threat_signals(texts)
    _, out = labels(scorer, texts)
    flags = [next(f for f in c.flags if f.task == "threat") for c in out]
    assert p[0] >= 0.5 > q[0] and flags[0].label == "possible_threat" and "for review" in flags[0].reason
    assert q[1] >= 0.5 and flags[1].label == "threat" and "confirming threat model" in flags[1].reason


def test_a_pattern_the_threat_model_rules_out_is_reviewed_not_paged(scorer):
    """Patterns read violent words and forms; most of what they match in ordinary posts is a
    figure of speech or news the head gives almost nothing (15 of the 24 ordinary validation
    tweets that paged). Such a match stays a threat, reviewed (high), while a pattern the head
    does not rule out pages; with the floor at 0 every pattern pages, as before it existed."""
    from alerting.detect import pages

    texts = ["Zinc and quinine will kill covid in two days, drink tonic water",
             "Mi equipo favorito perdió otra vez, normal que me maten de los nervios cada domingo",
             "El sábado va a haber sangre en la catedral"]
    assert all(match(t) for t in texts)
    p = scorer.threat_proba(texts)
    assert max(p[:2]) < scorer.thresholds.threat_pattern_min_score <= p[2]
    pred, out = labels(scorer, texts)
    assert pred == ["threat"] * 3  # flagged all the same: nothing a pattern sees is dropped
    flags = [next(f for f in c.flags if f.task == "threat") for c in out]
    assert [f.label for f in flags] == ["possible_threat", "possible_threat", "threat"]
    assert "en.direct" in flags[0].reason and "for review" in flags[0].reason and flags[0].evidence == "en.direct"
    assert [pages(c) for c in out] == [False, False, True]
    every = Scorer(Thresholds(threat_pattern_min_score=0.0))
    assert [pages(c) for c in labels(every, texts)[1]] == [True, True, True]


def test_a_death_threat_addressed_to_someone_pages_whatever_the_head_says(scorer):
    """The head learned "te voy a matar" among insults from offensive tweets, where it is
    mostly banter, and gives this one almost nothing; said to an institution it is the threat
    itself, so kill_you pages alone (threat.PAGES_ALONE)."""
    from alerting.detect import pages

    text = "Te voy a matar pinche vendido asqueroso, mejor ni pises la oficina"
    assert "kill_you" in match(text)
    assert scorer.threat_proba([text])[0] < scorer.thresholds.threat_pattern_min_score
    _, out = labels(scorer, [text])
    flag = next(f for f in out[0].flags if f.task == "threat")
    assert flag.label == "threat" and "kill_you" in flag.reason and pages(out[0])


def test_a_broken_confirming_model_is_named_with_its_rebuild_command(tmp_path):
    import shutil

    from escucha.errors import ClassifierError

    model = tmp_path / "model"
    shutil.copytree(Path(__file__).resolve().parent.parent / "classifiers" / "models" / "default", model)
    (model / "threat_confirm" / "heads.npz").unlink()
    with pytest.raises(ClassifierError, match=r"confirming threat model: .*threat_confirm/heads.npz.*--tasks threat"):
        Scorer(Thresholds(), model_dir=model)


def test_oblique_threats_the_patterns_miss_are_caught_by_the_model(scorer):
    texts = ["Voy a dejar una mochila con sorpresa en la catedral el domingo",
             "Gonna teach the commissioner a lesson he won't survive",
             "Les élus de la commission, on viendra vous chercher chez vous"]
    assert [match(t) for t in texts] == [[], [], []]
    pred, out = labels(scorer, texts)
    assert pred == ["threat"] * 3
    for c in out:
        flag = next(f for f in c.flags if f.task == "threat")
        # says why: the model's score, its words and the nearest written threat
        assert ("model score" in flag.reason or "confirming threat model" in flag.reason) and flag.evidence


def test_ordinary_tweets_raise_no_threat(scorer):
    """Real posts from the validation splits (not written by us): sentiment and offence in es/en/fr."""
    texts = []
    for src in D.SOURCES:
        if src.task in ("sentiment", "offensive") and src.lang in ("es", "en", "fr"):
            t, _ = D.load(src, "val")
            texts += t[:: max(1, len(t) // 120)][:120]
    pred, _ = labels(scorer, texts)
    alarms = [t for t, p in zip(texts, pred) if p == "threat"]
    assert len(alarms) <= len(texts) // 100, alarms


def test_an_idiom_adds_nothing_to_the_threat_decision(scorer):
    """"I'd kill for…" is blanked before the models read the post: the post is judged as if
    the idiom were not there, and it never pages. (The grammar-trained head sends posts that
    name a polling station and little else to review at 0.5-0.6: README, known limits.)"""
    text, rest = "I'd kill for a shorter line at the polling station", "a shorter line at the polling station"
    p = scorer.threat_proba([text, rest])
    assert p[0] == pytest.approx(p[1], abs=1e-6)
    _, scored = labels(scorer, [text])
    assert [f.label for f in scored[0].flags if f.task == "threat"] in ([], ["possible_threat"])


@pytest.mark.parametrize("text, expected", [
    ("El debate de anoche fue una masacre para el candidato", "not_threat"),
    ("Voy a hacer una masacre en la iglesia de San Juan este domingo", "threat"),
    ("There will be a massacre at the polling station tomorrow", "threat"),
])
def test_idioms_and_metaphors_need_the_model_to_agree(scorer, text, expected):
    pred, _ = labels(scorer, [text])
    assert pred == [expected]


def test_threat_proba_is_the_score_the_decision_reads(scorer):
    """What the threshold table (python -m lab.scoreboard --threat) reads: the head's
    score after idioms are re-scored, the same number scoring stores."""
    texts = ["El sábado va a haber sangre en la catedral", "I'd kill for a shorter line at the polling station",
             "Le dépouillement continue ce soir"]
    _, out = labels(scorer, texts)
    stored = [c.scores["threat"]["threat"] for c in out]
    assert [round(float(p), 4) for p in scorer.threat_proba(texts)] == stored
    assert stored[0] > 0.5 > stored[2]


COMPLAINTS = [  # written for this test, not drawn from threat_corpus's complaint templates
    "@IEN_Oficial llevo tres horas en la fila del módulo de Tláhuac y no avanza nada",
    "El módulo de Naucalpan cerró a las 3 y había gente esperando desde las 8",
    "Nadie contesta en la junta distrital 05, ya marqué veinte veces",
    "Me dijeron que mi credencial estaría lista el lunes y sigue sin aparecer",
    "La sede del instituto en Puebla no tiene rampa, mi mamá no pudo entrar",
    "The election office on Elm St closed early and nobody told us",
    "Waited two hours at the county clerk's office just to be told to come back Monday",
    "Your registration site has been broken all week, fix it",
    "The poll worker at my precinct was rude to everyone in line",
    "Le guichet de la mairie était fermé à 16h, aucune information sur la porte",
    "Trois semaines que j'attends ma carte électorale, c'est inadmissible",
    "Le bureau de vote de mon quartier a changé d'adresse sans prévenir personne",
]


def test_complaints_about_the_offices_raise_no_threat(scorer):
    """Complaints about hours, queues and staff, with questions the posts an institution gets
    most, name the same offices and days as threats. None pages; the written-examples vote
    flags none (it followed their topic before complaints joined the corpus: 2 of these 12,
    and the demo's "el módulo ... cerró antes de la hora" on one CPU). Two are reviewed, the
    head's known word errors that the confirming model overrules (README): "come back
    Monday" (0.52) and "sans prévenir personne" (0.99, learned from threats that come
    "sans prévenir")."""
    _, out = labels(scorer, COMPLAINTS)
    flags = [(t, next((f for f in c.flags if f.task == "threat"), None)) for t, c in zip(COMPLAINTS, out)]
    assert [t for t, f in flags if f and f.label == "threat"] == []
    reviewed = [(t, f.reason) for t, f in flags if f]
    assert len(reviewed) <= 2 and all("confirming threat model gives" in r for _, r in reviewed), reviewed


def test_the_ordinary_table_counts_flags_and_pages_per_data_set_label_and_kind(scorer):
    """``python -m lab.scoreboard --ordinary``: the goal's false alarms, read from the
    classifications the product makes (a paging threat, a reviewed one, ordinary posts)."""
    from lab.scoreboard import ordinary_rows

    texts = ["El sábado va a haber sangre en la catedral",
             "Zinc and quinine will kill covid in two days, drink tonic water",
             "Qué asco de instituto, bola de inútiles", "Gracias por la información del módulo"]
    _, out = labels(scorer, texts)
    rows = ordinary_rows([("a.csv", "es", ["offensive", "not_offensive"], out[:2]),
                          ("b.csv", "es", ["offensive", "not_offensive"], out[2:])])
    assert rows == [("a.csv", "es", "not_offensive", 1, 1, 0), ("a.csv", "es", "offensive", 1, 1, 1),
                    ("b.csv", "es", "not_offensive", 1, 0, 0), ("b.csv", "es", "offensive", 1, 0, 0),
                    ("all", "", "the rest", 2, 1, 0), ("all", "", "trolling (offensive, hateful)", 2, 1, 1),
                    ("all", "", "every post", 4, 2, 1)]
