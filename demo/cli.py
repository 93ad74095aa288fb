"""``escucha demo``: the bundled week through the whole pipeline, then a scored replay
(registered in the ``escucha.commands`` entry-point group, as a plugin's command would be)."""
from __future__ import annotations

from pathlib import Path

import click



@click.command()
@click.option("--out", default="escucha-demo", show_default=True, help="Folder for the demo's outputs.")
def demo(out):
    """Replay a bundled week of mentions through the whole pipeline, with no server."""
    from demo.run import run

    s = run(out, echo=click.echo)
    click.echo("")
    click.echo(f"{s['mentions']} mentions stored, {s['quarantined']} quarantined, {s['emails']} e-mails delivered.")
    click.echo("Incidents:")
    for i in s["incidents"]:
        ack = f"acknowledged by {i['acknowledged_by']}" if i["acknowledged_by"] else i["status"]
        click.echo(f"  #{i['id']} [{i['severity']}] {i['title']} — {ack}")
    click.echo("Outputs:")
    click.echo(f"  store:         {s['out']}/escucha.db")
    click.echo(f"  e-mails:       {s['out']}/mail/*.eml")
    click.echo(f"  weekly report: {s['report']}")
    if s.get("analyst"):
        click.echo(f"  analyst view:  {s['analyst']}")
    # A scenario week scored against its truth: what `escucha replay` gives a committee.
    from replay.run import SCENARIOS, replay as run_replay

    week = SCENARIOS / "humanitaire-sahel.jsonl"
    click.echo(f"\nScenario replay ({week.stem}, a week for a UN food agency in the Sahel, fr/en):")
    r = run_replay(week, out=Path(out) / "replay", expected=week.with_suffix(".truth.json"), echo=lambda _: None)
    sc = r["score"]
    click.echo(f"  {sc['in_time']} of {sc['of']} expected incidents found in time, {len(sc['false_incidents'])} false, "
               f"{sc['critical_pages_for_non_threats']} critical pages for non-threats")
    for e in sc["expected"]:
        click.echo(f"  - {e['id']} ({e['kind']}): "
                   + (f"found in {e['lag_minutes']:g} min" if e["found"] else "missed"))
    click.echo(f"  timeline: {r['out']}/timeline.txt, score: {r['out']}/score.json")
