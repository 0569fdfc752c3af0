"""The one line a learner sees when their code ran with fewer isolation layers than this machine's full
set (the layers ``eshikaku doctor`` lists), for example after a layer failed its self-test when the
sandbox (re)started: grading goes on, and the learner is told."""

from __future__ import annotations

from grader.i18n import _
from grader.learner import warmup


def _family(name: str) -> str:
    return name.split("-abi")[0]  # "landlock-abi7" when active, "landlock" when listed as missing


def weaker_isolation_note(layers: tuple[str, ...]) -> str | None:
    """The notice for a run that had ``layers`` (``CodeResult.layers``); None when every layer of the
    full set was in force, or when nothing ran (a syntax error is refused before any sandbox)."""
    if not layers:
        return None
    box = warmup.sandbox()
    if box is not None:
        statuses = box.status()  # the same list as doctor's, read from the running zygote
    else:
        from grader.sandbox.sandbox import layer_status

        statuses = layer_status()
    had = {_family(name) for name in layers}
    missing = [s.name for s in statuses if _family(s.name) not in had]
    if not missing:
        return None
    return _("隔離の層が一部ない状態で採点しました (なし: {missing})。理由は `eshikaku doctor` で確かめてください").format(missing=", ".join(missing))
