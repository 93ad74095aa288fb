"""``escucha replay``: a scenario week through the pipeline on its own clock (registered in
the ``escucha.commands`` entry-point group)."""
from __future__ import annotations

import click

from escucha.cli import echo_json


@click.command()
@click.argument("scenario", type=click.Path(dir_okay=False))
@click.option("--config", "config_path", help="Configuration to replay with (default: the scenario's \"config\").")
@click.option("--expected", type=click.Path(dir_okay=False), help="A truth file: score the replay against it.")
@click.option("--out", default="escucha-replay", show_default=True, help="Folder for the timeline and score.")
@click.option("--ack-after", default=10.0, show_default=True, type=click.FloatRange(0, 24 * 60),
              help="Minutes after its first page the simulated committee acknowledges an incident.")
@click.option("--drill", is_flag=True, help="A committee drill: page the configured committee for real, every "
                                            "page marked SIMULACRO; nobody is simulated.")
@click.option("--json", "as_json", is_flag=True, help="Print the score as JSON.")
def replay(scenario, config_path, expected, out, ack_after, drill, as_json):
    """Replay a scenario week through the pipeline on its own clock (scenario format: README)."""
    from replay.run import replay as run_replay

    if drill:
        click.echo("SIMULACRO: the committee's real channels will be paged, every page marked SIMULACRO.", err=True)
    res = run_replay(scenario, config_path, out, expected, drill=drill, ack_after=ack_after,
                     echo=(lambda line: None) if as_json else click.echo)
    sc = res.get("score")
    if as_json:
        return echo_json(sc or {"incidents": len(res["incidents"]), "emails": res["emails"]})
    click.echo(f"{res['posts']} posts replayed, {len(res['incidents'])} incidents, {res['emails']} e-mails "
               f"{'sent (drill)' if drill else 'caught by the local mail server'}; timeline in {res['out']}/timeline.txt")
    if sc:
        click.echo(f"Expected incidents found: {sc['found']} of {sc['of']} ({sc['in_time']} in time)")
        for e in sc["expected"]:
            state = (f"found in {e['lag_minutes']:g} min" + ("" if e["in_time"] else f", late (goal {e['within_minutes']:g})")
                     + ("" if e["grouped"] else f", split in {len(e['incidents'])} incidents")) if e["found"] else \
                "MISSED" + (f" (seen as {', '.join(e['also'])})" if e["also"] else "")
            click.echo(f"  {e['id']} ({e['kind']}): {state}")
        click.echo(f"False incidents: {len(sc['false_incidents'])}" + "".join(
            f"\n  #{f['id']} [{f['severity']}] {f['title']} ({f['pages']} pages)" for f in sc["false_incidents"]))
        click.echo(f"Critical pages for non-threats: {sc['critical_pages_for_non_threats']}; duplicate pages: "
                   f"{sc['duplicate_pages']}")
        if "unanswered" in sc:
            u = sc["unanswered"]
            click.echo(f"Unanswered list: {u['listed']} listed, {u['correct']} need an answer (precision "
                       f"{u['precision']}, recall {u['recall']})")
        click.echo(f"Score in {res['out']}/score.json")
