"""The grading service behind `eshikaku submit`: the first command starts it, the next ones are answered by it
with the verdict, messages, exit status and record the command gives by itself; it notices an edited
reference, outlives garbage on its socket and a kill, leaves when idle, and answers nobody but its user."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import sqlite3
import struct
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from progress_helpers import FIXTURE_BANK, eshikaku_command, isolated_env, run_process

from grader.service.channel import runtime_dir

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the service's peer check is Linux's SO_PEERCRED")

RELU_RIGHT = "import numpy as np\n\ndef relu(x):\n    return np.maximum(0, x)\n"
RELU_ABS = "import numpy as np\n\ndef relu(x):\n    return np.abs(x)\n"


@pytest.fixture
def env(tmp_path: Path) -> Iterator[dict[str, str]]:
    env = isolated_env(tmp_path)
    del env["ESHIKAKU_NO_SERVICE"]
    # A short path, as /run/user/<uid> is: a socket's path has room for about 100 bytes.
    runtime = Path(tempfile.mkdtemp(prefix="esk-", dir="/tmp"))
    env["XDG_RUNTIME_DIR"] = str(runtime)
    env["TMPDIR"] = str(tmp_path)
    yield env
    for pid in _services(runtime):  # what a test left running goes with it (its zygote follows)
        os.kill(pid, signal.SIGKILL)
    shutil.rmtree(runtime)


def _services(runtime: Path) -> list[int]:
    """The service processes started with this runtime directory."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            cmdline = (entry / "cmdline").read_bytes()
            environ = (entry / "environ").read_bytes().split(b"\0")
        except OSError:
            continue
        if b"submit_service" in cmdline and f"XDG_RUNTIME_DIR={runtime}".encode() in environ:
            found.append(int(entry.name))
    return found


def _service(env: dict[str, str]) -> int:
    [pid] = _services(Path(env["XDG_RUNTIME_DIR"]))
    return pid


def _socket(env: dict[str, str]) -> Path:
    [path] = (Path(env["XDG_RUNTIME_DIR"]) / "eshikaku").glob("*.sock")
    return path


def _submit(env: dict[str, str], tmp_path: Path, source: str, *args: str) -> tuple[int, str, str]:
    code = tmp_path / "answer.py"
    code.write_text(source, encoding="utf-8")
    done = run_process(env, *args, "submit", "--seed", "5", "fx_relu_code", str(code))
    return done.returncode, done.stdout, done.stderr


def _private_bank(tmp_path: Path, reference_source: str) -> Path:
    """A bank whose question is graded against its own reference module (reference/fx_private.py beside it)."""
    root = tmp_path / "bank" / "questions"
    (root / "03-1").mkdir(parents=True)
    text = (FIXTURE_BANK / "03-1" / "fx_relu_code.yaml").read_text(encoding="utf-8")
    (root / "03-1" / "fx_relu_code.yaml").write_text(text.replace("reference.activations:relu", "reference.fx_private:relu"), encoding="utf-8")
    (tmp_path / "bank" / "reference").mkdir()
    (tmp_path / "bank" / "reference" / "fx_private.py").write_text(reference_source, encoding="utf-8")
    return root


def test_the_second_submit_is_answered_by_the_service_the_first_started_as_the_command_itself_would(env: dict[str, str], tmp_path: Path) -> None:
    bank = ["--bank", str(FIXTURE_BANK), "--bank-only"]
    first = _submit(env, tmp_path, RELU_RIGHT, *bank)
    service = _service(env)
    second = _submit(env, tmp_path, RELU_ABS, *bank)
    assert _services(Path(env["XDG_RUNTIME_DIR"])) == [service]
    by_itself = _submit({**env, "ESHIKAKU_NO_SERVICE": "1"}, tmp_path, RELU_ABS, *bank)
    assert first[0] == 0 and first[1].startswith("✓ 正解 100%")
    assert second == by_itself  # exit status, the verdict's text and the stderr lines, word for word
    assert second[0] == 1 and "✗" in second[1]
    with sqlite3.connect(env["ESHIKAKU_DB"]) as db:  # every attempt recorded, by whichever process graded it
        assert db.execute("SELECT COUNT(*) FROM attempts WHERE question_id = 'fx_relu_code'").fetchone()[0] == 3


def test_a_submit_stopped_with_ctrl_c_records_nothing_as_without_the_service(env: dict[str, str], tmp_path: Path) -> None:
    bank = ["--bank", str(FIXTURE_BANK), "--bank-only"]
    assert _submit(env, tmp_path, RELU_RIGHT, *bank)[0] == 0  # the service is up and one attempt recorded
    slow = tmp_path / "slow.py"
    slow.write_text("import time\nimport numpy as np\n\ndef relu(x):\n    time.sleep(1.2)\n    return np.maximum(0, x)\n", encoding="utf-8")
    command = subprocess.Popen([*eshikaku_command(), *bank, "submit", "fx_relu_code", str(slow)], env=env, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, cwd=tmp_path)  # fmt: skip
    time.sleep(1.0)  # the request is with the service, whose child sleeps in the first case
    command.send_signal(signal.SIGINT)
    _, err = command.communicate(timeout=30)
    assert command.returncode != 0 and b"Traceback" not in err
    time.sleep(4)  # the service finishes that grading (two cases of 1.2 s) without anyone to tell
    with sqlite3.connect(env["ESHIKAKU_DB"]) as db:
        assert db.execute("SELECT COUNT(*) FROM attempts").fetchone()[0] == 1
    assert _submit(env, tmp_path, RELU_RIGHT, *bank)[0] == 0  # and it serves the next one


def test_four_first_submits_at_once_are_all_graded_and_leave_one_service(env: dict[str, str], tmp_path: Path) -> None:
    code = tmp_path / "answer.py"
    code.write_text(RELU_RIGHT, encoding="utf-8")
    commands = [subprocess.Popen([*eshikaku_command(), "--bank", str(FIXTURE_BANK), "--bank-only", "submit", "--seed", str(i), "fx_relu_code", str(code)],
                                 env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=tmp_path) for i in range(4)]  # fmt: skip
    outputs = [c.communicate(timeout=120)[0] for c in commands]
    assert [c.returncode for c in commands] == [0] * 4 and all(out.startswith("✓ 正解 100%".encode()) for out in outputs)
    with sqlite3.connect(env["ESHIKAKU_DB"]) as db:
        assert db.execute("SELECT COUNT(*) FROM attempts").fetchone()[0] == 4
    runtime = Path(env["XDG_RUNTIME_DIR"])
    deadline = time.monotonic() + 30  # the services that lost the race for the lock give up within seconds
    while len(_services(runtime)) > 1 and time.monotonic() < deadline:
        time.sleep(0.1)
    assert len(_services(runtime)) == 1


def test_an_unknown_id_and_an_undecodable_file_get_the_commands_own_message_and_status(env: dict[str, str], tmp_path: Path) -> None:
    code = tmp_path / "answer.py"
    code.write_bytes(b"def relu(x):\n    return x  # \x81 \n")
    for args in (["submit", "fx_relu_cod", str(code)], ["submit", "fx_relu_code", str(code)]):
        served = run_process(env, "--bank", str(FIXTURE_BANK), "--bank-only", *args)
        alone = run_process({**env, "ESHIKAKU_NO_SERVICE": "1"}, "--bank", str(FIXTURE_BANK), "--bank-only", *args)
        assert (served.returncode, served.stdout, served.stderr) == (alone.returncode, alone.stdout, alone.stderr)
        assert served.returncode == 2 and "Traceback" not in served.stderr


def test_an_edited_reference_is_graded_by_a_fresh_service(env: dict[str, str], tmp_path: Path) -> None:
    root = _private_bank(tmp_path, "import numpy as np\n\ndef relu(x):\n    return np.maximum(0, x)\n")
    bank = ["--bank", str(root), "--bank-only"]
    assert _submit(env, tmp_path, RELU_ABS, *bank)[0] == 1
    before = _service(env)
    reference = tmp_path / "bank" / "reference" / "fx_private.py"
    reference.write_text("import numpy as np\n\ndef relu(x):\n    return np.abs(x)\n", encoding="utf-8")
    os.utime(reference, ns=(reference.stat().st_atime_ns, reference.stat().st_mtime_ns + 10_000_000))
    code, out, _ = _submit(env, tmp_path, RELU_ABS, *bank)
    assert code == 0 and out.startswith("✓ 正解 100%")  # judged against the reference as it is now
    assert _services(Path(env["XDG_RUNTIME_DIR"])) not in ([], [before])  # by a fresh service


def test_a_library_replaced_under_the_service_is_loaded_by_a_fresh_one(env: dict[str, str], tmp_path: Path) -> None:
    # Code the service runs from outside the project and the standard library (NumPy, pydantic, or here a
    # module that a sitecustomize on PYTHONPATH loads), replaced as an upgrade replaces it: the next
    # submit is graded by a new service, not by one holding the old code.
    library = tmp_path / "lib"
    library.mkdir()
    (library / "eskdep.py").write_text("VERSION = 1\n", encoding="utf-8")
    (library / "sitecustomize.py").write_text("import eskdep  # noqa: F401\n", encoding="utf-8")
    env = {**env, "PYTHONPATH": str(library)}
    bank = ["--bank", str(FIXTURE_BANK), "--bank-only"]
    assert _submit(env, tmp_path, RELU_RIGHT, *bank)[0] == 0
    before = _service(env)
    assert _submit(env, tmp_path, RELU_RIGHT, *bank)[0] == 0 and _services(Path(env["XDG_RUNTIME_DIR"])) == [before]
    upgraded = library / "eskdep.new"
    upgraded.write_text("VERSION = 2\n", encoding="utf-8")
    os.replace(upgraded, library / "eskdep.py")  # a new file where the old one was, as pip installs it
    assert _submit(env, tmp_path, RELU_RIGHT, *bank)[0] == 0
    assert _services(Path(env["XDG_RUNTIME_DIR"])) not in ([], [before])


def test_garbage_on_the_socket_and_a_stranger_neither_stop_nor_reach_the_service(env: dict[str, str], tmp_path: Path) -> None:
    bank = ["--bank", str(FIXTURE_BANK), "--bank-only"]
    assert _submit(env, tmp_path, RELU_RIGHT, *bank)[0] == 0
    service, path = _service(env), _socket(env)
    for garbage in (struct.pack("!I", 0xFFFFFFFF), struct.pack("!I", 5) + b"\xff\xfe{[}", struct.pack("!I", 2) + b"[]", b"\0\0"):
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as conn:
            conn.connect(str(path))
            conn.sendall(garbage)
            conn.shutdown(socket.SHUT_WR)
            conn.settimeout(20)
            assert conn.recv(100) == b""  # closed without a reply
    if os.getuid() == 0:  # another user: the directory keeps it out, even with the socket's path in hand
        pid = os.fork()
        if pid == 0:
            os.setgid(65534)
            os.setuid(65534)
            with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as conn:
                try:
                    conn.connect(str(path))
                except PermissionError:
                    os._exit(0)
            os._exit(1)
        assert os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1]) == 0
    assert _submit(env, tmp_path, RELU_RIGHT, *bank)[0] == 0
    assert _services(Path(env["XDG_RUNTIME_DIR"])) == [service]


def test_a_killed_service_is_replaced_and_an_idle_one_leaves(env: dict[str, str], tmp_path: Path) -> None:
    bank = ["--bank", str(FIXTURE_BANK), "--bank-only"]
    env["ESHIKAKU_SERVICE_IDLE"] = "3"
    assert _submit(env, tmp_path, RELU_RIGHT, *bank)[0] == 0
    killed = _service(env)
    os.kill(killed, signal.SIGKILL)  # its socket file stays behind
    code, out, _ = _submit(env, tmp_path, RELU_RIGHT, *bank)
    assert code == 0 and out.startswith("✓ 正解 100%")
    assert _service(env) != killed
    runtime = Path(env["XDG_RUNTIME_DIR"])

    def sandboxes() -> list[Path]:  # the killed service's zygote removes its own when it sees its grader gone
        return [p for p in tmp_path.iterdir() if p.name.startswith("eshikaku-sandbox-")]

    deadline = time.monotonic() + 30
    while (_services(runtime) or sandboxes()) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not _services(runtime)
    assert not list((runtime / "eshikaku").glob("*.sock"))
    assert not sandboxes()  # neither service's sandbox left anything behind


def test_a_directory_others_may_enter_or_own_is_never_used(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(tmp_path))
    (tmp_path / "eshikaku").mkdir(mode=0o755)
    os.chmod(tmp_path / "eshikaku", 0o755)
    assert runtime_dir() is None
    shutil.rmtree(tmp_path / "eshikaku")
    (tmp_path / "elsewhere").mkdir(mode=0o700)
    (tmp_path / "eshikaku").symlink_to(tmp_path / "elsewhere")
    assert runtime_dir() is None
    (tmp_path / "eshikaku").unlink()
    assert runtime_dir() == tmp_path / "eshikaku"
    assert (tmp_path / "eshikaku").stat().st_mode & 0o777 == 0o700
