"""``escucha serve`` (links, webhook, analyst view) and ``escucha dashboards …`` (saved
objects), registered in the ``escucha.commands`` entry-point group."""
from __future__ import annotations

from pathlib import Path

import click

from escucha import pipeline
from escucha.cli import CONFIG_HELP, load_config


@click.command()
@click.option("--config", "config_path", help=CONFIG_HELP)
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to listen on; beyond this machine only with a login ([web] users or trusted_header).")
@click.option("--port", default=8765, show_default=True, type=click.IntRange(1, 65535), help="Port to listen on.")
def serve(config_path, host, port):
    """Serve acknowledge links, the inbound webhook and the analyst view."""
    from dashboards.web.app import check_exposure, serve as run_server

    cfg = load_config(config_path)
    check_exposure(cfg, host)
    click.echo(f"escucha serving {cfg.name} on http://{host}:{port}/ (Ctrl-C to stop)")
    try:
        run_server(cfg, pipeline.open_store(cfg), host, port)
    except OSError as exc:  # the port is taken, the address is not this machine's, no permission
        raise click.ClickException(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from None


@click.group()
def dashboards():
    """Dashboards as code for OpenSearch Dashboards and Kibana."""


@dashboards.command("export")
@click.option("--out", default="dashboards/saved_objects/escucha.ndjson", show_default=True,
              help="The saved-objects file to write (NDJSON, as Dashboards and Kibana import it).")
@click.option("--prefix", default="escucha-mentions", show_default=True, help="Index alias the dashboards read.")
def dashboards_export(out, prefix):
    """Write the saved objects (index patterns, visualizations, the two dashboards) as NDJSON."""
    from dashboards.saved_objects import build, ndjson

    objects = build(prefix)
    Path(out).parent.mkdir(parents=True, exist_ok=True)
    Path(out).write_text(ndjson(objects), encoding="utf-8")
    click.echo(f"{len(objects)} saved objects written to {out}")


@dashboards.command("install")
@click.option("--url", required=True, help="OpenSearch Dashboards or Kibana base URL.")
@click.option("--product", type=click.Choice(["opensearch", "kibana"]), default="opensearch", show_default=True,
              help="OpenSearch Dashboards or Kibana.")
@click.option("--prefix", default="escucha-mentions", show_default=True, help="Index alias the dashboards read.")
def dashboards_install(url, product, prefix):
    """Import the dashboards through the saved-objects API (idempotent: fixed ids, overwrite)."""
    from dashboards.saved_objects import build, install

    res = install(url, product, build(prefix))
    click.echo(f"imported {res['imported']} saved objects into {product} at {url.split('@')[-1]} "
               f"(dashboards: Sala de crisis, Explorador)")
