"""Environments resumed from one SnapStart snapshot do not share random's state."""

from __future__ import annotations

import random
import sys
import types

import pytest
from imagegen.handlers import snapstart


def test_without_a_snapstart_runtime_nothing_is_registered(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setitem(sys.modules, "snapshot_restore_py", None)  # import fails
    assert snapstart.register() is False


def test_after_a_restore_random_is_reseeded(monkeypatch: pytest.MonkeyPatch):
    hooks: list = []
    runtime = types.ModuleType("snapshot_restore_py")
    runtime.register_after_restore = hooks.append  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "snapshot_restore_py", runtime)
    assert snapstart.register() is True

    random.seed(42)  # the state every restored environment would start from
    snapshot = random.getstate()
    [restore] = hooks
    restore()
    assert random.getstate() != snapshot
