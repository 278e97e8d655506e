"""Whole programs against the emulator: the seed's own snippet and the CLI."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import requests
from PIL import Image

REPO_ROOT = Path(__file__).resolve().parents[2]

# The snippet from the Stable Image Core request/response page, unchanged.
SEED_SNIPPET = """\
import boto3
import json
import base64
import io
from PIL import Image

bedrock = boto3.client('bedrock-runtime', region_name='us-west-2')

response = bedrock.invoke_model(
    modelId='stability.stable-image-core-v1:0',
    body=json.dumps({
        'prompt': 'A car made out of vegetables.'
    })
)
output_body = json.loads(response["body"].read().decode("utf-8"))
base64_output_image = output_body["images"][0]
image_data = base64.b64decode(base64_output_image)
image = Image.open(io.BytesIO(image_data))
image.save("image.png")
"""


def isolated_aws_env(tmp_path: Path, **extra: str) -> dict[str, str]:
    """The caller's environment minus any real AWS settings, plus dummy credentials."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("AWS_")}
    env.update(
        AWS_ACCESS_KEY_ID="AKIDEXAMPLE",
        AWS_SECRET_ACCESS_KEY="emulator-secret",
        AWS_CONFIG_FILE=str(tmp_path / "no-config"),
        AWS_SHARED_CREDENTIALS_FILE=str(tmp_path / "no-credentials"),
        AWS_EC2_METADATA_DISABLED="true",
        **extra,
    )
    return env


def test_the_seed_snippet_runs_unchanged(emulator, tmp_path, invocations):
    (tmp_path / "snippet.py").write_text(SEED_SNIPPET)
    env = isolated_aws_env(tmp_path, AWS_ENDPOINT_URL_BEDROCK_RUNTIME=emulator.url)

    result = subprocess.run(
        [sys.executable, "snippet.py"], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=60
    )

    assert result.returncode == 0, result.stderr
    with Image.open(tmp_path / "image.png") as image:
        assert (image.format, image.size) == ("PNG", (1024, 1024))
    assert invocations()["calls"][0]["body"] == {"prompt": "A car made out of vegetables."}


def test_the_cli_serves_and_stops_cleanly_on_ctrl_c(tmp_path):
    env = {**os.environ, "PYTHONPATH": str(REPO_ROOT), "BEDROCK_PORT": "0"}
    process = subprocess.Popen(
        [sys.executable, "-m", "offline.bedrock_emulator", "--host", "127.0.0.1"],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        line = process.stdout.readline()
        url = line.split(" listening on ")[1].split()[0]
        assert requests.get(f"{url}/_emulator/health", timeout=10).json() == {"status": "ok"}

        process.send_signal(signal.SIGINT)
        stdout, stderr = process.communicate(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()

    assert process.returncode == 0
    assert stderr == ""
    assert "Traceback" not in stdout
