"""The Lambda asset: the `imagegen` package and its runtime dependencies, built for Linux arm64
on this machine with pip's platform options, so that synth needs no Docker.

`make install` downloads the arm64 wheels once into a local wheelhouse (`python -m
infra.bundling`), and the bundling installs from it with no package index, so synth itself
needs no network. Without a wheelhouse pip fetches from the index as configured.
`--only-binary=:all:` makes a dependency with no arm64 wheel fail instead of shipping an x86 build.

The asset carries bytecode for the runtime's Python: Lambda's code directory is read-only, so
without it every cold start compiles the service and its dependencies from source. The
interpreter building the asset compiles it when it is the runtime's version; otherwise Pyodide
(CPython of that version built for WebAssembly, an npm package that `make install` installs)
does, under Node.js. The bytecode is hash-based and unchecked, because the asset's files do not
keep their modification times.
"""

from __future__ import annotations

import compileall
import json
import py_compile
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import jsii
from aws_cdk import BundlingOptions, ILocalBundling
from aws_cdk import aws_lambda as lambda_

LAMBDA_SOURCE = Path(__file__).resolve().parent.parent / "lambda_src"
PACKAGE = "imagegen"
ARM64_PLATFORM = "manylinux2014_aarch64"
WHEELHOUSE_ROOT = LAMBDA_SOURCE.parent / "build" / "wheels"
PYODIDE_PACKAGE = LAMBDA_SOURCE.parent / "node_modules" / "pyodide" / "package.json"
PYODIDE_COMPILER = Path(__file__).resolve().parent / "compile_bytecode.mjs"
_NOT_SHIPPED = ("__pycache__", "*.pyc", "*.pyo")


class BundlingError(RuntimeError):
    """pip could not build the Lambda asset."""


def _platform_options(python_version: str) -> list[str]:
    return ["--platform", ARM64_PLATFORM, "--implementation", "cp", "--python-version", python_version,
            "--only-binary=:all:"]  # fmt: skip


def wheelhouse_for(python_version: str) -> Path:
    return WHEELHOUSE_ROOT / f"{ARM64_PLATFORM}-cp{python_version.replace('.', '')}"


def download_wheels(runtime: lambda_.Runtime) -> Path:
    """Fills the wheelhouse with the arm64 wheels of the runtime dependencies (needs the index)."""
    python_version = runtime.name.removeprefix("python")
    wheelhouse = wheelhouse_for(python_version)
    command = [sys.executable, "-m", "pip", "download", "--quiet", "--disable-pip-version-check",
               *_platform_options(python_version), "--dest", str(wheelhouse),
               "--requirement", str(LAMBDA_SOURCE / "requirements.txt")]  # fmt: skip
    subprocess.run(command, check=True)  # noqa: S603
    return wheelhouse


def _pyodide_version() -> str | None:
    try:
        return json.loads(PYODIDE_PACKAGE.read_text())["version"]
    except (OSError, ValueError, KeyError):
        return None


def bytecode_compiler(python_version: str) -> str | None:
    """What compiles bytecode that the `python_version` runtime loads: "interpreter" (this one,
    when it is that version), "pyodide-<version>" (Pyodide 314.x is CPython 3.14), or None."""
    if sys.implementation.cache_tag == f"cpython-{python_version.replace('.', '')}":
        return "interpreter"
    pyodide = _pyodide_version()
    if pyodide and pyodide.split(".")[0] == python_version.replace(".", "") and shutil.which("node"):
        return f"pyodide-{pyodide}"
    return None


def compile_bytecode(directory: Path, compiler: str, python_version: str) -> None:
    """Bytecode beside every module, valid whatever the files' modification times. A module
    that does not compile is left as source, as pip leaves it."""
    if compiler == "interpreter":
        # One process: worker processes would re-import the CDK app's main module.
        compileall.compile_dir(directory, quiet=2, invalidation_mode=py_compile.PycInvalidationMode.UNCHECKED_HASH)
        return
    node = shutil.which("node") or "node"
    result = subprocess.run([node, str(PYODIDE_COMPILER), str(directory)], capture_output=True, text=True, check=False)  # noqa: S603
    if result.returncode != 0:
        raise BundlingError(f"Pyodide could not compile the asset's bytecode:\n{result.stderr[-2000:]}")
    cache_tag = (result.stdout.split() or [""])[0]
    if cache_tag != f"cpython-{python_version.replace('.', '')}":
        raise BundlingError(f"Pyodide compiled bytecode for {cache_tag or 'nothing'}, not Python {python_version}")


@jsii.implements(ILocalBundling)
class PipArm64Bundling:
    """Builds the asset without Docker: pip installs the arm64 wheels of `requirements.txt`
    into the output, then the `imagegen` package is copied beside them."""

    def __init__(self, *, source_dir: Path, python_version: str) -> None:
        self.source_dir = source_dir
        self.python_version = python_version

    def pip_command(self, output_dir: str) -> list[str]:
        wheelhouse = wheelhouse_for(self.python_version)
        sources = ["--no-index", "--find-links", str(wheelhouse)] if wheelhouse.is_dir() else []
        return [
            sys.executable, "-m", "pip", "install",
            "--quiet", "--disable-pip-version-check", "--no-compile",
            *_platform_options(self.python_version), *sources,
            "--target", output_dir,
            "--requirement", str(self.source_dir / "requirements.txt"),
        ]  # fmt: skip

    def try_bundle(self, output_dir: str, *, image: Any, **_options: Any) -> bool:
        result = subprocess.run(self.pip_command(output_dir), capture_output=True, text=True, check=False)  # noqa: S603
        if result.returncode != 0:
            raise BundlingError(f"pip could not install the Lambda dependencies for arm64:\n{result.stderr}")
        out = Path(output_dir)
        # Console scripts of the dependencies (jp.py) are no use inside a Lambda function.
        shutil.rmtree(out / "bin", ignore_errors=True)
        shutil.copytree(self.source_dir / PACKAGE, out / PACKAGE, ignore=shutil.ignore_patterns(*_NOT_SHIPPED))
        if compiler := bytecode_compiler(self.python_version):
            compile_bytecode(out, compiler, self.python_version)
        else:
            print(
                f"warning: no Python {self.python_version} or Pyodide to compile bytecode with (make install "
                "installs Pyodide): the asset ships without it, and every cold start compiles from source.",
                file=sys.stderr,
            )
        return True


def lambda_code(runtime: lambda_.Runtime) -> lambda_.Code:
    """The one asset both functions share, built for `runtime` (e.g. python3.14) on arm64."""
    python_version = runtime.name.removeprefix("python")
    return lambda_.Code.from_asset(
        str(LAMBDA_SOURCE),
        # The source hash (of lambda_src, requirements.txt included) names the asset, so an
        # unchanged source reuses the bundle already in cdk.out instead of running pip again.
        exclude=[f"**/{pattern}" for pattern in _NOT_SHIPPED],
        bundling=BundlingOptions(
            # Never pulled: local bundling always succeeds or raises.
            image=runtime.bundling_image,
            local=PipArm64Bundling(source_dir=LAMBDA_SOURCE, python_version=python_version),
            # Unused by pip, but part of the asset hash: a change of target re-bundles.
            environment={
                "TARGET_PLATFORM": ARM64_PLATFORM,
                "TARGET_PYTHON": python_version,
                "BYTECODE": bytecode_compiler(python_version) or "none",
            },
        ),
    )


if __name__ == "__main__":
    from infra.functions import LAMBDA_RUNTIME

    print(f"arm64 wheels for {LAMBDA_RUNTIME.name} in {download_wheels(LAMBDA_RUNTIME)}")
