"""``ideabox export``: the monthly top-ideas export to a file, with a progress bar."""

from __future__ import annotations

from pathlib import Path

import click
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from ideabox.exports import formats, service
from ideabox.exports.schemas import ExportRow, Format
from ideabox.platform.errors import IdeaboxError, Invalid
from ideabox.platform.months import parse_month
from ideabox.runtime import async_command
from ideabox.services import Services


@async_command
async def _export(services: Services, month_text: str, slug: str | None, fmt: Format,
                  target: Path) -> int:
    try:
        month = parse_month(month_text)
    except Invalid as exc:  # badly written, or a year outside the range
        raise click.BadParameter(f"{exc.message}, e.g. 2026-11",
                                 param_hint="--month") from None
    async with services.pool.acquire() as conn, conn.transaction(readonly=True):
        try:
            scope = await service.find_scope(conn, None, month, slug,
                                               now=services.clock.now())
        except IdeaboxError as exc:
            raise click.ClickException(exc.detail) from None
        total = await service.count_rows(conn, scope)
        progress = Progress(TextColumn("{task.description}"), BarColumn(),
                            MofNCompleteColumn(), TimeElapsedColumn(),
                            console=Console(stderr=True), transient=False)
        with progress:
            task = progress.add_task(f"exporting {target.name}", total=total)

            def advance(_: ExportRow) -> None:
                progress.advance(task)

            rows = service.export_rows(conn, scope, services.settings.base_url)
            await formats.write_file(rows, fmt, target, on_row=advance)
    return total


@click.command("export")
@click.option("--month", required=True, metavar="YYYY-MM", help="The promoted month.")
@click.option("--purpose", "slug", metavar="SLUG", help="Only this purpose (default: all).")
@click.option("--format", "fmt", type=click.Choice(["csv", "csv-excel", "xlsx", "json"]),
              default="csv", show_default=True, help="csv-excel: with a BOM and ';' for Excel.")
@click.option("-o", "--output", "target", required=True,
              type=click.Path(dir_okay=False, writable=True, path_type=Path),
              help="The file to write (replaced only once the export is complete).")
def export(month: str, slug: str | None, fmt: Format, target: Path) -> None:
    """Export a month's promoted ideas (the columns of the README's "Exports")."""
    rows = _export(month, slug, fmt, target)
    click.echo(f"wrote {rows} idea(s) to {target}")
