"""What every command shares: the options that say which API and how to authenticate, the client
built from them, output (human on a terminal, JSON with --json), progress, saving images, and the
error handling that turns an ImageGenError into its message on stderr and its exit code."""

from __future__ import annotations

import functools
import inspect
import json
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer
from rich.console import Console
from rich.status import Status

from imagegen_client import _generated
from imagegen_client.client import ImageGenClient
from imagegen_client.errors import ImageGenError, error_for
from imagegen_client.transport import RetryPolicy


class Auth(StrEnum):
    sigv4 = "sigv4"
    api_key = "api-key"
    none = "none"


ApiUrl = Annotated[
    str | None,
    typer.Option("--api-url", help="The API (default: IMAGEGEN_API_URL, the outputs file, else the local run)"),
]
AuthOption = Annotated[
    Auth | None, typer.Option("--auth", help="How to authenticate (default: sigv4 when deployed, none when local)")
]
ApiKey = Annotated[str | None, typer.Option("--api-key", envvar="IMAGEGEN_API_KEY", help="Sent as x-api-key")]
JsonOutput = Annotated[bool, typer.Option("--json", help="Machine output only (JSON) on stdout")]
Timeout = Annotated[float, typer.Option("--timeout", help="Seconds to wait for one HTTP answer")]
Retries = Annotated[int, typer.Option("--retries", min=0, help="Retries of a throttled or unavailable answer")]
_COMMON = {
    "api_url": (ApiUrl, None),
    "auth": (AuthOption, None),
    "api_key": (ApiKey, None),
    "json_output": (JsonOutput, False),
    "timeout": (Timeout, 120.0),
    "retries": (Retries, 3),
}


@dataclass
class Cli:
    """One command's run: its options, its client (built on first use) and its consoles."""

    api_url: str | None = None
    auth: Auth | None = None
    api_key: str | None = None
    json_output: bool = False
    timeout: float = 120.0
    retries: int = 3
    out: Console = field(default_factory=Console)
    err: Console = field(default_factory=lambda: Console(stderr=True))
    _client: ImageGenClient | None = None

    @property
    def client(self) -> ImageGenClient:
        if self._client is None:
            auth = self.auth.value.replace("-", "_") if self.auth else None
            self._client = ImageGenClient(
                self.api_url,
                auth=auth,  # type: ignore[arg-type]  # one of the AuthMode literals
                api_key=self.api_key,
                timeout=self.timeout,
                retry=RetryPolicy(max_attempts=self.retries + 1),
            )
        return self._client

    @property
    def interactive(self) -> bool:
        """Progress and tables only for a person at a terminal."""
        return not self.json_output and self.out.is_terminal

    def emit(self, document: Any) -> None:
        """The command's result: JSON with --json, else nothing (the command says it in words)."""
        if self.json_output:
            sys.stdout.write(json.dumps(document, indent=2, default=str) + "\n")

    def say(self, text: str) -> None:
        if not self.json_output:
            self.out.print(text, highlight=False)

    @contextmanager
    def progress(self, text: str) -> Iterator[Callable[[str], None]]:
        """A live status line while something runs (only at a terminal); yields its updater."""
        if not self.interactive:
            yield lambda _: None
            return
        status = Status(text, console=self.out)
        with status:
            yield lambda message: status.update(message)

    def save_images(self, images: list[_generated.ImageView], out: Path, stem: str) -> list[str]:
        paths = []
        for image in images:
            path = self.client.download(image, out, stem=stem)
            paths.append(str(path))
            self.say(f"saved {path}  {image.width}x{image.height}  seed {image.seed}")
        return paths

    def finish_job(self, job: _generated.JobView, out: Path, stem: str) -> None:
        """Prints a finished job, saves its images, and fails with its error's exit code."""
        saved = self.save_images(job.images or [], out, stem) if job.status == "succeeded" else []
        self.emit({**job.model_dump(mode="json", exclude_none=True), "files": saved})
        if job.error is not None:
            raise error_for(None, job.error.code, job.error.message, job.error.details)

    def fail(self, error: ImageGenError) -> None:
        """The contract's code and message on stderr, then the exit code of the error's class."""
        if self.json_output:
            document = {"code": error.code, "message": error.message, "status": error.status, "details": error.details}
            sys.stderr.write(json.dumps({"error": document}) + "\n")
        else:
            self.err.print(f"[bold red]error[/]: {error.code}: {error.message}", highlight=False, markup=True)
            for item in (error.details or {}).get("errors", [])[:10]:
                self.err.print(f"  {item.get('field')}: {item.get('message')}", highlight=False, markup=False)
        raise typer.Exit(error.exit_code)


F = TypeVar("F", bound=Callable[..., Any])


def command(func: F) -> F:
    """Adds the common options to a command whose first parameter is `cli: Cli`, and handles its
    errors. Typer reads the options from the wrapper's signature."""
    signature = inspect.signature(func, eval_str=True)
    own = [parameter for name, parameter in signature.parameters.items() if name != "cli"]
    common = [
        inspect.Parameter(name, inspect.Parameter.KEYWORD_ONLY, default=default, annotation=annotation)
        for name, (annotation, default) in _COMMON.items()
    ]

    @functools.wraps(func)
    def wrapper(**arguments: Any) -> Any:
        cli = Cli(**{name: arguments.pop(name) for name in _COMMON})
        try:
            return func(cli, **arguments)
        except ImageGenError as error:
            cli.fail(error)

    parameters = [parameter.replace(kind=inspect.Parameter.KEYWORD_ONLY) for parameter in own] + common
    wrapper.__signature__ = signature.replace(parameters=parameters)  # type: ignore[attr-defined]
    wrapper.__annotations__ = {parameter.name: parameter.annotation for parameter in parameters}
    return wrapper  # type: ignore[return-value]
