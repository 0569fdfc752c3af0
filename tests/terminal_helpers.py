"""A learner's terminal for the tests: the real ``eshikaku`` command in a pseudo-terminal whose output is drawn
on an emulated screen (pyte), which also answers the cursor-position requests prompt_toolkit makes to lay
out its bottom toolbar. Tests read both what is on the screen now and everything printed so far."""

from __future__ import annotations

import codecs
import re
import time

import pexpect
import pyte
from progress_helpers import ROOT, eshikaku_command, plain


class Terminal:
    """``eshikaku ARGS`` on a ``rows`` × ``cols`` screen."""

    def __init__(self, env: dict[str, str], *args: str, rows: int = 24, cols: int = 80) -> None:
        env = {k: v for k, v in env.items() if k != "PROMPT_TOOLKIT_NO_CPR"} | {"COLUMNS": str(cols), "LINES": str(rows)}
        self.screen = pyte.Screen(cols, rows)
        self.screen.write_process_input = self._reply  # type: ignore[method-assign]
        self.stream = pyte.ByteStream(self.screen)
        self._decoder = codecs.getincrementaldecoder("utf-8")("replace")
        self.printed = ""  # everything printed, without escape sequences
        self.pos = 0  # where the next expect() starts looking in ``printed``
        command = eshikaku_command()
        self.child = pexpect.spawn(command[0], command[1:] + list(args), env=env, cwd=str(ROOT), timeout=30, dimensions=(rows, cols))

    def _reply(self, data: str) -> None:
        self.child.send(data.encode())

    def pump(self, seconds: float) -> bool:
        """Reads output for up to ``seconds`` (returns False once the command has ended)."""
        deadline = time.monotonic() + seconds
        while True:
            try:
                chunk = self.child.read_nonblocking(65536, timeout=max(0.0, min(0.1, deadline - time.monotonic())))
            except pexpect.TIMEOUT:
                chunk = b""
            except pexpect.EOF:
                return False
            if chunk:
                self.stream.feed(chunk)
                self.printed += plain(self._decoder.decode(chunk))
            if time.monotonic() >= deadline:
                return True

    def expect(self, pattern: str, timeout: float = 30) -> re.Match[str]:
        """Waits until ``pattern`` is printed (after the previous match) and returns the match."""
        regex = re.compile(pattern)
        deadline = time.monotonic() + timeout
        while True:
            match = regex.search(self.printed, self.pos)
            if match:
                self.before = self.printed[self.pos : match.start()]
                self.pos = match.end()
                return match
            if time.monotonic() > deadline or not self.pump(0.2):
                match = regex.search(self.printed, self.pos)
                if match:
                    continue
                raise AssertionError(f"{pattern!r} never printed; screen:\n{self.text()}\n--- printed since the last match:\n{self.printed[self.pos:][-3000:]}")

    def wait_screen(self, pattern: str, timeout: float = 30, *, line: int | None = None) -> re.Match[str]:
        """Waits until ``pattern`` is on the screen (on row ``line`` only, when given) and returns the match."""
        regex = re.compile(pattern)
        deadline = time.monotonic() + timeout
        while True:
            match = regex.search(self.lines()[line] if line is not None else self.text())
            if match:
                return match
            if time.monotonic() > deadline or not self.pump(0.2):
                raise AssertionError(f"{pattern!r} never on the screen:\n{self.text()}")

    def text(self) -> str:
        """What is on the screen now (wide characters once)."""
        return "\n".join(line.rstrip() for line in self.screen.display)

    def lines(self) -> list[str]:
        return [line.rstrip() for line in self.screen.display]

    def send(self, text: str | bytes) -> None:
        self.child.send(text.encode() if isinstance(text, str) else text)

    def finish(self, timeout: float = 60) -> int:
        """Waits for the command to end; returns its exit status (a traceback fails the test)."""
        deadline = time.monotonic() + timeout
        while self.pump(0.5):
            if time.monotonic() > deadline:
                raise AssertionError(f"still running; screen:\n{self.text()}")
        self.child.close()
        assert "Traceback" not in self.printed, self.printed[-3000:]
        return int(self.child.exitstatus if self.child.exitstatus is not None else -1)
