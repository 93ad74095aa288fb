"""Detectors: each looks at classified mentions and returns incidents with their evidence.

Incidents carry a grouping ``key``: new evidence for an open incident with the
same key updates it instead of paging again.
"""
from __future__ import annotations

import logging
import re
from collections import defaultdict
from dataclasses import replace
from datetime import datetime, timedelta
from functools import partial

from alerting.words import number, say, when
from escucha.records import Incident

log = logging.getLogger("escucha.detect")

WINDOW_DAYS = 14  # what narratives and spikes count over
SENSITIVITY = {"low": 4.0, "normal": 3.0, "high": 2.0}  # times the expected count
SPIKE_LEVEL = {"low": 1e-6, "normal": 1e-4, "high": 1e-2}  # the Poisson test's level
BASELINE_MIN = timedelta(hours=24)  # history the hourly baseline needs; before it, the mix is judged too


def _snippet(text: str, n: int = 90) -> str:
    text = " ".join(text.split())
    return text if len(text) <= n else text[: n - 1] + "…"


def _root(m) -> str:
    """Reposts and quotes of one post are the same story."""
    return m.repost_of or m.quote_of or m.id


def _threat_flag(c):
    return next((f for f in c.flags if f.task == "threat"), None)


def pages(c) -> bool:
    """Whether a classification's threat pages (critical) rather than going to review (high:
    only the head, only the written-examples vote, or a pattern the head rules out)."""
    return c.threat_severity == "critical"


def detect_threats(config, items, now) -> list[Incident]:
    out = []
    for m, c in items:
        # The institution's own notices name the places and days threats name: an own post is
        # a threat incident only where the decision pages (a hijacker's threat); what it only
        # resembles is left to the takeover detector's other signals.
        if c.labels.get("threat") != "threat" or m.own and not pages(c):
            continue
        flag = _threat_flag(c)
        reason = flag.reason if flag else "threat"
        # A possible threat is reviewed at "high"; what a pattern the head does not rule out,
        # or the confirming model, flags pages at "critical".
        possible = not pages(c)
        # Why the scorer flagged it (patterns, scores) is for the log, not for the page.
        log.info("threat %s from %s: %s", m.id, "possible" if possible else "credible", reason)
        out.append(Incident(
            key=f"threat:{_root(m)}", kind="threat", severity="high" if possible else "critical",
            title=say(config, "threat_title_possible" if possible else "threat_title", handle=m.author.handle),
            explanation=say(config, "threat_possible" if possible else "threat", text=_snippet(m.text), url=m.url),
            account=(m.accounts or ("",))[0], evidence=[m.id]))
    return out


# Money and crypto wording of account-takeover scams (giveaways, wallets, "double your"),
# es/en/fr: a signal only where the account's own history never used it.
_MONEY = re.compile(r"\b(crypto\w*|cripto\w*|bitcoin|btc|eth(ereum)?|usdt|solana|wallet|billetera|cartera digital|"
                    r"portefeuille|giveaway|airdrop|nft|sorteo|regal(o|amos)|cadeau|gratis|free|gratuit|"
                    r"doubl\w+ your|duplica\w*|double(z|r) vos|send \d+|envía \d+|envoyez \d+|claim (now|your)|"
                    r"reclama\w*|r[ée]clamez)\b", re.I)
_URL_HOST = re.compile(r"https?://(?:www\.)?([^/\s?#]+)", re.I)
MIN_HISTORY = 5  # own posts needed before "never used before" means something


def _hosts(text: str) -> set[str]:
    return {h.lower() for h in _URL_HOST.findall(text)}


def _takeover_signals(m, c, history, config) -> list[str]:
    """What in own post ``m`` departs from its account's other posts of the window (``history``),
    in the institution's words.

    The classifier's labels of an own post are one signal among these, never enough alone: an
    institution's debunk quotes the false claim it answers, and its notices name the places
    and days threats name."""
    signals = []
    tz = config.tz
    known = len(history) >= MIN_HISTORY
    if known:
        used = set().union(*(_hosts(h.text) for h, _ in history))
        new_hosts = _hosts(m.text) - used
        if new_hosts:
            signals.append(say(config, "sig_link", hosts=", ".join(sorted(new_hosts))))
        langs = {h.lang for h, _ in history}
        if m.lang and m.lang not in langs and m.lang != "und":
            signals.append(say(config, "sig_lang", lang=m.lang))
        sources = {h.source for h, _ in history if h.source}
        if m.source and sources and m.source not in sources:
            signals.append(say(config, "sig_client", client=m.source))
        hours = {h.created_at.astimezone(tz).hour for h, _ in history}
        hour = m.created_at.astimezone(tz).hour
        if len(history) >= 2 * MIN_HISTORY and not {(hour - 1) % 24, hour, (hour + 1) % 24} & hours:
            signals.append(say(config, "sig_hour", hour=f"{hour:02d}"))
    money = _MONEY.search(m.text)
    if money and not any(_MONEY.search(h.text) for h, _ in history):
        signals.append(say(config, "sig_money", words=money.group(0)))
    burst = [h for h, _ in history if abs((h.created_at - m.created_at).total_seconds()) <= 600]
    if len(burst) >= 4:
        signals.append(say(config, "sig_burst", n=len(burst) + 1))
    labels = [say(config, w) for w, hit in (("sig_threat", pages(c)), ("sig_hate", c.labels.get("hate") == "hate"),
                                            ("sig_insults", c.labels.get("offensive") == "offensive")) if hit]
    if labels:
        signals.append(say(config, "and").join(labels))
    return signals


def detect_hijack(config, items, now) -> list[Incident]:
    """An own account posts what it would not: two signals or more of
    :func:`_takeover_signals` in one post (a new link domain, money or crypto wording, a new
    language, client or hour, a burst, insults or threats)."""
    own = defaultdict(list)
    for m, c in items:
        if m.own:
            own[m.author.handle.lower()].append((m, c))
    out = []
    for handle, posts in own.items():
        for m, c in posts:
            history = [(h, hc) for h, hc in posts if h.id != m.id and h.created_at < m.created_at]
            signals = _takeover_signals(m, c, history, config)
            if len(signals) < 2:
                continue
            account = next((a for a in config.accounts if a.handle.lower().lstrip("@") == handle), None)
            key = account.key if account else f"x:@{m.author.handle}"
            out.append(Incident(
                key=f"hijack:{key}", kind="hijack", severity="critical",
                title=say(config, "hijack_title", account=key),
                explanation=say(config, "hijack", account=key, signals="; ".join(signals), text=_snippet(m.text),
                                url=m.url),
                account=key, evidence=[m.id]))
    return out


def _shingles(text: str) -> set[str]:
    words = re.findall(r"\w+", text.lower())
    words = [w for w in words if not w.startswith("http") and len(w) > 2]
    return {" ".join(words[i : i + 2]) for i in range(max(1, len(words) - 1))}


def _terms(text: str) -> set[str]:
    """Content words, cut to six letters (so "destruyó"/"destruyeron" meet), without stop words."""
    import unicodedata

    from escucha.stopwords import STOPWORDS

    plain = "".join(ch for ch in unicodedata.normalize("NFKD", text.lower()) if not unicodedata.combining(ch))
    plain = re.sub(r"https?://\S+|[@#]\w+", " ", plain)
    return {w[:6] for w in re.findall(r"[a-z]{3,}", plain) if w not in STOPWORDS}


def _same_story(a: set[str], b: set[str]) -> bool:
    return bool(a and b) and len(a & b) / min(len(a), len(b)) >= 0.5 and len(a & b) >= 2


def detect_narratives(config, items, now, meaning=None) -> list[Incident]:
    """Narratives: posts restating a claim of the register, grouped by the claim; and posts
    that assert wrongdoing, hidden facts or a danger about the institution (the scorer's
    ``claim`` label, classifiers/checkworthy.py), grouped by what they say, register or not.
    A group opens an incident once ``narrative_min_size`` authors assert it, or one
    high-reach author does; debunks and questions join it without counting.

    ``meaning(texts)``, where given, says how alike every two texts are in what they say
    (the scorer's ``restatements``): a post joins a group when it restates one of the
    group's assertions (``thresholds.claim_similarity``, the decision that matches the
    register) or shares its words; a post the check-worthiness rules passed over that
    restates an assertion spreads it all the same."""
    d = config.detection
    known: dict[str, list] = defaultdict(list)
    candidates = []
    for m, c in sorted(items, key=lambda mc: mc[0].created_at):
        if m.own:
            continue
        claim = next((f.evidence for f in c.flags if f.task == "misinformation" and f.evidence), "")
        if claim and c.labels.get("misinformation") == "fake":
            known[claim].append((m, c))
        else:
            candidates.append((m, c, _terms(m.text)))
    asserted = set().union(*(t for m, c, t in candidates if c.labels.get("claim") == "assertion"))
    # Posts without a claim label matter only where they share a word with an assertion.
    candidates = [(m, c, t) for m, c, t in candidates
                  if c.labels.get("claim") in ("assertion", "question", "debunk") or meaning and t & asserted]
    alike = meaning([m.text for m, _, _ in candidates]) if meaning and candidates else None
    new: list[list[int]] = []  # groups of candidate indexes; the first is an assertion
    for i, (m, c, terms) in enumerate(candidates):
        label = c.labels.get("claim")

        def restates(group):
            # Shared words are enough for a post the rules call a claim; one they passed
            # over must say the same thing as an assertion.
            return any(candidates[j][1].labels.get("claim") == "assertion" and (
                label in ("assertion", "question", "debunk") and _same_story(terms, candidates[j][2]) or
                alike is not None and alike[i, j] >= config.thresholds.claim_similarity) for j in group)

        joined = [g for g in new if restates(g)]
        if joined:
            group = joined[0]
            group.append(i)
            if label == "assertion":
                # An assertion that restates two groups shows they are one story told in two
                # wordings: they become one group, named by its oldest post. (A question or a
                # debunk that touches both joins the first only: it spreads nothing.)
                for other in joined[1:]:
                    group.extend(other)
                    new.remove(other)
                group.sort()
        elif label == "assertion":
            new.append([i])  # a question or a debunk of nothing asserted yet starts nothing
    groups = [[(candidates[i][0], candidates[i][1]) for i in g] for g in new]
    out = []
    for claim_id, members in known.items():
        authors = {m.author.handle for m, _ in members}
        big = [m for m, _ in members if m.author.followers >= d.high_reach_followers]
        if len(authors) < d.narrative_min_size and not big:
            continue
        claim = next((c for c in config.claims if c.id == claim_id), None)
        reach = sum(m.author.followers for m, _ in members)
        big_words = say(config, "claim_big", handle=big[0].author.handle,
                        followers=number(config, big[0].author.followers)) if big else ""
        clar = say(config, "clarification", text=claim.clarification, where=claim.url).rstrip() if claim else ""
        out.append(Incident(
            key=f"narrative:claim:{claim_id}", kind="narrative", severity="high",
            title=say(config, "claim_title", claim=claim.claim if claim else claim_id),
            explanation=say(config, "claim", n=len(members), authors=len(authors), reach=number(config, reach),
                            big=big_words, clarification=clar),
            account=(members[0][0].accounts or ("",))[0], evidence=[m.id for m, _ in members]))
    for members in groups:
        # Who repeats the claim spreads it; a question or a debunk about it does not.
        spreaders = [(m, c) for m, c in members if c.labels.get("claim") not in ("question", "debunk")]
        authors = {m.author.handle for m, _ in spreaders}
        big = [m for m, _ in spreaders if m.author.followers >= d.high_reach_followers]
        if len(authors) < d.narrative_min_size and not big:
            continue
        first = spreaders[0][0]
        reach = sum({m.author.handle: m.author.followers for m, _ in spreaders}.values())
        others = len(members) - len(spreaders)
        slug = "-".join(sorted(_terms(first.text))[:4]) or "nueva"
        out.append(Incident(
            key=f"narrative:new:{first.id}", kind="narrative", severity="high",
            title=say(config, "new_title", text=_snippet(first.text, 60)),
            explanation=say(
                config, "new", n=len(spreaders), authors=len(authors), reach=number(config, reach),
                big=say(config, "new_big", handle=big[0].author.handle,
                        followers=number(config, big[0].author.followers)) if big else "",
                others=say(config, "new_others", n=others) if others else "", handle=first.author.handle,
                at=when(config, first.created_at), zone=config.timezone, text=_snippet(first.text), url=first.url,
                slug=slug, claim=_snippet(first.text, 120)),
            account=(first.accounts or ("",))[0], evidence=[m.id for m, _ in members]))
    return out


_CATEGORIES = {"negative": lambda c: c.labels.get("sentiment") == "negative",
               "hate": lambda c: c.labels.get("hate") == "hate" or c.labels.get("offensive") == "offensive",
               "misinformation": lambda c: c.labels.get("misinformation") == "fake"}


class HourlyBaseline:
    """Expected mentions in an hour of one account and category (pandas: hourly counts,
    empty hours included): the mean of the same hour of the week in the four weeks before
    (where the history reaches them), or the mean hourly count of the history before it,
    whichever is higher; at least 0.2 an hour."""

    def __init__(self, times, first: datetime):
        import pandas as pd

        self.first = pd.Timestamp(first)
        counts = pd.Series(1, index=pd.DatetimeIndex(times).floor("h")).groupby(level=0).sum()
        self.hours = counts.reindex(pd.date_range(self.first, counts.index.max(), freq="h"), fill_value=0)
        self.before = self.hours.cumsum() - self.hours  # posts in the hours before each one
        self.total = int(counts.sum())

    def __call__(self, hour: datetime) -> float:
        import pandas as pd

        hour = pd.Timestamp(hour)
        weeks = [w for w in (hour - pd.Timedelta(days=7 * k) for k in range(1, 5)) if w >= self.first]
        same_hour = sum(int(self.hours.get(w, 0)) for w in weeks) / len(weeks) if weeks else 0.0
        span_h = (hour - self.first).total_seconds() / 3600
        earlier = int(self.before.get(hour, self.total if hour > self.hours.index[-1] else 0))
        return max(same_hour, earlier / span_h if span_h >= 1 else 0.0, 0.2)


SPIKE_WINDOW = timedelta(hours=1)


def _mix_p(n: int, w: int, k: int, total: int) -> float:
    """P(at least ``n`` of an hour's ``w`` mentions in the category | ``k`` of the ``total``
    mentions before it were): beta-binomial, a uniform prior on the category's share, so a
    short history speaks with the little confidence it has."""
    from scipy.stats import betabinom

    return float(betabinom.sf(n - 1, w, 1 + k, 1 + total - k))


def _episodes(times: list, ids: list, expected_at, now, first, d, volume=()) -> list[tuple[int, int, int, float]]:
    """Spikes in one series (sorted times): every window of an hour that ends at a post is
    tested, and spiking windows less than an hour apart make one episode: (first index,
    last index, peak count, expected count at the peak).

    In the first day of history (``BASELINE_MIN``) the hourly rate is unknown: the evening
    is busier than the night it is compared with. There a window must also change the mix:
    its share of the category among all the account's mentions (``volume``, sorted times)
    against the share before it (:func:`_mix_p`), which a busier hour alone does not move."""
    from bisect import bisect_right

    from scipy.stats import poisson

    factor, level = SENSITIVITY[d.sensitivity], SPIKE_LEVEL[d.sensitivity]
    out: list[list] = []
    lo = 0
    for hi, t in enumerate(times):
        if t > now:
            break
        while times[lo] <= t - SPIKE_WINDOW:
            lo += 1
        start = t - SPIKE_WINDOW
        if start - first < SPIKE_WINDOW:
            continue  # not an hour of history yet: nothing to compare with
        n = hi - lo + 1
        if n < d.spike_min_count:
            continue
        expected = expected_at(start)
        if n < factor * expected or float(poisson.sf(n - 1, expected)) >= level:  # P(at least n | baseline)
            continue
        if start - first < BASELINE_MIN:
            before = bisect_right(volume, start)
            if _mix_p(n, bisect_right(volume, t) - before, lo, before) >= level:
                continue
        # A window that starts within an hour of the episode's last one continues it: a
        # burst that dips for a few minutes is one spike, not two.
        if out and times[out[-1][1]] >= t - 2 * SPIKE_WINDOW:
            ep = out[-1]
            ep[1] = hi
            if n > ep[2]:
                ep[2], ep[3] = n, expected
        else:
            out.append([lo, hi, n, expected])
    return [tuple(e) for e in out]


def detect_spikes(config, items, now, history=None) -> list[Incident]:
    """Negative, hateful or misinformation mentions per account against the account's own
    baseline (:class:`HourlyBaseline`): every hour-long window that ends at a post is judged by a
    Poisson test that holds for small volumes (10 in an hour against 1 expected is a spike,
    40 against 35 is not), so a burst is seen as it builds, whichever clock hours it
    straddles. Sensitivity sets both the test's level and how many times the baseline a
    spike must be (``SENSITIVITY``). Overlapping spiking windows are one episode, one
    incident; a spike on another day is another incident."""
    from escucha.stopwords import top_terms

    d = config.detection
    history = items if history is None else history
    series: dict[tuple, list] = defaultdict(list)
    volume: dict[str, list] = defaultdict(list)  # every mention of the account: the mix's denominator
    posts = {}
    for m, c in history:
        for acc in m.accounts or ("",):
            if not m.own:
                volume[acc].append(m.created_at)
            for cat, test in _CATEGORIES.items():
                if test(c) and not m.own:
                    series[(acc, cat)].append((m.created_at, m.id))
                    posts[m.id] = m
    if not series:
        return []
    for v in volume.values():
        v.sort()
    first = min(m.created_at for m, _ in history).replace(minute=0, second=0, microsecond=0)
    found: dict[str, list] = defaultdict(list)  # account -> [start, end, {cat: (peak, expected)}, ids]
    for (acc, cat), s in sorted(series.items()):
        s.sort()
        times, ids = [t for t, _ in s], [i for _, i in s]
        baseline = HourlyBaseline(times, first)

        def expected_at(start, baseline=baseline):
            return baseline(start.replace(minute=0, second=0, microsecond=0))

        for lo, hi, peak, expected in _episodes(times, ids, expected_at, now, first, d, volume[acc]):
            found[acc].append([times[lo], times[hi], {cat: (peak, expected)}, ids[lo : hi + 1]])
    out = []
    for acc, episodes in found.items():
        # Negative, hateful and misinformation spikes of one account that overlap are one
        # event (an outage angers and insults at once): one incident.
        merged: list[list] = []
        for ep in sorted(episodes, key=lambda e: e[0]):
            if merged and ep[0] <= merged[-1][1] + SPIKE_WINDOW:
                last = merged[-1]
                last[1] = max(last[1], ep[1])
                last[2].update(ep[2])
                last[3] += [i for i in ep[3] if i not in last[3]]
            else:
                merged.append(ep)
        for start, _, cats, evidence in merged:
            mine = sorted((posts[i] for i in evidence), key=lambda m: -m.author.followers)
            terms = top_terms([m.text for m in mine])
            top = "; ".join(say(config, "post", handle=m.author.handle, followers=number(config, m.author.followers),
                                text=_snippet(m.text, 70)) for m in mine[:3])
            account = acc or say(config, "the_institution")
            # The expected count is in the log to the decimal; people read a whole number.
            log.info("spike %s at %s: %s", acc, start, {c: (p, round(e, 2)) for c, (p, e) in cats.items()})
            what = ", ".join(say(config, "spike_what", peak=peak, kind=say(config, "kind_" + cat), account=account,
                                 expected=round(expected) if expected >= 1 else say(config, "under_one")) for cat, (peak, expected) in cats.items())
            out.append(Incident(
                key=f"spike:{acc}:{start:%Y-%m-%dT%H:%M}", kind="spike", severity="high",
                title=say(config, "spike_title", kinds=", ".join(say(config, "kind_" + c) for c in cats),
                          account=account),
                explanation=say(config, "spike", what=what, n=len(evidence), at=when(config, start),
                                zone=config.timezone, words=", ".join(terms) or "—", top=top),
                account=acc, evidence=evidence))
    return out


# Unanswered questions are a work list for the team that answers, not a page:
# `escucha unanswered` (pipeline.unanswered) and the report show them.
from alerting.campaigns import detect_campaigns  # noqa: E402  (it reads this module's helpers)

DETECTORS = {"threat": detect_threats, "hijack": detect_hijack, "narrative": detect_narratives,
             "spike": detect_spikes, "campaign": detect_campaigns}


def detect(config, store, now: datetime, new_ids: set[str], last: datetime | None = None,
           meaning=None) -> list[Incident]:
    """Run every detector over the classified mentions of the last ``WINDOW_DAYS`` days, and
    the threat and hijack detectors over every mention no detection has seen, however old;
    threats first.

    Only incidents with evidence among ``new_ids`` (mentions no detection has seen)
    are returned, so a resolved incident is not opened again by old evidence.
    """
    items = store.classified(since=now - timedelta(days=WINDOW_DAYS), until=now + timedelta(seconds=1))
    # A threat is a crisis by itself whenever it was posted: one collected late (a backfill,
    # a source that was down for weeks) is judged like a fresh one. Counts (narratives,
    # spikes) are about the window only.
    seen = {m.id for m, _ in items}
    late = [(m, c) for i in sorted(new_ids - seen)
            if (m := store.get_mention(i)) is not None and (c := store.classification(i)) is not None]
    merged: dict[str, Incident] = {}
    for name in ("threat", "hijack", "campaign", "narrative", "spike"):
        run = DETECTORS[name]
        if name == "narrative" and meaning is not None:
            run = partial(run, meaning=meaning)
        for inc in run(config, items + late if name in ("threat", "hijack") else items, now):
            if not new_ids.intersection(inc.evidence):
                continue
            if inc.kind == "spike":
                inc = _folded(inc, merged, store)
            elif inc.key.startswith("narrative:new:"):
                inc = _continued(inc, merged, store)
            first = merged.setdefault(inc.key, inc)  # the earliest mention names the incident
            if first is not inc:
                first.evidence += [e for e in inc.evidence if e not in first.evidence]
    return list(merged.values())


def _live(merged: dict, store) -> list[Incident]:
    """The incidents a new detection can belong to: open or acknowledged in the store, and
    those of this run."""
    return [*store.incidents(status="open"), *store.incidents(status="acknowledged"), *merged.values()]


def _folded(spike: Incident, merged: dict, store) -> Incident:
    """A spike made mostly of one other incident's posts (a rumour's, a campaign's) is that
    incident growing, not a second one to page about: its posts join that incident."""
    holder: dict[str, Incident] = {}
    for inc in _live(merged, store):
        if inc.kind != "spike":
            for e in inc.evidence:
                holder.setdefault(e, inc)
    counts: dict[str, int] = defaultdict(int)
    for e in spike.evidence:
        if e in holder:
            counts[holder[e].key] += 1
    if not counts:
        return spike
    key = max(counts, key=counts.get)
    if 2 * counts[key] < len(spike.evidence):
        return spike
    owner = next(i for i in holder.values() if i.key == key)
    return Incident(key=owner.key, kind=owner.kind, severity=owner.severity, title=owner.title,
                    explanation=owner.explanation, account=owner.account, evidence=list(spike.evidence))


def _continued(narrative: Incident, merged: dict, store) -> Incident:
    """A new narrative that holds posts of one already open (two wordings found to be one
    story after one of them had opened) goes on as that incident, not as a second."""
    shared: dict[str, int] = defaultdict(int)
    ours = set(narrative.evidence)
    for inc in _live(merged, store):
        if inc.kind == "narrative" and inc.key != narrative.key:
            shared[inc.key] += len(ours.intersection(inc.evidence))
    key = max((k for k in shared if shared[k]), key=shared.get, default=None)
    return narrative if key is None else replace(narrative, key=key)
