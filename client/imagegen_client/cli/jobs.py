"""`imagegen jobs submit|status|wait|list-mine`, `imagegen upload`, `imagegen drop`, `imagegen event`
and `imagegen playground`.

A request file is a job request as JSON (`operation` names the operation; absent: images). An
image field may name a local file as "@photo.png": it is sent inline or uploaded, as an image
argument of the typed commands is."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from imagegen_client.cli.context import Cli, command
from imagegen_client.errors import ImageGenError, ValidationError
from imagegen_client.images import IMAGE_FIELDS

jobs = typer.Typer(help="Asynchronous jobs: submit one, read its status, wait for it, list your own")

RequestFile = Annotated[Path, typer.Argument(allow_dash=True, help="The request as JSON (- reads stdin)")]
Out = Annotated[Path, typer.Option("--out", "-o", file_okay=False, help="Where to save the images")]
WaitTimeout = Annotated[float, typer.Option("--wait-timeout", help="Seconds to wait for the job or result")]
NoWait = Annotated[bool, typer.Option("--no-wait", help="Do not wait for the result")]


def read_request(path: Path) -> dict[str, Any]:
    """The request in `path`, with "@file" image fields as local paths."""
    text = sys.stdin.read() if str(path) == "-" else path.read_text()
    try:
        document = json.loads(text)
    except ValueError as exc:
        raise ValidationError(None, "validation_error", f"{path}: not JSON ({exc})") from None
    if not isinstance(document, dict):
        raise ValidationError(None, "validation_error", f"{path}: the request must be a JSON object")
    for name in IMAGE_FIELDS & document.keys():
        value = document[name]
        if isinstance(value, str) and value.startswith("@"):
            document[name] = Path(value[1:]).expanduser()
    return document


def _stem(job_or_request: Any) -> str:
    operation = getattr(job_or_request, "operation", None) or "images"
    return "generate" if operation == "images" else operation.replace("/", "-")


@jobs.command("submit")
@command
def submit(
    cli: Cli,
    request: RequestFile,
    operation: Annotated[str | None, typer.Option("--operation", help="e.g. upscale/creative")] = None,
    idempotency_key: Annotated[str | None, typer.Option("--idempotency-key", help="Same key: same job")] = None,
    wait: Annotated[bool, typer.Option("--wait", help="Wait for the job and save its images")] = False,
    out: Out = Path("."),
    wait_timeout: WaitTimeout = 600.0,
) -> None:
    """Queue a request as a job (POST /jobs)."""
    fields = read_request(request)
    name = operation or str(fields.pop("operation", "images"))
    fields.pop("operation", None)
    accepted = cli.client.submit_job(name, idempotency_key=idempotency_key, **fields)
    if not wait:
        cli.emit(accepted.model_dump(mode="json"))
        cli.say(f"job {accepted.job_id} {accepted.status}")
        return
    _wait(cli, accepted.job_id, out, wait_timeout)


def _wait(cli: Cli, job_id: str, out: Path, timeout: float) -> None:
    with cli.progress(f"job {job_id}: waiting") as update:
        job = cli.client.wait(job_id, timeout=timeout, on_status=lambda now: update(f"job {job_id}: {now.status}"))
    cli.say(f"job {job_id} {job.status}")
    cli.finish_job(job, out, _stem(job))


@jobs.command("status")
@command
def status(cli: Cli, job_id: str) -> None:
    """Read a job: its status, and its images once it has succeeded."""
    job = cli.client.job(job_id)
    cli.emit(job.model_dump(mode="json", exclude_none=True))
    cli.say(f"job {job.job_id} {job.status} ({job.operation})")
    for image in job.images or []:
        cli.say(f"  {image.url}  {image.width}x{image.height}  seed {image.seed}")
    if job.error is not None:
        cli.say(f"  error {job.error.code}: {job.error.message}")


@jobs.command("wait")
@command
def wait(cli: Cli, job_id: str, out: Out = Path("."), wait_timeout: WaitTimeout = 600.0) -> None:
    """Wait for a job to finish and save its images; a failed job exits with its error's code."""
    _wait(cli, job_id, out, wait_timeout)


@jobs.command("list-mine")
@command
def list_mine(
    cli: Cli,
    limit: Annotated[int | None, typer.Option("--limit", help="Jobs per page, 1 to 100")] = None,
    cursor: Annotated[str | None, typer.Option("--cursor", help="next_cursor of the previous page")] = None,
) -> None:
    """List your own jobs, newest first, one page."""
    page = cli.client.jobs(limit=limit, cursor=cursor)
    cli.emit(page.model_dump(mode="json", exclude_none=True))
    if cli.json_output:
        return
    table = Table("job", "status", "operation", "created", "images")
    for job in page.jobs:
        table.add_row(
            job.job_id, job.status, job.operation or "images", str(job.created_at), str(len(job.images or []))
        )
    cli.out.print(table)
    if page.next_cursor:
        cli.say(f"more: --cursor {page.next_cursor}")


@command
def upload(cli: Cli, file: Annotated[Path, typer.Argument(exists=True, dir_okay=False)]) -> None:
    """Upload an image (POST /uploads and its presigned S3 POST); prints its upload_id."""
    upload_id = cli.client.upload(file)
    cli.emit({"upload_id": upload_id})
    cli.say(upload_id)


def _result(cli: Cli, name: str, out: Path, timeout: float) -> None:
    with cli.progress(f"{name}: waiting for results/{name}.json") as update:
        job = cli.client.wait_result(name, timeout=timeout, on_status=lambda now: update(f"{name}: {now.status}"))
    cli.say(f"{name} {job.status}")
    cli.finish_job(job, out, _stem(job))


@command
def drop(
    cli: Cli,
    request: RequestFile,
    name: Annotated[str | None, typer.Option("--name", help="requests/<name>.json (default: a new id)")] = None,
    no_wait: NoWait = False,
    out: Out = Path("."),
    wait_timeout: WaitTimeout = 600.0,
) -> None:
    """Drop a request into the bucket (requests/<name>.json), then read results/<name>.json."""
    name = cli.client.drop(read_request(request), name)
    if no_wait:
        cli.emit({"name": name, "result_key": f"results/{name}.json"})
        cli.say(f"dropped requests/{name}.json")
        return
    _result(cli, name, out, wait_timeout)


@command
def event(
    cli: Cli,
    request: RequestFile,
    request_id: Annotated[str | None, typer.Option("--request-id", help="Names the result (default: a new id)")] = None,
    no_wait: NoWait = False,
    out: Out = Path("."),
    wait_timeout: WaitTimeout = 600.0,
) -> None:
    """Put an ImageGenerationRequested event on the bus, then read results/<request_id>.json."""
    request_id = cli.client.put_event(read_request(request), request_id)
    if no_wait:
        cli.emit({"request_id": request_id, "result_key": f"results/{request_id}.json"})
        cli.say(f"event {request_id} put")
        return
    _result(cli, request_id, out, wait_timeout)


@command
def playground(
    cli: Cli,
    host: Annotated[str, typer.Option("--host")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port")] = 8765,
    no_browser: Annotated[bool, typer.Option("--no-browser", help="Do not open a browser")] = False,
) -> None:
    """Serve the playground page for this API; its requests are signed here, never in the browser."""
    try:
        from imagegen_client import playground as page
    except ModuleNotFoundError as exc:
        if exc.name not in ("imagegen_client.playground",):
            raise
        raise ImageGenError(
            None, "playground_missing", "The playground is not part of this installation (imagegen_client.playground)"
        ) from None
    page.serve(cli.client.api_url, cli.client, host=host, port=port, open_browser=not no_browser)
