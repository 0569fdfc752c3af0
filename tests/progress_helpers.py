"""Shared helpers for the quiz, exam, storage and review tests: an isolated environment (temporary
database, cache and data directories: the learner's real database is never touched) and ways to run
the installed ``eshikaku`` command."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import sysconfig
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
FIXTURE_BANK = ROOT / "tests" / "fixtures" / "quiz_bank"
ANSI = re.compile(r"\x1b\[[0-?]*[ -/]*[@-~]|\x1b[()][A-Za-z0-9]|\x1b[=>]")


def eshikaku_command() -> list[str]:
    """The installed console script (the real entry point), else ``python -m cli``."""
    script = Path(sysconfig.get_path("scripts")) / "eshikaku"
    return [str(script)] if script.exists() else [sys.executable, "-m", "cli"]


def isolated_env(tmp: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ESHIKAKU_", "XDG_"))}
    env.update({
        "ESHIKAKU_DB": str(tmp / "progress.sqlite3"),
        "ESHIKAKU_NO_SERVICE": "1",  # each command does its own work (tests/test_submit_service.py tests the service)
        "XDG_CACHE_HOME": os.environ.get("XDG_CACHE_HOME") or str(tmp / "cache"),  # the session's warm bank cache
        "XDG_DATA_HOME": str(tmp / "data"),
        "XDG_CONFIG_HOME": str(tmp / "config"),
        "HOME": str(tmp / "home"),
        "PROMPT_TOOLKIT_NO_CPR": "1",  # nobody answers cursor-position requests inside pexpect
        "TERM": "xterm",
        "COLUMNS": "100",
        "LINES": "40",
        "PYTHONUTF8": "1",
    })  # fmt: skip
    (tmp / "home").mkdir(exist_ok=True)
    return env


def fixture_args() -> list[str]:
    return ["--bank", str(FIXTURE_BANK), "--bank-only"]


@dataclass
class Done:
    returncode: int
    stdout: str
    stderr: str


def run(env: dict[str, str], *args: str, input: str | None = None) -> Done:
    """Runs ``eshikaku ARGS`` in this process (fast: no interpreter start), stdin and stdout not terminals."""
    from click.testing import CliRunner

    from cli import main

    unset: dict[str, str | None] = {k: None for k in os.environ if k.startswith(("ESHIKAKU_", "XDG_"))}
    result = CliRunner().invoke(main, list(args), input=input if input is not None else "", env={**unset, **env}, catch_exceptions=False)
    return Done(result.exit_code, result.stdout, result.stderr)


def run_process(env: dict[str, str], *args: str, input: str | None = None, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    """Runs the installed ``eshikaku`` command in a process of its own."""
    return subprocess.run(eshikaku_command() + list(args), env=env, input=input, capture_output=True, text=True, timeout=timeout, cwd=ROOT)


def run_json(env: dict[str, str], *args: str, input: str | None = None) -> Any:
    done = run(env, *args, input=input)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def plain(text: str) -> str:
    """Terminal output without colour and cursor sequences."""
    return ANSI.sub("", text).replace("\r", "")


def shown_label(qid: str, key: str, session_seed: int, pos: int = 0) -> str:
    """The label under which a session started with ``--seed session_seed`` shows option ``key`` of the
    question at ``pos`` (options are shuffled and relabelled 1… in the order shown)."""
    import random

    from grader.bank.loader import load_bank
    from grader.bank.params import attempt
    from grader.grading.render import present

    rng = random.Random(session_seed)
    seeds = [rng.randrange(1, 2**31) for _ in range(pos + 1)]
    shown = present(attempt(load_bank([FIXTURE_BANK]).questions[qid], seeds[pos]))
    for group in shown.labels.values():
        for label, original in group.items():
            if original == key:
                return label
    return key
