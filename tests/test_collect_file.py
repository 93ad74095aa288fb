"""File import: CSV/JSONL exports with a column mapping; bad rows quarantined, the rest stored."""
import json
import subprocess
import sys

import pytest

from collectors.file import FileCollector
from escucha.errors import InputError


def test_csv_with_mapping_and_a_bad_row(config, store, tmp_path):
    f = tmp_path / "export.csv"
    f.write_text("ID,Contenido,Fecha,Usuario,Seguidores\n"
                 "1,Hola @IEN_Oficial,2026-11-10T12:00:00Z,ana,10\n"
                 "2,,2026-11-10T12:01:00Z,beto,5\n"
                 "3,Fecha rota,ayer,carla,x\n"
                 "4,Gracias,2026-11-10 12:03:00,dani,7\n", encoding="utf-8")
    mapping = {"native_id": "ID", "text": "Contenido", "created_at": "Fecha", "author": "Usuario",
               "author_followers": "Seguidores"}
    res = FileCollector(config, store, path=str(f), mapping=mapping, platform="brandwatch").collect()
    assert (res.fetched, res.new, res.quarantined) == (4, 2, 2)
    reasons = [q["reason"] for q in store.quarantined()]
    assert reasons[0].startswith("export.csv:3: missing field(s): text")
    assert reasons[1].startswith("export.csv:4: created_at must be an ISO-8601 time; got 'ayer'")
    m = store.get_mention("brandwatch:4")
    assert m.author.handle == "dani" and m.author.followers == 7 and m.created_at.isoformat().startswith("2026-11-10")
    again = FileCollector(config, store, path=str(f), mapping=mapping, platform="brandwatch").collect()
    assert again.new == 0


def test_jsonl_with_broken_line(config, store, tmp_path):
    f = tmp_path / "export.jsonl"
    rows = [{"platform": "x", "id": "9", "text": "uno", "created_at": "2026-11-10T00:00:00Z", "author": "a"},
            "not json", {"platform": "x", "id": "10", "text": "dos", "created_at": "2026-11-10T00:00:00Z"}]
    f.write_text("\n".join(r if isinstance(r, str) else json.dumps(r) for r in rows), encoding="utf-8")
    res = FileCollector(config, store, path=str(f)).collect()
    assert (res.new, res.quarantined) == (2, 1)
    assert "export.jsonl:2: not valid JSON" in store.quarantined()[0]["reason"]


def test_cli_reports_a_missing_file_without_traceback(tmp_path, env):
    cfg = tmp_path / "escucha.toml"
    cfg.write_text('[institution]\nname = "X"\n[store]\npath = "x.db"\n', encoding="utf-8")
    r = subprocess.run([sys.executable, "-m", "escucha.cli", "collect", "--config", str(cfg), "--source", "file",
                        "--path", str(tmp_path / "nope.csv")], capture_output=True, text=True)
    assert r.returncode == 1 and "nope.csv: file not found" in r.stderr and "Traceback" not in r.stderr


def test_half_an_emoji_a_bom_and_bad_bytes(config, store, tmp_path):
    # A truncated export leaves half an emoji as a JSON escape; no store can hold it as
    # UTF-8, so it becomes U+FFFD and the rest of the post is kept (and so is the page).
    f = tmp_path / "export.jsonl"
    f.write_bytes(b"\xef\xbb\xbf" + "\n".join([
        '{"id": "1", "text": "la casilla \\ud83d cerr\\u00f3", "created_at": "2026-11-10T00:00:00Z", "author": "a"}',
        '{"id": "2", "text": "entero \\ud83d\\ude00", "created_at": "2026-11-10T00:00:00Z", "author": "b\\udc00"}',
        '{"id": "3", "text": "sin fecha \\udfff"}']).encode("utf-8"))
    res = FileCollector(config, store, path=str(f)).collect()
    assert (res.fetched, res.new, res.quarantined) == (3, 2, 1)
    assert store.get_mention("file:1").text == "la casilla \ufffd cerró"
    two = store.get_mention("file:2")
    assert two.text == "entero 😀" and two.author.handle == "b\ufffd"  # a pair is kept whole
    kept = store.quarantined()[0]
    assert kept["reason"].startswith("export.jsonl:3:") and "sin fecha \ufffd" in kept["payload"]
    latin = tmp_path / "latin1.csv"
    latin.write_bytes("id,text,created_at,author\n1,caf\u00e9,2026-11-10T00:00:00Z,a\n".encode("latin-1"))
    with pytest.raises(InputError, match="latin1.csv:2: byte 0xe9 at offset 31: must be UTF-8 text"):
        FileCollector(config, store, path=str(latin)).collect()


def test_malformed_lines_are_quarantined_with_their_line_and_the_rest_is_stored(config, store, tmp_path):
    f = tmp_path / "mixed.jsonl"
    good = '{"id": "%s", "text": "hola %s", "created_at": "2026-11-10T00:00:00Z", "author": "a"}'
    lines = [good % (1, 1), "[1, 2]", "42", "null", '"texto"', good % (2, 2),
             '{"id": "3", "text": "x", "created_at": 1e20, "author": "a"}',
             '{"id": "4", "text": "x", "created_at": "2026-11-10T00:00:00Z", "author": "a", "followers": Infinity}',
             '{"id": "5", "text": "x", "created_at": "2026-11-10T00:00:00Z", "author": "a", "accounts": 5}',
             "[" * 50_000 + "]" * 50_000,
             # The same post twice with different fields: the last row wins, nothing is rolled back.
             good % (6, "primera"), good % (6, "segunda")]
    f.write_text("\n".join(lines) + "\n", encoding="utf-8")
    res = FileCollector(config, store, path=str(f)).collect()
    assert res.new == 3 and res.quarantined == 8, res
    assert store.get_mention("file:6").text == "hola segunda"
    reasons = " | ".join(q["reason"] for q in store.quarantined())
    for n in (2, 3, 4, 5):
        assert f"mixed.jsonl:{n}: each line must be a JSON object" in reasons
    for n in (7, 8, 9):
        assert f"mixed.jsonl:{n}: a field has the wrong type or an impossible value" in reasons
    assert "mixed.jsonl:10: not valid JSON (nested too deep)" in reasons


def test_a_csv_field_over_128_kb_is_read(config, store, tmp_path):
    f = tmp_path / "long.csv"
    long_text = "palabra " * 40_000  # 320 KB
    f.write_text(f"id,text,created_at,author\n1,{long_text},2026-11-10T00:00:00Z,a\n", encoding="utf-8")
    res = FileCollector(config, store, path=str(f)).collect()
    assert res.new == 1 and store.get_mention("file:1").text.startswith("palabra palabra")


def test_nested_fields_own_posts_replies_reposts_and_quotes(config, store, tmp_path):
    """An export of API-shaped posts: the author and metrics nested, the post referred to
    in a list; a post by one of the institution's accounts is its own."""
    def post(i, text, user, followers=10, refs=(), **kw):
        return {"id_str": str(i), "full_text": text, "created": f"2026-11-10T12:0{i}:00Z",
                "user": {"screen_name": user, "name": user.title(), "verified": "false",
                         "public_metrics": {"followers_count": followers}},
                "referenced": [{"type": t, "id": str(r)} for t, r in refs], "stats": {"likes": i}, **kw}

    rows = [post(1, "¿Dónde voto? @IEN_Oficial", "ana"),
            post(2, "@ana en nuestro sitio", "IEN_Oficial", 1_250_000, [("replied_to", 1)]),
            post(3, "RT @ana: ¿Dónde voto?", "beto", refs=[("retweeted", 1)]),
            post(4, "esto mismo pregunto yo", "carla", refs=[("quoted", 1)], mine="sí")]
    f = tmp_path / "export.jsonl"
    f.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows), encoding="utf-8")
    mapping = {"native_id": "id_str", "text": "full_text", "created_at": "created", "author": "user.screen_name",
               "author_name": "user.name", "author_verified": "user.verified",
               "author_followers": "user.public_metrics.followers_count", "likes": "stats.likes",
               "in_reply_to": "referenced.0.id", "own": "mine"}
    res = FileCollector(config, store, path=str(f), mapping=mapping, platform="x").collect()
    assert (res.new, res.quarantined) == (4, 0), store.quarantined()
    ask, answer = store.get_mention("x:1"), store.get_mention("x:2")
    assert ask.author.display_name == "Ana" and ask.accounts == ("x:@IEN_Oficial",) and not ask.own
    assert answer.own and answer.in_reply_to == "x:1" and answer.author.followers == 1_250_000
    assert answer.metrics == {"likes": 2}
    assert store.get_mention("x:4").own, "the file's own column: 'sí'"
    # Reposts and quotes by their own columns.
    mapping2 = {**mapping, "in_reply_to": "", "repost_of": "referenced.0.id", "own": ""}
    FileCollector(config, store, path=str(f), mapping=mapping2, platform="y").collect()
    assert store.get_mention("y:3").repost_of == "y:1" and store.get_mention("y:2").own


def test_a_mapping_to_a_field_we_do_not_have_is_refused(config, store, tmp_path):
    with pytest.raises(InputError, match="--map field must be one of .*; got autor"):
        FileCollector(config, store, path=str(tmp_path / "x.csv"), mapping={"autor": "user"})
    f = tmp_path / "e.csv"
    f.write_text("id,text,created_at,own\n1,hola,2026-11-10T12:00:00Z,quizás\n", encoding="utf-8")
    res = FileCollector(config, store, path=str(f)).collect()
    assert res.quarantined == 1 and "own must be true or false; got 'quizás'" in store.quarantined()[0]["reason"]
