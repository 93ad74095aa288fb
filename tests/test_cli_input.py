"""A person's mistake at the command line is named, with what was expected, and no traceback."""
import socket
import subprocess
import sys

import pytest


def _run(tmp_path, *args):
    cfg = tmp_path / "escucha.toml"
    if not cfg.exists():
        cfg.write_text('[institution]\nname = "Instituto"\n[store]\npath = "escucha.db"\n', encoding="utf-8")
    return subprocess.run([sys.executable, "-m", "escucha.cli", *args[:1], "--config", str(cfg), *args[1:]],
                          capture_output=True, text=True, timeout=120, cwd=tmp_path)


def _named(r, text):
    assert r.returncode != 0 and text in r.stderr and "Traceback" not in r.stderr, r.stderr


def test_a_report_whose_period_ends_before_it_starts_is_refused(tmp_path):
    r = _run(tmp_path, "report", "--from", "2026-11-16", "--to", "2026-11-09", "--out", str(tmp_path / "r.html"))
    _named(r, "the period must end after it starts; got --from 2026-11-16 and --to 2026-11-09")
    assert not (tmp_path / "r.html").exists()  # not an empty report that reads like a quiet week


def test_forgetting_nobody_is_refused(tmp_path):
    _named(_run(tmp_path, "forget", " @ ", "--yes"), "handle must name an author (@handle); got nothing")


def test_a_port_out_of_range_or_taken_is_named(tmp_path):
    _named(_run(tmp_path, "serve", "--port", "99999"), "99999 is not in the range 1<=x<=65535")
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        _named(_run(tmp_path, "serve", "--port", str(port)), f"cannot listen on 127.0.0.1:{port}: Address already in use")


def test_heads_that_cannot_be_written_are_named_before_any_work(tmp_path):
    (tmp_path / "a-file").write_text("x", encoding="utf-8")
    r = subprocess.run([sys.executable, "-m", "escucha.cli", "train", "--model-dir", str(tmp_path / "a-file" / "m"),
                        "--task", "threat"], capture_output=True, text=True, timeout=120)
    _named(r, f"{tmp_path / 'a-file' / 'm'}: cannot write the heads there (Not a directory)")


def test_a_pdf_report_without_out_is_named_as_a_pdf(tmp_path):
    r = _run(tmp_path, "report", "--format", "pdf", "--from", "2026-11-09", "--to", "2026-11-16")
    assert r.returncode == 0, r.stderr
    assert (tmp_path / "report.pdf").read_bytes()[:5] == b"%PDF-" and not (tmp_path / "report.html").exists()
    assert "writing the PDF report" in r.stderr


@pytest.mark.parametrize("command", [("demo",), ("replay",), ("serve",), ("dashboards", "export"), ("train",),
                                     ("model", "calibrate"), ("classify", "eval")])
def test_the_packages_commands_join_the_command_line(command):
    """Commands registered by their packages (escucha.commands entry points) answer like the core's."""
    r = subprocess.run([sys.executable, "-m", "escucha.cli", *command, "--help"], capture_output=True, text=True,
                       timeout=120)
    assert r.returncode == 0 and "Usage: " in r.stdout and "Traceback" not in r.stderr, r.stderr


def test_every_command_and_option_says_what_it_is_for():
    import click

    from escucha.cli import cli

    ctx = click.Context(cli)
    silent = []

    def walk(cmd, path):
        if isinstance(cmd, click.Group):
            for name in cmd.list_commands(ctx):
                walk(cmd.get_command(ctx, name), f"{path} {name}")
            return
        if not (cmd.help or cmd.short_help):
            silent.append(path)
        silent.extend(f"{path} {p.opts[0]}" for p in cmd.params if isinstance(p, click.Option) and not p.help)

    walk(cli, "escucha")
    assert silent == []
