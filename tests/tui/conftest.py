"""Shared set-up for the TUI tests: a private KUBEGAME_HOME and an app factory on the real Game."""

from __future__ import annotations

import asyncio
import inspect

import pytest

from kubegame.tui.app import create_app


@pytest.fixture(autouse=True)
def kubegame_home(tmp_path, monkeypatch):
    home = tmp_path / "home"
    monkeypatch.setenv("KUBEGAME_HOME", str(home))
    return home


@pytest.fixture
def make_app(kubegame_home):
    def make(level=None, **opts):
        opts.setdefault("clock", False)
        opts.setdefault("key_grace", 0)      # tests/tui/test_newcomer.py tests the grace itself
        opts.setdefault("home", kubegame_home)
        return create_app(level, **opts)
    return make




@pytest.hookimpl(tryfirst=True)
def pytest_pyfunc_call(pyfuncitem):
    """Run `async def` tests on a fresh event loop (no pytest-asyncio needed)."""
    if inspect.iscoroutinefunction(pyfuncitem.obj):
        names = pyfuncitem._fixtureinfo.argnames
        kwargs = {n: pyfuncitem.funcargs[n] for n in names}
        asyncio.run(pyfuncitem.obj(**kwargs))
        return True
    return None
