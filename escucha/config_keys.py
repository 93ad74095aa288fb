"""The keys each table of the configuration may hold, so a misspelt key ("working_hour",
"secret_evn") is refused with what it was probably meant to be, instead of being ignored
while the setting it meant keeps its default.

``[]`` in a path is any item of a list of tables; ``*`` any key of a table of tables.
"""
from __future__ import annotations

import difflib

_CONTACT = {"url_env", "label"}
KEYS: dict[str, set[str]] = {
    "": {"institution", "accounts", "watch", "similar", "store", "index", "classifier", "thresholds", "detection",
         "committee", "escalation", "claims", "links", "report", "platforms", "web"},
    "institution": {"name", "short_name", "timezone", "languages", "colors"},
    "accounts[]": {"platform", "handle", "user_id", "contacts", "token_env"},
    "similar[]": {"platform", "handle", "user_id", "contacts", "token_env"},
    "watch": {"keywords", "hashtags", "names", "feeds"},
    "store": {"path", "backend", "retention_days", "state_url_env"},
    "index": {"url_env", "product", "prefix"},
    "classifier": {"encoder", "model_dir", "shards"},
    # "thresholds" and "detection": the fields of their dataclasses, given by config.parse.
    "committee": {"members", "holidays", "oncall"},
    "committee.members[]": {"id", "name", "roles", "contacts", "working_hours", "working_days", "substitute", "lang",
                            "vacations"},
    "committee.members[].contacts[]": _CONTACT,
    "committee.members[].vacations[]": {"from", "to", "substitute"},
    "committee.oncall[]": {"member", "days", "hours"},
    "escalation": {"policies", "fallback", "operations"},
    "escalation.policies[]": {"name", "severities", "steps", "repeat"},
    "escalation.policies[].steps[]": {"notify", "wait_minutes"},
    "escalation.fallback[]": _CONTACT,
    "claims[]": {"id", "claim", "clarification", "url", "examples"},
    "links": {"base_url", "secret_env", "ttl_hours"},
    "report": {"lang", "recipients"},
    "report.recipients[]": _CONTACT,
    "web": {"users", "trusted_header", "session_hours"},
    "web.users[]": {"name", "password_hash_env"},
    "platforms": {"x", "bluesky", "mastodon", "rss", "file"},
    "platforms.*": {"base_url"},
}


def unknown_keys(data: dict, more: dict[str, set[str]]) -> list[str]:
    """One problem per key no table expects, with the closest known key where one is close;
    ``more`` adds tables whose keys are a dataclass's fields."""
    problems: list[str] = []
    _walk(data, "", "", problems, {**KEYS, **more})
    return problems


def _walk(table, schema: str, where: str, problems: list[str], keys: dict) -> None:
    known = keys.get(schema)
    if known is None or not isinstance(table, dict):
        return
    for key, value in table.items():
        path = f"{where}.{key}" if where else str(key)
        if key not in known:
            near = difflib.get_close_matches(str(key), sorted(known), n=1, cutoff=0.6)
            hint = f"did you mean {near[0]!r}?" if near else f"known keys: {', '.join(sorted(known))}"
            problems.append(f"{path}: unknown key ({hint})")
            continue
        child = f"{schema}.{key}" if schema else str(key)
        if isinstance(value, list):
            for i, item in enumerate(value):
                _walk(item, child + "[]", f"{path}[{i}]", problems, keys)
        elif isinstance(value, dict):
            if child + ".*" in keys:
                for k, v in value.items():
                    _walk(v, child + ".*", f"{path}.{k}", problems, keys)
            else:
                _walk(value, child, path, problems, keys)
