"""The operation commands: images saved with their seeds in their names, --json, inputs inline or
uploaded, the typed client methods behind them."""

from __future__ import annotations

import io
import json
import os
import re
from pathlib import Path

from imagegen_client import ImageGenClient
from imagegen_client.cli.context import Cli
from imagegen_client.cli.operations import execute
from imagegen_client.images import INLINE_BUDGET_BYTES
from PIL import Image
from rich.console import Console

from tests.client.conftest import image_size, imagegen, json_output, picture


def test_generate_saves_each_image_with_its_seed_in_its_name(tmp_path):
    out = tmp_path / "images"
    result = imagegen("generate", "a lighthouse", "--count", "2", "--seed", "1234", "--out", out)
    assert result.exit_code == 0, result.stderr
    assert sorted(path.name for path in out.iterdir()) == ["generate-1234.png", "generate-1235.png"]
    assert image_size(out / "generate-1234.png") == (1024, 1024)
    assert "saved" in result.stdout and "seed 1234" in result.stdout


def test_json_output_is_the_answer_with_the_saved_files(tmp_path):
    document = json_output(
        imagegen("generate", "a lighthouse", "--aspect-ratio", "16:9", "--model", "ultra", "--out", tmp_path, "--json")
    )
    [image] = document["images"]
    assert document["model"] == "stability.stable-image-ultra-v1:1"
    assert (image["width"], image["height"]) == (1344, 768)
    [saved] = document["files"]
    assert Path(saved).name == f"generate-{image['seed']}.png"
    assert os.path.getsize(saved) == image["bytes"]


def test_upscale_fast_gives_four_times_the_size(tmp_path, photo):
    document = json_output(imagegen("upscale", "fast", photo, "--out", tmp_path, "--json"))
    [saved] = document["files"]
    assert re.fullmatch(r"upscale-fast-\d+\.png", Path(saved).name)
    assert image_size(saved) == (256 * 4, 192 * 4)
    assert document["inputs"]["image"].startswith("inline:sha256:")


def test_edit_inpaint_with_a_mask_changes_only_the_masked_area(tmp_path, photo):
    mask = Image.new("L", (256, 192), 0)
    mask.paste(255, (100, 60, 160, 120))
    mask.save(tmp_path / "mask.png")
    document = json_output(
        imagegen(
            "edit", "inpaint", photo, "--mask", tmp_path / "mask.png", "--prompt", "a cat", "--out", tmp_path, "--json"
        )
    )
    assert set(document["inputs"]) == {"image", "mask"}
    [saved] = document["files"]
    with Image.open(saved) as result, Image.open(photo) as original:
        assert result.size == original.size
        assert result.convert("RGB").getpixel((5, 5)) == original.convert("RGB").getpixel((5, 5))


def test_an_image_too_large_to_inline_is_uploaded_first(tmp_path):
    # Noise does not compress: the file is over the inline budget, well within the model's input limits.
    large = tmp_path / "large.png"
    Image.frombytes("RGB", (1400, 1400), os.urandom(1400 * 1400 * 3)).save(large, compress_level=0)
    assert large.stat().st_size > INLINE_BUDGET_BYTES
    document = json_output(imagegen("edit", "remove-background", large, "--out", tmp_path, "--json"))
    assert re.fullmatch(r"uploads/[0-9a-f]{32}", document["inputs"]["image"])
    assert image_size(document["files"][0]) == (1400, 1400)


def test_control_style_transfer_takes_two_images(tmp_path, photo):
    style = tmp_path / "style.png"
    style.write_bytes(picture(256, 192, colour=(20, 160, 40)))
    document = json_output(imagegen("control", "style-transfer", photo, style, "--out", tmp_path, "--json"))
    assert set(document["inputs"]) == {"init_image", "style_image"}
    assert document["operation"] == "control/style-transfer"


def test_an_operation_runs_as_a_job_and_its_images_are_saved(tmp_path, photo):
    document = json_output(imagegen("upscale", "fast", photo, "--job", "--out", tmp_path, "--json"))
    assert document["status"] == "succeeded" and document["trigger"] == "api"
    assert image_size(document["files"][0]) == (1024, 768)


def test_upload_prints_an_id_that_requests_name(photo, tmp_path):
    upload_id = json_output(imagegen("upload", photo, "--json"))["upload_id"]
    assert re.fullmatch(r"[0-9a-f]{32}", upload_id)
    response = ImageGenClient().upscale_fast({"upload_id": upload_id})
    assert response.inputs == {"image": f"uploads/{upload_id}"}
    assert (response.images[0].width, response.images[0].height) == (1024, 768)


def test_the_typed_methods_take_paths_bytes_and_references(photo):
    client = ImageGenClient()
    by_path = client.remove_background(photo)
    by_bytes = client.remove_background(photo.read_bytes(), output_format="webp")
    assert by_path.operation == by_bytes.operation == "edit/remove-background"
    assert by_bytes.images[0].content_type == "image/webp"
    outpainted = client.outpaint(str(photo), left=64, down=8)
    assert (outpainted.images[0].width, outpainted.images[0].height) == (256 + 64, 192 + 8)
    assert json.loads(client.generate("a cat", count=1).model_dump_json())["images"][0]["seed"] > 0


def test_at_a_terminal_a_live_status_line_shows_while_a_job_runs(tmp_path, photo):
    screen = io.StringIO()
    cli = Cli(out=Console(file=screen, force_terminal=True, width=120))
    execute(cli, "upscale/fast", "upscale_fast", out=tmp_path, job=True, wait_timeout=60, image=photo)
    shown = screen.getvalue()
    assert re.search(r"job [0-9a-f-]+: (queued|running|succeeded)", shown)
    assert "saved" in shown and "1024x768" in shown
