"""Settings shared by the whole test session."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest


@pytest.fixture(scope="session", autouse=True)
def _shared_bank_cache(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    # One bank cache for every test and every command a test starts: the cache is keyed by each file's
    # stamp and the grader's own sources, so sharing it changes no result, while a cold load of the whole
    # bank in each test would cost a second apiece. Tests about the cache itself give their own folder.
    saved = os.environ.get("XDG_CACHE_HOME")
    os.environ["XDG_CACHE_HOME"] = str(Path(tmp_path_factory.mktemp("cache")))
    yield
    if saved is None:
        os.environ.pop("XDG_CACHE_HOME", None)
    else:
        os.environ["XDG_CACHE_HOME"] = saved
