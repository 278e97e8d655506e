"""Bytecode in the asset: compiled for the runtime's Python (by this interpreter when it is that
version, else by Pyodide of that version) and used whatever modification times the files get."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from infra.bundling import LAMBDA_SOURCE, PACKAGE, BundlingError, bytecode_compiler, compile_bytecode

THIS_PYTHON = f"{sys.version_info.major}.{sys.version_info.minor}"
RUNTIME_PYTHON = "3.14"
CPYTHON_314_MAGIC = (3627).to_bytes(2, "little") + b"\r\n"
TOUCHED = 315532800  # 1980-01-01, a time zip extraction may give every file

# Loads the package in Pyodide from bytecode alone: the source of errors.py is broken first.
_PYODIDE_IMPORT = """
import { loadPyodide } from "pyodide";
const py = await loadPyodide();
py.FS.mkdirTree("/asset");
py.FS.mount(py.FS.filesystems.NODEFS, { root: process.argv[2] }, "/asset");
py.runPython("import sys; sys.path.insert(0, '/asset'); import imagegen.models.errors as e; print(e.__name__)");
"""


def _copy_package(directory: Path) -> list[Path]:
    shutil.copytree(LAMBDA_SOURCE / PACKAGE, directory / PACKAGE, ignore=shutil.ignore_patterns("__pycache__"))
    return sorted((directory / PACKAGE).rglob("*.py"))


def _pyc(source: Path, cache_tag: str) -> bytes:
    return (source.parent / "__pycache__" / f"{source.stem}.{cache_tag}.pyc").read_bytes()


def _break_sources(sources: list[Path]) -> None:
    for source in sources:
        os.utime(source, (TOUCHED, TOUCHED))
    (sources[0].parent / "errors.py").write_text("raise RuntimeError('loaded from source')\n")


def test_the_compiler_is_this_interpreter_or_pyodide_of_the_runtime_version():
    assert bytecode_compiler(THIS_PYTHON) == "interpreter"
    if THIS_PYTHON != RUNTIME_PYTHON:
        assert (bytecode_compiler(RUNTIME_PYTHON) or "").startswith("pyodide-314.")
    assert bytecode_compiler("3.9") is None  # neither this interpreter nor the installed Pyodide


def test_this_interpreter_compiles_bytecode_it_loads_whatever_the_modification_times(tmp_path: Path):
    sources = _copy_package(tmp_path)
    compile_bytecode(tmp_path, "interpreter", THIS_PYTHON)
    for source in sources:
        assert int.from_bytes(_pyc(source, sys.implementation.cache_tag)[4:8], "little") == 0b01  # unchecked hash

    _break_sources(sources)
    result = subprocess.run(
        [sys.executable, "-c", f"import {PACKAGE}.models.errors, {PACKAGE}.handlers.api"],
        cwd=tmp_path,
        env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1", "PYTHONPATH": str(tmp_path)},
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr


@pytest.mark.skipif(THIS_PYTHON == RUNTIME_PYTHON, reason="this interpreter is the runtime's version")
def test_pyodide_compiles_cpython_314_bytecode_that_loads_without_its_source(tmp_path: Path):
    """Pyodide 314 is CPython 3.14 built for WebAssembly: its bytecode is CPython 3.14's (same
    magic number). That it loads in Pyodide is checked here; the python3.14 runtime itself is
    not available offline."""
    sources = _copy_package(tmp_path)
    compile_bytecode(tmp_path, bytecode_compiler(RUNTIME_PYTHON) or "", RUNTIME_PYTHON)
    for source in sources:
        pyc = _pyc(source, "cpython-314")
        assert pyc[:4] == CPYTHON_314_MAGIC
        assert int.from_bytes(pyc[4:8], "little") == 0b01

    _break_sources(sources)
    script = tmp_path / "load.mjs"
    script.write_text(_PYODIDE_IMPORT)
    node_path = str(LAMBDA_SOURCE.parent / "node_modules")
    # An .mjs file outside the project resolves "pyodide" from the project through a symlink.
    (tmp_path / "node_modules").symlink_to(node_path)
    result = subprocess.run(
        ["node", str(script), str(tmp_path)], capture_output=True, text=True, check=False, timeout=300
    )
    assert result.returncode == 0, result.stderr[-2000:]  # Node prints Pyodide's whole source on an error
    assert result.stdout.strip().endswith("imagegen.models.errors")


def test_bytecode_of_another_version_than_the_runtime_is_refused(tmp_path: Path):
    _copy_package(tmp_path)
    with pytest.raises(BundlingError, match=r"not Python 3\.13"):
        compile_bytecode(tmp_path, bytecode_compiler(RUNTIME_PYTHON) or "", "3.13")
