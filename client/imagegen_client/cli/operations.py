"""`imagegen generate`, `imagegen upscale ...`, `imagegen edit ...`, `imagegen control ...`: one
command per operation, each with the operation's fields as options. It runs synchronously (the
API answers once the images are stored), or with --job as a job waited for, which suits the slow
operations (a creative upscale may take minutes, more than an API Gateway request may)."""

from __future__ import annotations

import inspect
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any

import typer

from imagegen_client.cli.context import Cli, command

upscale = typer.Typer(help="Upscale an image: fast (4x), conservative or creative (about 4 megapixels)")
edit = typer.Typer(help="Edit an image: remove its background, inpaint, outpaint, erase, search and replace or recolor")
control = typer.Typer(help="Generate guided by an image: sketch, structure, style guide, style transfer")

ImageArg = Annotated[Path, typer.Argument(exists=True, dir_okay=False, help="A PNG, JPEG or WebP file")]
Out = Annotated[Path, typer.Option("--out", "-o", file_okay=False, help="Where to save the images")]
Job = Annotated[bool, typer.Option("--job", help="Run as an asynchronous job and wait for it")]
WaitTimeout = Annotated[float, typer.Option("--wait-timeout", help="Seconds to wait for a job")]
Prompt = Annotated[str, typer.Option("--prompt", "-p", help="What the result should show")]
OptionalPrompt = Annotated[str | None, typer.Option("--prompt", "-p", help="What the result should show")]
Negative = Annotated[str | None, typer.Option("--negative-prompt", help="What it should not show")]
Seed = Annotated[int | None, typer.Option("--seed", help="0 or absent: random; the seed used is in the file name")]
Format = Annotated[str | None, typer.Option("--output-format", "-f", help="png, jpeg (or webp where taken)")]
StylePreset = Annotated[str | None, typer.Option("--style-preset", help="e.g. photographic, anime, 3d-model")]
Mask = Annotated[
    Path | None, typer.Option("--mask", exists=True, dir_okay=False, help="White where to change (default: alpha)")
]
GrowMask = Annotated[int | None, typer.Option("--grow-mask", help="Pixels to grow the mask by")]
Creativity = Annotated[float | None, typer.Option("--creativity")]
ControlStrength = Annotated[float | None, typer.Option("--control-strength")]
AspectRatio = Annotated[
    str | None, typer.Option("--aspect-ratio", "-a", help="16:9 1:1 21:9 2:3 3:2 4:5 5:4 9:16 9:21")
]


def execute(cli: Cli, operation: str, method: str, *, out: Path, job: bool, wait_timeout: float, **fields: Any) -> None:
    """Runs one operation through the client's typed method (or as a job), saves the images as
    <command>-<seed>.<ext> and prints what was saved (or the answer, with --json)."""
    stem = "generate" if operation == "images" else operation.replace("/", "-")
    client = cli.client
    if job:
        accepted = client.submit_job(operation, **fields)
        with cli.progress(f"job {accepted.job_id}: {accepted.status}") as update:
            finished = client.wait(
                accepted.job_id,
                timeout=wait_timeout,
                on_status=lambda current: update(f"job {current.job_id}: {current.status}"),
            )
        cli.finish_job(finished, out, stem)
        return
    with cli.progress(f"{operation}: waiting for the model"):
        response = getattr(client, method)(**fields)
    saved = cli.save_images(response.images, out, stem)
    cli.emit({**response.model_dump(mode="json", exclude_none=True), "files": saved})


def operation_command(operation: str, method: str) -> Callable[[Callable[..., None]], Callable[..., Any]]:
    """A command of `operation` whose options are the decorated function's parameters (the body
    is only its help), plus --out, --job and --wait-timeout and the common options."""

    def decorate(func: Callable[..., None]) -> Callable[..., Any]:
        fields = [
            parameter.replace(kind=inspect.Parameter.KEYWORD_ONLY)
            for parameter in inspect.signature(func, eval_str=True).parameters.values()
        ]
        own = [
            inspect.Parameter(name, inspect.Parameter.KEYWORD_ONLY, default=default, annotation=annotation)
            for name, annotation, default in (
                ("out", Out, Path(".")),
                ("job", Job, False),
                ("wait_timeout", WaitTimeout, 600.0),
            )
        ]

        def run(cli: Cli, *, out: Path, job: bool, wait_timeout: float, **values: Any) -> None:
            execute(cli, operation, method, out=out, job=job, wait_timeout=wait_timeout, **values)

        cli_parameter = inspect.Parameter("cli", inspect.Parameter.POSITIONAL_OR_KEYWORD, annotation=Cli)
        run.__signature__ = inspect.Signature([cli_parameter, *fields, *own])  # type: ignore[attr-defined]
        run.__name__, run.__doc__ = func.__name__, func.__doc__
        return command(run)

    return decorate


@operation_command("images", "generate")
def generate(
    prompt: Annotated[str | None, typer.Argument(help="What the images should show")] = None,
    model: Annotated[str | None, typer.Option("--model", "-m", help="core, ultra or sd3.5-large")] = None,
    count: Annotated[int | None, typer.Option("--count", "-n", help="1 to 4 images")] = None,
    aspect_ratio: AspectRatio = None,
    seed: Seed = None,
    output_format: Format = None,
    negative_prompt: Negative = None,
    image: Annotated[
        Path | None, typer.Option("--image", exists=True, dir_okay=False, help="Image-to-image: the start image")
    ] = None,
    strength: Annotated[float | None, typer.Option("--strength", help="Image-to-image: 0..1")] = None,
) -> None:
    """Generate images from a prompt (or from an image and a prompt)."""


@upscale.command("fast")
@operation_command("upscale/fast", "upscale_fast")
def upscale_fast(image: ImageArg, output_format: Format = None) -> None:
    """4x each side, without a prompt."""


@upscale.command("conservative")
@operation_command("upscale/conservative", "upscale_conservative")
def upscale_conservative(
    image: ImageArg,
    prompt: Prompt,
    creativity: Creativity = None,
    negative_prompt: Negative = None,
    seed: Seed = None,
    output_format: Format = None,
) -> None:
    """To about 4 megapixels, changing as little as possible."""


@upscale.command("creative")
@operation_command("upscale/creative", "upscale_creative")
def upscale_creative(
    image: ImageArg,
    prompt: Prompt,
    creativity: Creativity = None,
    style_preset: StylePreset = None,
    negative_prompt: Negative = None,
    seed: Seed = None,
    output_format: Format = None,
) -> None:
    """A small or degraded image to about 4 megapixels, reimagining detail."""


@edit.command("remove-background")
@operation_command("edit/remove-background", "remove_background")
def remove_background(image: ImageArg, output_format: Format = None) -> None:
    """Make the background transparent."""


@edit.command("inpaint")
@operation_command("edit/inpaint", "inpaint")
def inpaint(
    image: ImageArg,
    prompt: Prompt,
    mask: Mask = None,
    grow_mask: GrowMask = None,
    negative_prompt: Negative = None,
    style_preset: StylePreset = None,
    seed: Seed = None,
    output_format: Format = None,
) -> None:
    """Repaint the masked area from a prompt."""


@edit.command("outpaint")
@operation_command("edit/outpaint", "outpaint")
def outpaint(
    image: ImageArg,
    left: Annotated[int | None, typer.Option("--left", help="Pixels to add on the left")] = None,
    right: Annotated[int | None, typer.Option("--right", help="Pixels to add on the right")] = None,
    up: Annotated[int | None, typer.Option("--up", help="Pixels to add above")] = None,
    down: Annotated[int | None, typer.Option("--down", help="Pixels to add below")] = None,
    prompt: OptionalPrompt = None,
    creativity: Creativity = None,
    style_preset: StylePreset = None,
    seed: Seed = None,
    output_format: Format = None,
) -> None:
    """Extend the image by the given margins."""


@edit.command("erase")
@operation_command("edit/erase", "erase")
def erase(
    image: ImageArg, mask: Mask = None, grow_mask: GrowMask = None, seed: Seed = None, output_format: Format = None
) -> None:
    """Erase what the mask covers."""


@edit.command("search-and-replace")
@operation_command("edit/search-and-replace", "search_and_replace")
def search_and_replace(
    image: ImageArg,
    prompt: Prompt,
    search_prompt: Annotated[str, typer.Option("--search-prompt", help="What to replace")],
    grow_mask: GrowMask = None,
    negative_prompt: Negative = None,
    style_preset: StylePreset = None,
    seed: Seed = None,
    output_format: Format = None,
) -> None:
    """Replace an object found by a prompt."""


@edit.command("search-and-recolor")
@operation_command("edit/search-and-recolor", "search_and_recolor")
def search_and_recolor(
    image: ImageArg,
    prompt: Prompt,
    select_prompt: Annotated[str, typer.Option("--select-prompt", help="What to recolor")],
    grow_mask: GrowMask = None,
    negative_prompt: Negative = None,
    style_preset: StylePreset = None,
    seed: Seed = None,
    output_format: Format = None,
) -> None:
    """Recolor an object found by a prompt."""


@control.command("sketch")
@operation_command("control/sketch", "sketch")
def sketch(
    image: ImageArg,
    prompt: Prompt,
    control_strength: ControlStrength = None,
    negative_prompt: Negative = None,
    style_preset: StylePreset = None,
    seed: Seed = None,
    output_format: Format = None,
) -> None:
    """Generate from a sketch and a prompt."""


@control.command("structure")
@operation_command("control/structure", "structure")
def structure(
    image: ImageArg,
    prompt: Prompt,
    control_strength: ControlStrength = None,
    negative_prompt: Negative = None,
    style_preset: StylePreset = None,
    seed: Seed = None,
    output_format: Format = None,
) -> None:
    """Generate keeping the structure of an image."""


@control.command("style-guide")
@operation_command("control/style-guide", "style_guide")
def style_guide(
    image: ImageArg,
    prompt: Prompt,
    fidelity: Annotated[float | None, typer.Option("--fidelity", help="How closely to follow the style")] = None,
    aspect_ratio: AspectRatio = None,
    negative_prompt: Negative = None,
    style_preset: StylePreset = None,
    seed: Seed = None,
    output_format: Format = None,
) -> None:
    """Generate in the style of an image."""


@control.command("style-transfer")
@operation_command("control/style-transfer", "style_transfer")
def style_transfer(
    init_image: ImageArg,
    style_image: ImageArg,
    prompt: OptionalPrompt = None,
    negative_prompt: Negative = None,
    composition_fidelity: Annotated[float | None, typer.Option("--composition-fidelity")] = None,
    style_strength: Annotated[float | None, typer.Option("--style-strength")] = None,
    change_strength: Annotated[float | None, typer.Option("--change-strength")] = None,
    seed: Seed = None,
    output_format: Format = None,
) -> None:
    """Restyle INIT_IMAGE after STYLE_IMAGE."""
