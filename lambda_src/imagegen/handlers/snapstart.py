"""Lambda SnapStart: execution environments resumed from one snapshot share the memory it
captured, `random`'s generator included (botocore draws its retry jitter from it)."""

from __future__ import annotations

import importlib
import random


def _reseed() -> None:
    random.seed()  # from the OS


def register() -> bool:
    """Reseeds `random` after every restore; False where there is no SnapStart runtime."""
    try:
        hooks = importlib.import_module("snapshot_restore_py")
    except ImportError:
        return False
    hooks.register_after_restore(_reseed)
    return True
