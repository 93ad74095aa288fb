"""Load ``escucha.toml`` into frozen dataclasses, reporting every problem at once.

Secrets never sit in the file: a secret field names an environment variable
(``url_env = "ESCUCHA_ANA_EMAIL"``) that is resolved here. Messages name the
variable, never its value.
"""
from __future__ import annotations

import math
import os
import re
import tomllib
from dataclasses import dataclass, field, replace
from datetime import date, time
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from escucha import settings
from escucha.i18n import LANGS
from escucha.config_keys import unknown_keys
from escucha.settings import BY_KEY
from escucha.errors import ConfigError
from escucha.links import secret_problem
from escucha.records import SEVERITY_ORDER



def _platforms() -> tuple[str, ...]:
    """The platforms escucha can collect from: its collectors' entry points, plugins included."""
    from escucha import registry

    return registry.names("collectors")
DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_HANDLE = re.compile(r"^@?[A-Za-z0-9_.\-]{1,64}$")
_HOURS = re.compile(r"^([01]\d|2[0-4]):([0-5]\d)-([01]\d|2[0-4]):([0-5]\d)$")


@dataclass(frozen=True)
class Account:
    platform: str
    handle: str
    user_id: str = ""
    contacts: tuple[str, ...] = ()  # member ids or "role:x" notified when this account misbehaves
    token_env: str = ""

    @property
    def key(self) -> str:
        return f"{self.platform}:{self.handle}"


@dataclass(frozen=True)
class Contact:
    url_env: str
    url: str  # resolved secret; never printed unmasked
    label: str = ""


@dataclass(frozen=True)
class Vacation:
    start: date
    end: date
    substitute: str = ""


@dataclass(frozen=True)
class Member:
    id: str
    name: str
    roles: tuple[str, ...] = ()
    contacts: tuple[Contact, ...] = ()
    working_hours: tuple[time, time] | None = None  # None: reachable at any hour
    working_days: tuple[str, ...] = DAYS
    substitute: str = ""
    vacations: tuple[Vacation, ...] = ()
    lang: str = ""  # the pages' language for this member (es, en, fr); "": the institution's


@dataclass(frozen=True)
class OnCall:
    member: str
    days: tuple[str, ...] = DAYS
    hours: tuple[time, time] = (time(0, 0), time(23, 59, 59))


@dataclass(frozen=True)
class Step:
    notify: str  # "member:ID", "role:NAME" or "oncall"
    wait_minutes: float = 5.0


@dataclass(frozen=True)
class Policy:
    name: str
    severities: tuple[str, ...]
    steps: tuple[Step, ...]
    repeat: int = 1
    # A chain put together from two lists (an account's or the operations contacts, then the
    # severity's policy): whoever the first part reached is not paged again by the second.
    once_per_member: bool = False


@dataclass(frozen=True)
class Claim:
    id: str
    claim: str
    clarification: str
    url: str = ""
    examples: tuple[str, ...] = ()


def _default(key: str):
    return BY_KEY[key].default


@dataclass(frozen=True)
class Thresholds:
    """Probabilities calibrated on the validation splits (lab/training.calibrate). Defaults,
    ranges and what each does: escucha/settings.py, the one table of settings.

    A threat too oblique for the head is one most of whose 10 nearest written examples are
    threats (classifiers/neighbours.py); the confirming threat model (classifiers/confirm.py)
    decides whether a threat pages or goes to review; a pattern pages only where the threat
    head does not rule the text out ("going to shoot to the top of the charts")."""

    negative: float = _default("thresholds.negative")
    offensive: float = _default("thresholds.offensive")
    hate: float = _default("thresholds.hate")
    threat: float = _default("thresholds.threat")
    threat_neighbours: float = _default("thresholds.threat_neighbours")
    threat_neighbours_min_score: float = _default("thresholds.threat_neighbours_min_score")
    threat_confirm: float = _default("thresholds.threat_confirm")
    threat_pattern_min_score: float = _default("thresholds.threat_pattern_min_score")
    misinformation: float = _default("thresholds.misinformation")
    claim_similarity: float = _default("thresholds.claim_similarity")


@dataclass(frozen=True)
class Detection:
    """What the detectors count (escucha/settings.py holds defaults, ranges and help)."""

    sensitivity: str = _default("detection.sensitivity")
    spike_min_count: int = _default("detection.spike_min_count")
    cooldown_minutes: int = _default("detection.cooldown_minutes")
    narrative_min_size: int = _default("detection.narrative_min_size")
    high_reach_followers: int = _default("detection.high_reach_followers")
    answer_deadline_hours: float = _default("detection.answer_deadline_hours")
    campaign_min_authors: int = _default("detection.campaign_min_authors")
    campaign_hours: float = _default("detection.campaign_hours")
    blind_minutes: int = _default("detection.blind_minutes")


@dataclass(frozen=True)
class Links:
    base_url: str = _default("links.base_url")
    secret_env: str = _default("links.secret_env")
    secret: str = ""
    ttl_hours: float = _default("links.ttl_hours")


@dataclass(frozen=True)
class WebUser:
    name: str
    password_hash: str  # from the environment: never printed


@dataclass(frozen=True)
class Web:
    """Who may read the analyst view (dashboards/web/auth.py): users with password hashes,
    or a reverse proxy's header naming the user it logged in; with neither, this machine
    only (loopback)."""
    users: tuple[WebUser, ...] = ()
    trusted_header: str = _default("web.trusted_header")
    session_hours: float = _default("web.session_hours")

    @property
    def login(self) -> bool:
        return bool(self.users or self.trusted_header)


@dataclass(frozen=True)
class Report:
    lang: str = _default("report.lang")
    recipients: tuple[Contact, ...] = ()
    colors: tuple[str, str] = tuple(_default("institution.colors"))


@dataclass(frozen=True)
class Config:
    name: str
    short_name: str
    timezone: str
    languages: tuple[str, ...]
    accounts: tuple[Account, ...]
    keywords: tuple[str, ...] = ()
    hashtags: tuple[str, ...] = ()
    names: tuple[str, ...] = ()
    feeds: tuple[str, ...] = ()  # RSS/Atom news feeds
    similar: tuple[Account, ...] = ()
    store_path: str = _default("store.path")
    store_backend: str = _default("store.backend")  # opensearch / elasticsearch: the [index] server is the store
    state_url: str = ""  # SQLAlchemy URL of the escalation state (PostgreSQL); empty: the store's file
    retention_days: int = _default("store.retention_days")
    index_url: str = ""  # OpenSearch/Elasticsearch URL (a secret: it may hold credentials)
    index_product: str = _default("index.product")
    index_prefix: str = _default("index.prefix")
    encoder: str = _default("classifier.encoder")  # "": the encoder the model's heads were trained on
    model_dir: str = _default("classifier.model_dir")
    shards: int = _default("classifier.shards")  # classify tasks side by side, each on its own share
    thresholds: Thresholds = Thresholds()
    detection: Detection = Detection()
    members: tuple[Member, ...] = ()
    holidays: tuple[date, ...] = ()
    oncall: tuple[OnCall, ...] = ()
    policies: tuple[Policy, ...] = ()
    claims: tuple[Claim, ...] = ()
    links: Links = Links()
    report: Report = Report()
    fallback: tuple[Contact, ...] = ()  # [escalation] fallback: paged when a chain reached nobody
    # [escalation] operations: who is paged first when escucha itself stops hearing (a dead
    # source, a stopped scheduler), before the severity's policy; like a policy step's notify.
    operations: tuple[str, ...] = ()
    path: str = ""
    base_urls: dict = field(default_factory=dict)  # per platform: another API host (tests, self-hosted)
    drill: bool = False  # a committee drill (`escucha replay --drill`): every page is marked SIMULACRO
    web: Web = Web()

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def with_base_url(self, platform: str, url: str) -> "Config":
        """This configuration with ``platform``'s API at ``url`` (an emulator, a self-hosted server)."""
        return replace(self, base_urls={**self.base_urls, platform: url})

    def member(self, member_id: str) -> Member | None:
        return next((m for m in self.members if m.id == member_id), None)

    def policy_for(self, severity: str) -> Policy | None:
        return next((p for p in self.policies if severity in p.severities), None)

    def own_handles(self) -> set[str]:
        return {a.handle.lower().lstrip("@") for a in self.accounts}


class _Checker:
    """Collects problems with their key paths instead of stopping at the first."""

    def __init__(self, env):
        self.problems: list[str] = []
        self.env = env

    def bad(self, path: str, expected: str, got) -> None:
        self.problems.append(f"{path}: must be {expected}; got {got!r}")

    def get(self, table: dict, key: str, path: str, kind, default=None, required=False, expected=None):
        if key not in table:
            if required:
                self.problems.append(f"{path}: is required")
            return default
        value = table[key]
        ok = isinstance(value, kind) and not (kind in (int, float, (int, float)) and isinstance(value, bool))
        if ok and isinstance(value, float) and not math.isfinite(value):
            ok = False  # inf and nan overflow every date sum they meet
        if not ok:
            self.bad(path, expected or _kind_name(kind), value)
            return default
        return value

    def setting(self, table: dict, key: str):
        """The value of the table's setting ``key`` ("section.name") in ``table`` (its
        section), or its default with the problem noted."""
        s = settings.BY_KEY[key]
        if not isinstance(table, dict) or s.name not in table:
            return s.default
        value = table[s.name]
        if not s.accepts(value):
            self.bad(key, s.expected(), value)
            return s.default
        return float(value) if s.kind is float else tuple(value) if s.kind is list else value

    def number(self, table: dict, key: str, path: str, default, low: float, high: float, unit: str = "") -> float:
        """A finite number in [low, high], or the default with the problem noted."""
        v = self.get(table, key, path, (int, float), default, expected=f"a number from {low:g} to {high:g}{unit}")
        if not low <= v <= high:
            self.bad(path, f"a number from {low:g} to {high:g}{unit}", v)
            return default
        return float(v)

    def items(self, table: dict, key: str, path: str) -> list:
        """A list (of tables), or [] with the problem noted."""
        value = table.get(key, []) if isinstance(table, dict) else []
        if value is None:
            return []
        if not isinstance(value, list):
            self.bad(path, "a list", value)
            return []
        return value

    def strings(self, table, key, path, default=()):
        value = self.get(table, key, path, list, list(default), expected="a list of strings")
        out = []
        for i, v in enumerate(value):
            if isinstance(v, str) and v.strip():
                out.append(v)
            else:
                self.bad(f"{path}[{i}]", "a non-empty string", v)
        return tuple(out)

    def secret(self, env_name: str, path: str) -> str:
        if not isinstance(env_name, str) or not re.fullmatch(r"[A-Z_][A-Z0-9_]*", env_name or ""):
            self.bad(path, "the NAME of an environment variable (A-Z, 0-9, _)", env_name)
            return ""
        value = self.env.get(env_name, "")
        if not value:
            self.problems.append(f"{path}: environment variable {env_name} is not set")
        return value

    def hours(self, value, path):
        if not isinstance(value, str) or not _HOURS.match(value):
            self.bad(path, 'hours as "HH:MM-HH:MM"', value)
            return None
        a, b = value.split("-")
        if _time(b) <= _time(a):
            self.bad(path, "hours that end after they start on the same day (an overnight shift is two "
                     "entries: 22:00-24:00 and 00:00-06:00)", value)
            return None
        return _time(a), _time(b)

    def day(self, value, path):
        try:
            return date.fromisoformat(value) if isinstance(value, str) else value if isinstance(value, date) else None
        except ValueError:
            pass
        self.bad(path, "a date YYYY-MM-DD", value)
        return None


def store_backend_raw(store: dict) -> str:
    return store.get("backend", "sqlite") if isinstance(store, dict) else "sqlite"


def _unwritable(path: str) -> str:
    """Why the embedded store's file could not be written ("" when it can): the file, or
    the nearest folder that exists above it."""
    p = Path(path)
    if p.is_dir():
        return "it is a folder"
    if p.exists():
        return "" if os.access(p, os.W_OK) else "the file is read-only for this user"
    folder = p.parent
    while not folder.exists() and folder != folder.parent:
        folder = folder.parent
    if not folder.is_dir():
        return f"{folder} is a file, not a folder"
    return "" if os.access(folder, os.W_OK | os.X_OK) else f"the folder {folder} is read-only for this user"


def _time(s: str) -> time:
    h, m = (int(x) for x in s.split(":"))
    return time(23, 59, 59) if h == 24 else time(h, m)


def _kind_name(kind) -> str:
    names = {str: "a string", int: "an integer", float: "a number", (int, float): "a number",
             list: "a list", dict: "a table", bool: "true or false"}
    return names.get(kind, str(kind))


def _from_table(c: _Checker, t: dict, name: str) -> dict:
    """A section made only of the table's settings: each value checked against its row."""
    return {s.name: c.setting(t, s.key) for s in settings.section(name)}


def _web(c: _Checker, t: dict) -> Web:
    from escucha.passwords import problem

    users = []
    for i, u in enumerate(c.items(t, "users", "web.users")):
        p = f"web.users[{i}]"
        if not isinstance(u, dict):
            c.bad(p, 'a table like { name = "marta", password_hash_env = "ESCUCHA_WEB_MARTA" }', u)
            continue
        name = c.get(u, "name", f"{p}.name", str, "", required=True)
        env = c.get(u, "password_hash_env", f"{p}.password_hash_env", str, "", required=True)
        stored = c.secret(env, f"{p}.password_hash_env") if env else ""
        if stored and (why := problem(stored)):
            c.problems.append(f"{p}.password_hash_env: {env} {why}")
        if name and stored:
            users.append(WebUser(name, stored))
    if len({u.name for u in users}) < len(users):
        c.problems.append("web.users: every name must be different")
    header = c.get(t, "trusted_header", "web.trusted_header", str, "")
    if header and not re.fullmatch(r"[A-Za-z][A-Za-z0-9-]*", header):
        c.bad("web.trusted_header", "an HTTP header name like X-Forwarded-User", header)
        header = ""
    hours = c.setting(t, "web.session_hours")
    return Web(users=tuple(users), trusted_header=header, session_hours=hours)


def _contacts(c: _Checker, items, path: str) -> tuple[Contact, ...]:
    out = []
    if not isinstance(items, list):
        c.bad(path, "a list of tables with url_env", items)
        return ()
    for i, item in enumerate(items):
        p = f"{path}[{i}]"
        if isinstance(item, str):
            item = {"url_env": item}
        if not isinstance(item, dict) or "url_env" not in item:
            c.bad(p, 'a table like { url_env = "ESCUCHA_ANA_EMAIL" }', item)
            continue
        url = c.secret(item["url_env"], f"{p}.url_env")
        if url and not _valid_contact_url(url):
            # The value is a secret: say what is wrong with it without printing it.
            scheme = url.split("://")[0][:12] if "://" in url else ""
            if scheme.lower() in _known_schemes():
                hint = (" (an e-mail needs its server, from= and to=: mailto://user:pass@smtp.example.org"
                        "?from=alertas@example.org&to=ana@example.org)" if scheme.lower() in ("mailto", "mailtos")
                        else "")
                c.problems.append(f"{p}.url_env: {item['url_env']} holds a {scheme}:// URL that cannot be used: "
                                  f"a part of it is missing or malformed{hint}")
            else:
                c.problems.append(
                    f"{p}.url_env: {item['url_env']} must hold a notification URL such as mailto://, tgram://, "
                    f"json://, slack://; got a value with scheme {scheme!r}"
                )
        out.append(Contact(url_env=item["url_env"], url=url, label=str(item.get("label", ""))))
    return tuple(out)


def _known_schemes() -> set[str]:
    """Every scheme Apprise can send to (mailto, json, tgram, …)."""
    try:
        import apprise
    except ImportError:  # pragma: no cover
        return set()
    out = set()
    for s in apprise.Apprise().details()["schemas"]:
        for key in ("protocols", "secure_protocols"):
            v = s.get(key) or ()
            out.update([v] if isinstance(v, str) else v)
    return {x.lower() for x in out}


def _valid_contact_url(url: str) -> bool:
    try:
        import apprise
    except ImportError:  # pragma: no cover
        return "://" in url
    return apprise.Apprise.instantiate(url) is not None


def _accounts(c: _Checker, items, path: str, need_platform=True) -> tuple[Account, ...]:
    out = []
    if not isinstance(items, list):
        c.bad(path, "a list of tables ([[accounts]])", items)
        return ()
    seen = set()
    for i, a in enumerate(items):
        p = f"{path}[{i}]"
        if not isinstance(a, dict):
            c.bad(p, "a table", a)
            continue
        platform = c.get(a, "platform", f"{p}.platform", str, "", required=True)
        if platform and platform not in _platforms():
            c.bad(f"{p}.platform", f"one of {', '.join(_platforms())}", platform)
        handle = c.get(a, "handle", f"{p}.handle", str, "", required=True)
        if handle and platform in ("x", "bluesky", "mastodon") and not _HANDLE.match(handle.split("@")[1] if handle.count("@") > 1 else handle):
            c.bad(f"{p}.handle", "an account handle like @IENMexico", handle)
        if (platform, handle.lower()) in seen:
            c.problems.append(f"{p}.handle: {handle} is listed twice for {platform}")
        seen.add((platform, handle.lower()))
        token_env = a.get("token_env", "")
        if token_env and not re.fullmatch(r"[A-Z_][A-Z0-9_]*", str(token_env)):
            c.bad(f"{p}.token_env", "the NAME of an environment variable", token_env)
        user_id = c.get(a, "user_id", f"{p}.user_id", (str, int), "", expected="a numeric id as a string")
        out.append(Account(platform=platform, handle=handle, user_id=str(user_id),
                           contacts=c.strings(a, "contacts", f"{p}.contacts"), token_env=str(token_env)))
    return tuple(out)


def _members(c: _Checker, items) -> tuple[Member, ...]:
    out = []
    for i, m in enumerate(items if isinstance(items, list) else []):
        p = f"committee.members[{i}]"
        if not isinstance(m, dict):
            c.bad(p, "a table", m)
            continue
        mid = c.get(m, "id", f"{p}.id", str, "", required=True)
        hours = c.hours(m["working_hours"], f"{p}.working_hours") if "working_hours" in m else None
        days = c.strings(m, "working_days", f"{p}.working_days", DAYS)
        for j, d in enumerate(days):
            if d not in DAYS:
                c.bad(f"{p}.working_days[{j}]", f"one of {', '.join(DAYS)}", d)
        vacations = []
        for j, v in enumerate(c.items(m, "vacations", f"{p}.vacations")):
            vp = f"{p}.vacations[{j}]"
            if not isinstance(v, dict):
                c.bad(vp, "a table with from, to, substitute", v)
                continue
            start, end = c.day(v.get("from"), f"{vp}.from"), c.day(v.get("to"), f"{vp}.to")
            if start and end and end < start:
                c.bad(f"{vp}.to", f"on or after {start}", str(end))
            if start and end:
                vacations.append(Vacation(start, end, str(v.get("substitute", ""))))
        lang = c.get(m, "lang", f"{p}.lang", str, "")
        if lang and lang not in LANGS:
            c.bad(f"{p}.lang", f"one of {', '.join(LANGS)}", lang)
        contacts = _contacts(c, m.get("contacts", []), f"{p}.contacts")
        if not contacts:
            c.problems.append(f"{p}.contacts: must list at least one contact method; got none")
        out.append(Member(
            id=mid, name=c.get(m, "name", f"{p}.name", str, mid), roles=c.strings(m, "roles", f"{p}.roles"),
            contacts=contacts, working_hours=hours, working_days=days,
            substitute=c.get(m, "substitute", f"{p}.substitute", str, ""), vacations=tuple(vacations),
            lang=lang if lang in LANGS else ""))
    ids = [m.id for m in out]
    for mid in {x for x in ids if ids.count(x) > 1}:
        c.problems.append(f"committee.members: id {mid!r} is used twice")
    known = set(ids)
    for i, m in enumerate(out):
        if m.substitute and m.substitute not in known:
            c.bad(f"committee.members[{i}].substitute", f"a member id ({', '.join(sorted(known))})", m.substitute)
        for j, v in enumerate(m.vacations):
            if v.substitute and v.substitute not in known:
                c.bad(f"committee.members[{i}].vacations[{j}].substitute", "a member id", v.substitute)
    # A chain of substitutes that loops would leave a page with nobody to go to.
    subs = {m.id: m.substitute for m in out if m.substitute}
    for start in subs:
        seen, cur = [start], subs.get(start)
        while cur and cur not in seen:
            seen.append(cur)
            cur = subs.get(cur)
        if cur == start:
            c.problems.append(f"committee.members: substitutes form a cycle: {' -> '.join(seen + [start])}")
            break
    return tuple(out)


def _target_ok(c: _Checker, target: str, path: str, members, roles) -> None:
    if target == "oncall":
        return
    kind, _, name = target.partition(":")
    if kind == "member" and name in {m.id for m in members}:
        return
    if kind == "role" and name in roles:
        return
    if kind == "member":
        c.bad(path, f"a known member (member:{'|'.join(m.id for m in members)})", target)
    elif kind == "role":
        c.bad(path, f"a role some member has ({', '.join(sorted(roles)) or 'none defined'})", target)
    else:
        c.bad(path, '"member:ID", "role:NAME" or "oncall"', target)


def _policies(c: _Checker, items, members) -> tuple[Policy, ...]:
    roles = {r for m in members for r in m.roles}
    out = []
    covered = set()
    for i, pol in enumerate(items if isinstance(items, list) else []):
        p = f"escalation.policies[{i}]"
        if not isinstance(pol, dict):
            c.bad(p, "a table", pol)
            continue
        name = c.get(pol, "name", f"{p}.name", str, f"policy{i}")
        sev = c.strings(pol, "severities", f"{p}.severities")
        for j, s in enumerate(sev):
            if s not in SEVERITY_ORDER:
                c.bad(f"{p}.severities[{j}]", f"one of {', '.join(SEVERITY_ORDER)}", s)
        covered.update(sev)
        steps = []
        raw_steps = pol.get("steps", [])
        if not isinstance(raw_steps, list) or not raw_steps:
            c.problems.append(f"{p}.steps: must list at least one step; got an empty chain")
            raw_steps = []
        for j, s in enumerate(raw_steps):
            sp = f"{p}.steps[{j}]"
            if not isinstance(s, dict):
                c.bad(sp, 'a table like { notify = "member:ana", wait_minutes = 5 }', s)
                continue
            target = c.get(s, "notify", f"{sp}.notify", str, "", required=True)
            if target:
                _target_ok(c, target, f"{sp}.notify", members, roles)
            wait = c.number(s, "wait_minutes", f"{sp}.wait_minutes", 5, 0, 7 * 24 * 60, " minutes")
            steps.append(Step(target, wait))
        repeat = c.get(pol, "repeat", f"{p}.repeat", int, 1)
        if not 1 <= repeat <= 100:
            c.bad(f"{p}.repeat", "an integer from 1 to 100", repeat)
            repeat = 1
        out.append(Policy(name, sev, tuple(steps), repeat))
    if members and "critical" not in covered:
        c.problems.append("escalation.policies: no policy covers severity 'critical': a threat would page nobody")
    return tuple(out)


def _claims(c: _Checker, items) -> tuple[Claim, ...]:
    out = []
    for i, cl in enumerate(items if isinstance(items, list) else []):
        p = f"claims[{i}]"
        if not isinstance(cl, dict):
            c.bad(p, "a table", cl)
            continue
        out.append(Claim(
            id=c.get(cl, "id", f"{p}.id", str, f"claim{i}", required=True),
            claim=c.get(cl, "claim", f"{p}.claim", str, "", required=True),
            clarification=c.get(cl, "clarification", f"{p}.clarification", str, "", required=True),
            url=c.get(cl, "url", f"{p}.url", str, ""),
            examples=c.strings(cl, "examples", f"{p}.examples")))
    return tuple(out)


def _institution(c: _Checker, data: dict) -> dict:
    inst = c.get(data, "institution", "institution", dict, {}, required=True)
    name = c.get(inst, "name", "institution.name", str, "", required=True)
    tz = c.get(inst, "timezone", "institution.timezone", str, "UTC")
    try:
        ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError):
        c.bad("institution.timezone", "an IANA time zone like America/Mexico_City", tz)
        tz = "UTC"
    langs = c.strings(inst, "languages", "institution.languages", ("es",))
    for i, lang in enumerate(langs):
        if lang not in LANGS:
            c.bad(f"institution.languages[{i}]", f"one of {', '.join(LANGS)}", lang)
    colors = c.strings(inst, "colors", "institution.colors", Report.colors)
    for i, col in enumerate(colors):
        if not re.fullmatch(r"#[0-9a-fA-F]{6}", col):
            c.bad(f"institution.colors[{i}]", "a colour like #5b2a86", col)
    return {"name": name, "short_name": c.get(inst, "short_name", "institution.short_name", str, name),
            "timezone": tz, "languages": langs, "colors": tuple(colors[:2]) if len(colors) >= 2 else Report.colors}


def _watch(c: _Checker, data: dict) -> dict:
    watch = c.get(data, "watch", "watch", dict, {})
    feeds = c.strings(watch, "feeds", "watch.feeds")
    for i, f in enumerate(feeds):
        if not re.match(r"^(https?://|file://|/)", f):
            c.bad(f"watch.feeds[{i}]", "an http(s) URL of an RSS or Atom feed", f)
    return {"keywords": c.strings(watch, "keywords", "watch.keywords"),
            "hashtags": c.strings(watch, "hashtags", "watch.hashtags"),
            "names": c.strings(watch, "names", "watch.names"), "feeds": feeds}


def _committee(c: _Checker, data: dict) -> dict:
    committee = c.get(data, "committee", "committee", dict, {})
    members = _members(c, c.items(committee, "members", "committee.members"))
    holidays = tuple(d for i, h in enumerate(c.items(committee, "holidays", "committee.holidays"))
                     if (d := c.day(h, f"committee.holidays[{i}]")))
    oncall = []
    for i, o in enumerate(c.items(committee, "oncall", "committee.oncall")):
        p = f"committee.oncall[{i}]"
        if not isinstance(o, dict):
            c.bad(p, "a table", o)
            continue
        mid = c.get(o, "member", f"{p}.member", str, "", required=True)
        if mid and not any(m.id == mid for m in members):
            c.bad(f"{p}.member", "a member id", mid)
        hours = c.hours(o.get("hours", "00:00-24:00"), f"{p}.hours") or (time(0), time(23, 59, 59))
        oncall.append(OnCall(mid, c.strings(o, "days", f"{p}.days", DAYS), hours))
    return {"members": members, "holidays": holidays, "oncall": tuple(oncall)}


def _escalation(c: _Checker, data: dict, members, accounts) -> dict:
    esc = c.get(data, "escalation", "escalation", dict, {})
    roles = {r for m in members for r in m.roles}
    operations = c.strings(esc, "operations", "escalation.operations")
    for j, t in enumerate(operations):
        _target_ok(c, t, f"escalation.operations[{j}]", members, roles)
    for i, a in enumerate(accounts):
        for j, t in enumerate(a.contacts):
            _target_ok(c, t if ":" in t or t == "oncall" else f"member:{t}", f"accounts[{i}].contacts[{j}]",
                       members, roles)
    return {"policies": _policies(c, c.items(esc, "policies", "escalation.policies"), members),
            "fallback": _contacts(c, c.items(esc, "fallback", "escalation.fallback"), "escalation.fallback"),
            "operations": operations}


def _links(c: _Checker, data: dict, signs: bool) -> Links:
    """``signs``: whether anything will be signed (pages' links, login sessions): then the key
    must be real."""
    links_t = c.get(data, "links", "links", dict, {})
    secret_env = c.get(links_t, "secret_env", "links.secret_env", str, Links.secret_env)
    secret = ""
    if signs:
        secret = c.secret(secret_env, "links.secret_env")
        if secret and secret_problem(secret):
            c.problems.append(f"links.secret_env: {secret_env} {secret_problem(secret)}")
    return Links(base_url=c.get(links_t, "base_url", "links.base_url", str, Links.base_url), secret_env=secret_env,
                 secret=secret, ttl_hours=c.setting(links_t, "links.ttl_hours"))


def _store(c: _Checker, data: dict, env, base_dir: Path | None) -> dict:
    store = c.get(data, "store", "store", dict, {})
    store_path = c.get(store, "path", "store.path", str, "escucha.db")
    state_env = c.get(store, "state_url_env", "store.state_url_env", str, "")
    state_url = c.secret(state_env, "store.state_url_env") if state_env else ""
    if state_url and not re.match(r"^(postgresql(\+\w+)?|sqlite)://", state_url):
        c.problems.append(f"store.state_url_env: {state_env} must hold a postgresql:// or sqlite:// URL; got a value "
                          f"with scheme {state_url.split(':')[0][:12]!r}")
    # A relative store path lives in $ESCUCHA_DATA_DIR where the deployment names one (the
    # compose stack's writable /data volume; the configuration's own folder is mounted
    # read-only there), else beside the configuration file.
    data_dir = env.get("ESCUCHA_DATA_DIR") or (str(base_dir) if base_dir else "")
    if data_dir and not os.path.isabs(store_path):
        store_path = str(Path(data_dir) / store_path)
    if store_backend_raw(store) == "sqlite" and (why := _unwritable(store_path)):
        c.problems.append(f"store.path: {store_path} cannot be written ({why})")
    backend = c.setting(store, "store.backend")
    index_t = c.get(data, "index", "index", dict, {})
    index_env = c.get(index_t, "url_env", "index.url_env", str, "")
    index_url = c.secret(index_env, "index.url_env") if index_env else ""
    product, prefix = c.setting(index_t, "index.product"), c.setting(index_t, "index.prefix")
    if backend != "sqlite":
        if not index_url:
            c.problems.append(f"store.backend: {backend} keeps the mentions in the [index] server; set "
                              "index.url_env to a variable holding its URL")
        if "product" in index_t and product != backend:
            c.bad("index.product", f"{backend} (the store backend)", product)
        product = backend
    if not re.fullmatch(r"[a-z0-9][a-z0-9_-]{0,60}", prefix):
        c.bad("index.prefix", "a lower-case index name prefix", prefix)
    return {"store_path": store_path, "store_backend": backend, "state_url": state_url,
            "retention_days": c.setting(store, "store.retention_days"), "index_url": index_url,
            "index_product": product, "index_prefix": prefix}


def _classifier(c: _Checker, data: dict, base_dir: Path | None) -> dict:
    clf = c.get(data, "classifier", "classifier", dict, {})
    model_dir = c.get(clf, "model_dir", "classifier.model_dir", str, "")
    if model_dir and base_dir and not os.path.isabs(model_dir):
        # Beside the file first; else one of the models that ship with escucha, as the README
        # names them ("classifiers/models/frozen-e5") wherever the file lives (compose: config/).
        here, shipped = base_dir / model_dir, Path(__file__).resolve().parent.parent / model_dir
        model_dir = str(shipped if not here.exists() and (shipped / "manifest.json").exists() else here)
    return {"encoder": c.setting(clf, "classifier.encoder"), "shards": c.setting(clf, "classifier.shards"),
            "model_dir": model_dir}


def _base_urls(c: _Checker, data: dict) -> dict:
    out = {}
    for plat, table in c.get(data, "platforms", "platforms", dict, {}).items():
        if plat not in _platforms() or not isinstance(table, dict):
            c.bad(f"platforms.{plat}", f"a table for one of {', '.join(_platforms())}", table)
            continue
        url = c.get(table, "base_url", f"platforms.{plat}.base_url", str, "")
        if url and not re.match(r"^https?://", url):
            c.bad(f"platforms.{plat}.base_url", "an http(s) URL", url)
        out[plat] = url
    return out


def parse(data: dict, path: str = "", env=None, base_dir: Path | None = None) -> Config:
    """Validate a configuration given as a dict (parsed TOML), one section at a time. Raises
    ConfigError with every problem."""
    env = os.environ if env is None else env
    c = _Checker(env)
    c.problems += unknown_keys(data, {name: {s.name for s in settings.section(name)}
                                      for name in ("thresholds", "detection")})
    inst = _institution(c, data)
    accounts = _accounts(c, c.items(data, "accounts", "accounts"), "accounts")
    if not accounts and "accounts" in data:
        c.problems.append("accounts: must list at least one institutional account; got none")
    committee = _committee(c, data)
    escalation = _escalation(c, data, committee["members"], accounts)
    web = _web(c, c.get(data, "web", "web", dict, {}))
    links = _links(c, data, signs=bool(committee["members"] or escalation["policies"] or web.users))
    rep = c.get(data, "report", "report", dict, {})
    report = Report(lang=c.setting(rep, "report.lang"), colors=inst.pop("colors"),
                    recipients=_contacts(c, rep.get("recipients", []), "report.recipients"))
    config = dict(
        **inst, **_watch(c, data), **_store(c, data, env, base_dir), **_classifier(c, data, base_dir),
        **committee, **escalation, accounts=accounts, links=links, web=web, report=report, path=path,
        similar=_accounts(c, c.items(data, "similar", "similar"), "similar"),
        claims=_claims(c, c.items(data, "claims", "claims")),
        thresholds=Thresholds(**_from_table(c, c.get(data, "thresholds", "thresholds", dict, {}), "thresholds")),
        detection=Detection(**_from_table(c, c.get(data, "detection", "detection", dict, {}), "detection")),
        base_urls=_base_urls(c, data))
    if c.problems:
        raise ConfigError(c.problems, path)
    return Config(**config)


def load(path: str | Path, env=None) -> Config:
    """Read and validate a TOML file."""
    path = Path(path)
    if not path.exists():
        raise ConfigError([f"file not found: {path}"], str(path))
    if not path.is_file():
        raise ConfigError(["must be a TOML file; got a folder"], str(path))
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError([f"not valid TOML: {exc}"], str(path)) from None
    except UnicodeDecodeError:
        raise ConfigError(["must be UTF-8 text; got undecodable bytes"], str(path)) from None
    return parse(data, str(path), env=env, base_dir=path.parent.resolve())


def mask(url: str) -> str:
    """A channel URL with its secrets hidden, safe for logs and the audit trail."""
    if "://" not in url:
        return "***"
    scheme, rest = url.split("://", 1)
    host = rest.split("/", 1)[0].split("?", 1)[0]
    if "@" in host:
        host = host.rsplit("@", 1)[1]
    return f"{scheme}://{host[:3]}***" if scheme not in ("mailto", "mailtos") else f"{scheme}://{host}/***"
