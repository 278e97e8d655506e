"""Regenerates `_generated.py`, the client's request and response models, from the OpenAPI
document the service serves (GET /openapi.json), so that the client never holds a hand-written
copy of the service's types. The service's models are the one source; this is a build step.

    .venv/bin/python -m imagegen_client._codegen                 # from the API resolve_api_url() finds
    .venv/bin/python -m imagegen_client._codegen --url URL       # from another deployment's document
    .venv/bin/python -m imagegen_client._codegen --check         # exit 1 if the committed file differs

Needs the client's `dev` extra (datamodel-code-generator), which the CLI itself never imports."""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

import requests

GENERATED = Path(__file__).with_name("_generated.py")
HEADER = """\
# Generated from the service's OpenAPI document (GET /openapi.json) by datamodel-code-generator.
# Do not edit: regenerate with `.venv/bin/python -m imagegen_client._codegen` against a running service.
# ruff: noqa"""
# The options that shape the output; changing one changes the committed file (and needs a regeneration).
_OPTIONS = (
    "--input-file-type=openapi",
    "--output-model-type=pydantic_v2.BaseModel",
    "--target-python-version=3.11",
    "--use-annotated",
    "--use-standard-collections",
    "--use-union-operator",
    "--field-constraints",
    "--enum-field-as-literal=all",
    "--use-schema-description",
    "--use-field-description",
    "--use-double-quotes",
    "--keep-model-order",
    "--disable-timestamp",
    "--formatters=builtin",
)
# Routes whose request body is not an operation's request.
_NOT_OPERATIONS = ("/jobs", "/uploads")


def operation_requests(document: dict[str, Any]) -> dict[str, str]:
    """Each operation (its path without the leading slash) and the name of its request model, as
    the document's POST routes declare them."""
    found = {}
    for path, methods in document["paths"].items():
        body = methods.get("post", {}).get("requestBody")
        if body is None or path in _NOT_OPERATIONS:
            continue
        ref = body["content"]["application/json"]["schema"]["$ref"]
        found[path.removeprefix("/")] = ref.rsplit("/", 1)[-1]
    return found


def generate(document: dict[str, Any]) -> str:
    """The module's text for `document`: the generated models, then the operation map, formatted
    by the repository's ruff configuration so that `ruff format --check` leaves it alone."""
    # The server URL differs per deployment and names nothing the models need.
    document = {key: value for key, value in document.items() if key != "servers"}
    with tempfile.TemporaryDirectory() as work:
        source, target = Path(work, "openapi.json"), Path(work, "models.py")
        source.write_text(json.dumps(document, sort_keys=True))
        command = [sys.executable, "-m", "datamodel_code_generator", "--input", str(source), "--output", str(target)]
        options = [*_OPTIONS, "--custom-file-header", HEADER]
        subprocess.run([*command, *options], check=True, capture_output=True)  # noqa: S603 (our own interpreter)
        text = target.read_text()
    entries = "".join(f'    "{name}": {model},\n' for name, model in sorted(operation_requests(document).items()))
    text += "\n\n# Each operation's request model, from the document's POST routes.\n"
    text += f"OPERATION_REQUESTS: dict[str, type[BaseModel]] = {{\n{entries}}}\n"
    formatted = subprocess.run(  # noqa: S603 (our own interpreter)
        [sys.executable, "-m", "ruff", "format", "--stdin-filename", str(GENERATED), "-"],
        input=text,
        text=True,
        check=True,
        capture_output=True,
        cwd=GENERATED.parents[2],  # the repository's root, whose pyproject.toml configures ruff
    )
    return formatted.stdout


def fetch_document(url: str) -> dict[str, Any]:
    response = requests.get(url, timeout=30)
    response.raise_for_status()
    document: dict[str, Any] = response.json()
    return document


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--url", help="the OpenAPI document's URL (default: <API URL>/openapi.json)")
    parser.add_argument("--check", action="store_true", help="only compare with the committed file")
    args = parser.parse_args(argv)
    if args.url is None:
        from imagegen_client.locations import resolve_api_url

        args.url = resolve_api_url().rstrip("/") + "/openapi.json"
    text = generate(fetch_document(args.url))
    if args.check:
        if GENERATED.read_text() != text:
            print(f"{GENERATED} is out of date with {args.url}: regenerate it", file=sys.stderr)
            return 1
        return 0
    GENERATED.write_text(text)
    print(f"wrote {GENERATED}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
