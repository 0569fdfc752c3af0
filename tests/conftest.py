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


@pytest.fixture(scope="session", autouse=True)
def _no_grading_service() -> Iterator[None]:
    # `eshikaku submit` leaves a warm grading service behind for the next one (grader.learner.submit_service);
    # one per test would pile up. tests/test_submit_service.py turns it on where it is the subject.
    saved = os.environ.get("ESHIKAKU_NO_SERVICE")
    os.environ["ESHIKAKU_NO_SERVICE"] = "1"
    yield
    if saved is None:
        os.environ.pop("ESHIKAKU_NO_SERVICE", None)
    else:
        os.environ["ESHIKAKU_NO_SERVICE"] = saved
