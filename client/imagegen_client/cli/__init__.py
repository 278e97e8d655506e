"""The `imagegen` command: one sub-command per operation, and for jobs, uploads, S3 drops,
events and the playground. `imagegen --install-completion` installs shell completion."""

from __future__ import annotations

import typer

from imagegen_client.cli import jobs, operations

EXIT_CODES = """\
Exit codes (errors print the service's code and message on stderr):
  0 ok
  2 usage
  3 validation (400, 413, 415)
  4 content filtered (422 content_filtered)
  5 throttled (429, after the retries)
  6 model failure (502, 503, 504)
  7 server or other (500, no connection, a wait that timed out, the rest)
  8 not found (404)
  9 auth (401, 403, no credentials or API key)

The API: --api-url, else IMAGEGEN_API_URL, else ApiUrl in the JSON of cdk deploy --outputs-file
(IMAGEGEN_OUTPUTS_FILE, else ./outputs.json), else the local run at http://127.0.0.1:3000."""

app = typer.Typer(
    name="imagegen",
    help="Generate and edit images with the image generation API (deployed, or the local run of make run).",
    epilog=EXIT_CODES,
    no_args_is_help=True,
    rich_markup_mode="rich",
    pretty_exceptions_show_locals=False,
)
app.command("generate")(operations.generate)
app.add_typer(operations.upscale, name="upscale")
app.add_typer(operations.edit, name="edit")
app.add_typer(operations.control, name="control")
app.add_typer(jobs.jobs, name="jobs")
app.command("upload")(jobs.upload)
app.command("drop")(jobs.drop)
app.command("event")(jobs.event)
app.command("playground")(jobs.playground)


def main() -> None:
    app()
