"""The real Lambda asset, built with pip for Linux arm64 (needs the package index or pip's cache)."""

from __future__ import annotations

from pathlib import Path

import pytest

from infra.application import build_app
from infra.functions import API_HANDLER

pytestmark = pytest.mark.bundling

EM_AARCH64 = 0xB7


@pytest.fixture(scope="module")
def asset(tmp_path_factory) -> Path:
    outdir = tmp_path_factory.mktemp("cdk.out")
    app, stack = build_app(outdir=str(outdir))
    assembly = app.synth()
    template = assembly.get_stack_artifact(stack.artifact_id).template
    [key] = {
        r["Properties"]["Code"]["S3Key"] for r in template["Resources"].values() if r["Type"] == "AWS::Lambda::Function"
    }
    assert any(r["Properties"].get("Handler") == API_HANDLER for r in template["Resources"].values())
    return outdir / f"asset.{key.removesuffix('.zip')}"


def test_the_asset_holds_the_package_and_its_dependencies(asset):
    assert (asset / "imagegen" / "__init__.py").is_file()
    assert (asset / "imagegen" / "models" / "request.py").is_file()
    for handler in ("api.py", "worker.py"):
        assert (asset / "imagegen" / "handlers" / handler).is_file(), handler
    for package in ("aws_lambda_powertools", "pydantic", "pydantic_core", "aws_xray_sdk", "boto3", "botocore"):
        assert (asset / package / "__init__.py").is_file(), package


def test_the_asset_holds_nothing_else(asset):
    names = {path.name for path in asset.iterdir()}

    assert not {"pytest", "_pytest", "moto", "aws_cdk", "cdk_nag", "jsii", "infra", "tests", "requirements.txt"} & names
    assert not [pyc for pyc in asset.rglob("*.pyc") if ".cpython-314." not in pyc.name]  # no other Python's
    assert not (asset / "bin").exists()


def test_compiled_dependencies_are_built_for_linux_arm64(asset):
    [core] = (asset / "pydantic_core").glob("_pydantic_core*.so")
    header = core.read_bytes()[:20]

    assert header[:4] == b"\x7fELF"
    assert header[4] == 2  # 64-bit
    assert int.from_bytes(header[18:20], "little") == EM_AARCH64
    assert "cpython-314" in core.name


def test_every_module_has_bytecode_for_the_python_314_runtime(asset):
    """Lambda's code directory is read-only: a module without bytecode is compiled at every cold start."""
    sources = list(asset.rglob("*.py"))
    missing = [
        source for source in sources if not (source.parent / "__pycache__" / f"{source.stem}.cpython-314.pyc").is_file()
    ]
    assert len(sources) > 500
    assert not missing, missing[:10]
    handler = (asset / "imagegen" / "handlers" / "__pycache__" / "api.cpython-314.pyc").read_bytes()
    assert handler[:4] == (3627).to_bytes(2, "little") + b"\r\n"  # CPython 3.14's magic number
