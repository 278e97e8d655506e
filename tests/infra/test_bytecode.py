"""Bytecode in the asset: shipped only when the build interpreter is the runtime's version, and
used by Python whatever modification times the asset's files end up with."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from infra.bundling import LAMBDA_SOURCE, PACKAGE, compile_bytecode, ships_bytecode


def test_bytecode_is_shipped_only_for_the_runtime_of_the_building_interpreter():
    this = f"{sys.version_info.major}.{sys.version_info.minor}"
    other = f"{sys.version_info.major}.{sys.version_info.minor + 1}"
    assert ships_bytecode(this)
    assert not ships_bytecode(other)


def test_compiled_modules_load_from_bytecode_whatever_their_modification_times(tmp_path: Path):
    shutil.copytree(LAMBDA_SOURCE / PACKAGE, tmp_path / PACKAGE, ignore=shutil.ignore_patterns("__pycache__"))
    compile_bytecode(tmp_path)

    sources = list((tmp_path / PACKAGE).rglob("*.py"))
    for source in sources:
        compiled = source.parent / "__pycache__" / f"{source.stem}.{sys.implementation.cache_tag}.pyc"
        flags = int.from_bytes(compiled.read_bytes()[4:8], "little")
        assert flags == 0b01, source  # hash-based, source not checked
    # Zip extraction may give the files any time; the bytecode must still be the one used.
    for source in sources:
        os.utime(source, (315532800, 315532800))  # 1980-01-01
    (tmp_path / PACKAGE / "errors.py").write_text("raise RuntimeError('loaded from source')\n")
    result = subprocess.run(
        [sys.executable, "-c", f"import {PACKAGE}.errors, {PACKAGE}.handlers.api"],
        cwd=tmp_path,
        env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1", "PYTHONPATH": str(tmp_path)},
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
