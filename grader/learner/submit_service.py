"""``eshikaku submit`` served by a warm process: what a request carries, which service answers it, the
service's own entry point, and the reply both ways of grading print.

The first ``submit`` starts a service (:func:`main`, in an interpreter of its own) that holds the
sandbox, NumPy and the grading code; the command then only reads the file, sends it and prints the
reply, as the quiz grades on its warm sandbox. The verdict, the record in the progress database and
every message are the ones the command would give by itself: the service runs the same function.

A service answers one configuration (the Python, this installation, the banks, the environment that
steers grading or where data lives): any other gets a service of its own. It checks before each
request that no source file of the grader, the references or a bank's reference folder changed since
it started, nor a library it loaded (NumPy, pydantic, …: an upgrade replaces them); if one did, it says
so and exits, and the command starts a fresh one. After
``IDLE_SECONDS`` without a request it exits. ``ESHIKAKU_NO_SERVICE=1`` turns it off.
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from grader.bank.layout import BUILTIN_BANK, PROJECT_ROOT

if TYPE_CHECKING:
    from grader.bank.loader import Stamp

IDLE_ENV = "ESHIKAKU_SERVICE_IDLE"  # seconds a service waits for its next request (default IDLE_SECONDS)
IDLE_SECONDS = 600.0
REPLY_SECONDS = 300.0  # a grading's own limits end it long before; past this the command grades by itself
# Environment that changes what a service would do or where it reads and writes (every ESHIKAKU_* too).
_ENVIRONMENT = ("HOME", "XDG_DATA_HOME", "XDG_CACHE_HOME", "TMPDIR")


@dataclass(frozen=True)
class Reply:
    """What ``submit`` prints (notes on stderr, the result on stdout, then one line on stderr) and its exit status."""

    exit: int
    notes: str
    stdout: str
    trailer: str = ""


@dataclass(frozen=True)
class Config:
    """What a service is started with: the banks (absolute paths) and whether the built-in bank is left out."""

    banks: tuple[str, ...]
    bank_only: bool

    @classmethod
    def of(cls, banks: Sequence[str | os.PathLike[str]], bank_only: bool) -> Config:
        return cls(tuple(str(Path(b).expanduser().resolve()) for b in banks), bank_only)

    def bank_paths(self) -> list[Path]:
        return [Path(b) for b in self.banks] if self.bank_only else [BUILTIN_BANK, *map(Path, self.banks)]

    def key(self) -> str:
        environment = {k: v for k, v in os.environ.items() if k.startswith("ESHIKAKU_") or k in _ENVIRONMENT}
        identity = [os.getuid(), sys.executable, str(PROJECT_ROOT), self.banks, self.bank_only, sorted(environment.items())]
        return "submit-" + hashlib.sha256(json.dumps(identity).encode()).hexdigest()[:16]


def submit(settings: dict[str, Any], qid: str, data: bytes | None, origin: str, seed: int | None, as_json: bool, *,
           env: Callable[[], Any], warn: Callable[[str], None]) -> Reply:  # fmt: skip
    """``eshikaku submit``: the reply of the grading service for these global options (``settings``), or,
    without one (or with no file: ``$EDITOR``), the grading done here on ``env()``.

    Raises:
        EshikakuError: What the command reports (an unknown id, an undecodable file), from either side.
    """
    if data is not None:
        config = Config.of(settings.get("banks", ()), bool(settings.get("bank_only")))
        answer = ask(config, request_for(qid, data, origin, seed, as_json, lang=settings.get("lang"), db=settings.get("db"),
                                         db_given=bool(settings.get("db_given")), create=bool(settings.get("create"))), warn)  # fmt: skip
        if answer is not None:
            return answer
    from grader.learner import warmup
    from grader.learner.commands import submit as grade_here

    warmup.start()  # the sandbox starts while the question and the code are read
    return render(*grade_here(env(), qid, data, origin, seed), as_json)


def ask(config: Config, request: dict[str, Any], warn: Callable[[str], None]) -> Reply | None:
    """The service's reply, or None to grade here; the service's error is raised as this command's own
    (its notes said first through ``warn``)."""
    from grader.errors import Exit, GraderFault, UsageError
    from grader.service.client import ask as ask_service

    boot = f"import sys; sys.path.insert(0, {str(PROJECT_ROOT)!r}); from grader.learner.submit_service import main; main(sys.argv[1:])"
    start = [sys.executable, "-c", boot, json.dumps([config.banks, config.bank_only])]
    answer = ask_service(config.key(), {"op": "submit", **request}, start, reply_seconds=REPLY_SECONDS)
    if answer is None:
        return None
    try:
        if "error" in answer:
            message, code, notes = str(answer["error"]), int(answer["exit"]), str(answer.get("notes", ""))
        else:
            return Reply(int(answer["exit"]), str(answer["notes"]), str(answer["stdout"]), str(answer["trailer"]))
    except (KeyError, TypeError, ValueError):  # not a reply of this version's: grade here
        return None
    if notes:
        warn(notes)
    raise (GraderFault if code == Exit.FAULT else UsageError)(message)  # a bank error exits 2 too


def request_for(qid: str, data: bytes, origin: str, seed: int | None, as_json: bool, *, lang: str | None, db: Path | None, db_given: bool,
                create: bool) -> dict[str, Any]:  # fmt: skip
    """A ``submit`` request; the file's bytes travel as they are (one character per byte), so that the
    service decodes them as the command would."""
    return {"qid": qid, "source": data.decode("latin-1"), "origin": origin, "seed": seed, "json": as_json, "lang": lang,
            "db": str(db.expanduser().resolve()) if db is not None else None, "db_given": db_given, "create": create}  # fmt: skip


def render(result: Any, notes: list[str], as_json: bool) -> Reply:
    """The text ``submit`` prints for ``result`` and its exit status (the same with or without a service)."""
    from grader.errors import Exit
    from grader.grading.report import result_json, result_text
    from grader.i18n import _

    shown = "\n".join(_("注意: {note}").format(note=note) for note in notes)
    code = Exit.FAULT if result.status == "grader_fault" else Exit.OK if result.passed else Exit.WRONG
    if as_json:
        return Reply(int(code), shown, json.dumps(result_json(result), ensure_ascii=False, indent=2))
    trailer = _("(seed {seed} · 隔離: {layers})").format(seed=result.seed, layers=", ".join(result.layers) or _("なし"))
    return Reply(int(code), shown, result_text(result), trailer)


# --------------------------------------------------------------------------- the service's side


def _library_files() -> list[Path]:
    """The file of every top-level module loaded here from outside the standard library and this project:
    NumPy, pydantic and the rest of site-packages, and whatever PYTHONPATH brought in. An upgrade
    replaces them under a running service."""
    import sysconfig

    paths = sysconfig.get_paths()
    stdlib = [Path(paths[k]).resolve() for k in ("stdlib", "platstdlib")]
    installed = [Path(paths[k]).resolve() for k in ("purelib", "platlib")]  # inside the stdlib's or the project's folder at times
    files = set()
    for name, module in list(sys.modules.items()):
        file = getattr(module, "__file__", None)
        if "." in name or not isinstance(file, str):
            continue
        path = Path(file).resolve()
        if not any(path.is_relative_to(root) for root in installed) and any(path.is_relative_to(root) for root in (PROJECT_ROOT, *stdlib)):
            continue  # the project's own (stamped as sources) or the standard library's
        files.add(path)
    return sorted(files)


def _code_stamp(config: Config) -> Stamp:
    """Every source file whose change the service must not miss: the grader's and the references' (the
    service runs no code of cli.py)."""
    from grader.bank.loader import reference_roots_for, source_stamp

    references = [base / "reference" for path in config.bank_paths() for base in reference_roots_for(path)]
    return source_stamp([PROJECT_ROOT / "grader", PROJECT_ROOT / "reference", *references])


def handle(config: Config, request: dict[str, Any], gone: Callable[[], bool]) -> dict[str, Any]:
    """One ``submit`` request, graded and recorded as the command would (nothing is recorded once the
    command has ``gone``, as Ctrl-C leaves nothing recorded without the service); errors become
    ``{"error", "exit"}``."""
    from grader.errors import EshikakuError
    from grader.i18n import set_language
    from grader.learner.commands import submit
    from grader.learner.context import Env

    warnings: list[str] = []
    set_language(request.get("lang"))
    db = request.get("db")
    env = Env(config.bank_paths(), Path(db) if db else None, db_given=bool(request.get("db_given")), create=bool(request.get("create")),
              warn=warnings.append, interrupted=gone)  # fmt: skip
    seed = request.get("seed")
    try:
        result, notes = submit(env, str(request["qid"]), str(request["source"]).encode("latin-1"), str(request["origin"]),
                               int(seed) if seed is not None else None)  # fmt: skip
    except EshikakuError as exc:
        return {"error": str(exc), "exit": int(exc.exit), "notes": "\n".join(warnings)}
    reply = render(result, notes, bool(request.get("json")))
    return {"exit": reply.exit, "notes": "\n".join(filter(None, [*warnings, reply.notes])), "stdout": reply.stdout, "trailer": reply.trailer}


def main(argv: list[str]) -> None:
    """The service for ``argv[0]`` (JSON ``[banks, bank_only]``): serve until idle or stale."""
    from grader.bank.loader import files_stamp
    from grader.learner import warmup
    from grader.sandbox.syscalls import set_process_name
    from grader.service.channel import runtime_dir
    from grader.service.server import serve

    set_process_name("eshikaku-submit")  # what ps and top show for it (its zygote is eshikaku-zygote)
    banks, bank_only = json.loads(argv[0])
    config = Config(tuple(banks), bool(bank_only))
    folder = runtime_dir()
    if folder is None:
        return
    code = _code_stamp(config)
    libraries: list[Path] = []  # found once the grading code is loaded
    loaded: Stamp = ()

    def warm() -> None:
        nonlocal loaded
        warmup.start()
        import grader.grading.codegrade
        import grader.learner.commands  # noqa: F401

        warmup.sandbox()
        libraries.extend(_library_files())
        loaded = files_stamp(libraries)

    def stale() -> bool:
        return _code_stamp(config) != code or files_stamp(libraries) != loaded

    idle = float(os.environ.get(IDLE_ENV) or IDLE_SECONDS)
    serve(folder, config.key(), lambda request, gone: handle(config, request, gone), is_stale=stale, warm=warm, idle_seconds=idle)

