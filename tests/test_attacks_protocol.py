"""Attacks on the protocol between the grader and the child, graded through the real path.

Each submission goes through ``grade_code`` → sandboxed child → frames → decoding → judging, as
``eshikaku submit`` runs it, and gets the common checks of :func:`test_attacks.attack` (never a pass,
no hidden input in anything shown, nothing left running, the grader still healthy). The classes:

* the child edits the run plan it received (fewer runs, fewer steps): the parent counts what came back;
* trivial code that a property checker used to accept (a counter instead of randomness, a backward
  that never computes a gradient);
* hidden inputs carried out through the text of a public example or a learner-chosen name;
* forged frames that break the decoder's limits (sizes, shapes, integers, nesting);
* frames built to make the grader itself do huge work (millions of tiny nodes).
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

import numpy as np
import pytest
from test_attacks import BANK, SOFTMAX, attack, failures

from grader.grading.codegrade import MALFORMED, grade_code
from grader.grading.report import result_json, result_text
from grader.i18n import _
from grader.sandbox.wire import MalformedFrame, decode, pack

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the attacks target the Linux sandbox")

MINIBATCH = BANK.questions["minibatch_shuffle_blank"]
DROPOUT = BANK.questions["dropout_inverted"]
CROP = BANK.questions["random_crop_function"]


def filled(question, **blanks: str) -> str:
    """The whole template of a code_blank question with the blanks filled in (the learner's file)."""
    text = question.template
    for name, code in blanks.items():
        text = text.replace(name, code)
    return text


# Finds the harness's run plan from learner code (module level or inside the entry).
FIND_PLAN = """
import sys as _sys
def _plan():
    frame = _sys._getframe(1)
    while frame is not None and "program" not in frame.f_locals:
        frame = frame.f_back
    return frame.f_locals["program"]
"""


# --------------------------------------------------------------------------- the parent owns the plan


def test_zero_runs_on_property_cases_never_passes_the_minibatch_blanks():
    # both blanks wrong (no shuffle, labels misaligned), and every case the code can reach told to run zero
    # times: the public ones (the hidden cases reach the child only after those have reported)
    source = FIND_PLAN + "for _case in _plan()['cases']:\n    _case['runs'] = 0\n" + filled(MINIBATCH, **{"■": "i:i_end", "▲": "i:i_end"})
    result = attack(source, MINIBATCH)
    assert result.score == 0.0 and not any(c.passed for c in result.cases), failures(result)
    assert all(_(MALFORMED) in c.message for c in result.cases if not c.hidden), failures(result)
    assert all(_(MALFORMED) not in c.message for c in result.cases if c.hidden), failures(result)


def test_a_dropout_whose_training_mode_raises_cannot_drop_its_runs_or_steps():
    source = FIND_PLAN + textwrap.dedent("""
        for _case in _plan()['cases']:
            if _case['runs'] > 1:
                _case['runs'] = 0
            else:
                _case['steps'] = [s for s in _case['steps'] if s.get('check', True) is False]
        import numpy as np
        class Dropout:
            def __init__(self, dropout_ratio=0.5):
                self.p = dropout_ratio
            def forward(self, x, train_flg=True):
                if train_flg:
                    raise NotImplementedError
                return x.copy()
            def backward(self, dout):
                raise NotImplementedError
    """)
    result = attack(source, DROPOUT)
    # The cases it could reach (the public ones: hidden cases arrive after those reported) are refused as
    # tampered; what it passes is only what the same code passes untampered (inference mode).
    assert all(_(MALFORMED) in c.message for c in result.cases if not c.hidden), failures(result)
    honest = attack(source[source.index("import numpy as np\nclass Dropout"):], DROPOUT)
    assert {c.name for c in result.cases if c.passed} <= {c.name for c in honest.cases if c.passed}, failures(result)
    assert not any(c.passed for c in result.cases if c.name.startswith(("train_", "backward", "new_mask", "zero_ratio")))


def test_an_honest_dropout_that_raises_in_training_fails_those_cases():
    # without any tampering: the training cases fail with the exception, inference passes
    source = textwrap.dedent("""
        import numpy as np
        class Dropout:
            def __init__(self, dropout_ratio=0.5):
                self.p = dropout_ratio
            def forward(self, x, train_flg=True):
                if train_flg:
                    raise NotImplementedError
                return x.copy()
    """)
    result = attack(source, DROPOUT)
    assert 0 < result.score < 1
    assert not any(c.passed for c in result.cases if c.name.startswith(("train_", "backward", "new_mask", "zero_ratio")))


# --------------------------------------------------------------------------- checkers that trivial code satisfied


def test_a_round_robin_random_crop_fails():
    # every offset in turn from a module-level counter: full coverage, no randomness
    source = textwrap.dedent("""
        import numpy as np
        _count = [0]
        def random_crop(image, crop_size):
            h, w = image.shape[:2]
            ch, cw = crop_size
            k = _count[0]
            _count[0] += 1
            top = k % (h - ch + 1)
            left = (k // (h - ch + 1)) % (w - cw + 1)
            return image[top:top + ch, left:left + cw, :]
    """)
    result = attack(source, CROP)
    property_cases = {c.name for c in CROP.cases if c.property is not None}
    assert any(not c.passed for c in result.cases if c.name.split("#")[0] in property_cases), failures(result)


def test_a_dropout_backward_that_echoes_its_forward_fails():
    # forward returns zeros (nothing kept), backward returns zeros: consistent with "its own" mask
    source = textwrap.dedent("""
        import numpy as np
        class Dropout:
            def __init__(self, dropout_ratio=0.5):
                self.p = dropout_ratio
            def forward(self, x, train_flg=True):
                if train_flg:
                    keep = np.random.rand(*x.shape) > self.p
                    self.out = x * keep / (1 - self.p)
                    return self.out
                return x.copy()
            def backward(self, dout):
                return self.out
    """)
    result = attack(source, DROPOUT)
    assert not next(c for c in result.cases if c.name == "backward_reuses_mask").passed, failures(result)
    source_zero = source.replace("self.out = x * keep / (1 - self.p)", "self.out = np.zeros_like(x)")
    result = attack(source_zero, DROPOUT)
    assert not next(c for c in result.cases if c.name == "backward_reuses_mask").passed, failures(result)


# --------------------------------------------------------------------------- hidden inputs through public text


HIDDEN_REPR = "[repr(c['let']['x'].tolist()) for c in _plan()['cases'] if c['name'] not in ('vector_example', 'batch_example')]"

LEAKS = {
    # the public example raises with every hidden input in its message, and prints them
    "public-exception": FIND_PLAN + f"def softmax(x):\n    h = {HIDDEN_REPR}\n    print(h)\n    raise ValueError(repr(h))\n",
    # the public example returns an object whose class is named by the hidden inputs
    "public-type-name": FIND_PLAN + f"def softmax(x):\n    return type(repr({HIDDEN_REPR})[:300], (), {{}})()\n",
    # the entry is an instance of a class named by the hidden inputs (read at load time)
    "not-callable-type-name": FIND_PLAN + f"softmax = type(repr({HIDDEN_REPR})[:300], (), {{}})()\n",
    # a class named by the hidden inputs raised while loading
    "load-exception-type-name": FIND_PLAN + f"raise type(repr({HIDDEN_REPR})[:300], (Exception,), {{}})(repr({HIDDEN_REPR}))\n",
    # the public example returns a scalar built from a hidden input (shown as "got …" for public examples)
    "public-scalar": FIND_PLAN + "import numpy as np\ndef softmax(x):\n    return float(_plan()['cases'][-1]['let']['x'].ravel()[0])\n",
    # a thread started at load waits for the hidden cases to reach the process, then prints them, writes
    # them to the output descriptors and into every public result it can still change
    "thread-waits-for-hidden": textwrap.dedent("""
        import gc, os, sys, threading, time
        import numpy as np
        found = []
        def hunt():
            for _ in range(400):
                for obj in gc.get_objects():
                    if isinstance(obj, dict) and isinstance(obj.get("cases"), list) and "source" not in obj:
                        found.append(repr([c["let"]["x"].tolist() for c in obj["cases"] if "x" in c.get("let", {})]))
                        print(found[-1])
                        os.write(1, found[-1].encode())
                        os.write(2, found[-1].encode())
                        return
                time.sleep(0.005)
        threading.Thread(target=hunt, daemon=True).start()
        def softmax(x):
            time.sleep(0.2)
            print("found", found)
            if found:
                raise ValueError(found[0])
            return np.exp(x) / np.exp(x).sum()
    """),
}


@pytest.mark.parametrize("name", list(LEAKS), ids=list(LEAKS))
def test_public_examples_cannot_carry_hidden_inputs_out(name):
    attack(LEAKS[name])  # attack() asserts that no hidden value appears in the text, the JSON or the report


@pytest.mark.parametrize("mode", ["fork", "spawn"])
def test_the_hidden_cases_reach_the_child_only_after_the_public_examples_reported(monkeypatch, mode):
    # One run grades a failing submission whose public examples print: their text is shown, and the hidden
    # inputs were not in that process while they ran (the module code and both examples look for them).
    from grader.grading import codegrade
    from grader.sandbox.sandbox import Sandbox

    runs = []
    box = Sandbox(mode=mode)
    original = box.run
    monkeypatch.setattr(box, "run", lambda *args, **kwargs: runs.append(1) or original(*args, **kwargs))
    look = "[len(c['let']) for c in _plan()['cases']]"
    source = FIND_PLAN + f"print('at load', {look})\nimport numpy as np\ndef softmax(x):\n    print('seen', len(_plan_at_load))\n    return x\n" \
        f"_plan_at_load = {look}\n"
    try:
        result = codegrade.grade_code(BANK.questions["softmax_function"], source, 7, sandbox=box)
    finally:
        box.close()
    public = [c for c in result.cases if not c.hidden]
    assert runs == [1] and result.status == "graded" and not result.passed
    assert result.stdout == "at load [1, 1]\n"  # the plan held the two public examples only
    assert all(c.stdout == "seen 2\n" and not c.passed for c in public), failures(result)
    assert all(not c.stdout for c in result.cases if c.hidden)
    assert len(result.cases) == 10 and all(c.kind not in ("stopped", "") for c in result.cases)  # every case ran, and failed


def test_a_public_examples_own_message_is_still_shown():
    # the same submission as "public-exception", but raising its own input: that is the learner's to see
    result = attack("def softmax(x):\n    print('look', x.tolist())\n    raise ValueError('bad ' + repr(x.tolist()))\n")
    public = next(c for c in result.cases if not c.hidden)
    assert "ValueError" in public.message and "bad [" in public.message, public.message
    assert "look" in public.stdout


# --------------------------------------------------------------------------- forged frames


FORGE = """
import json, os, struct
def _frame(header, tail=b""):
    body = b"ESK2" + struct.pack("<I", len(header)) + header + tail
    return struct.pack("!I", len(body)) + body
_OK = _frame(b'{"$d":{"status":"ok"}}')
def _send(*frames):
    os.write(3, b"".join(frames))
    os._exit(101)
"""

def _case(out: str) -> str:
    """A case frame's header with ``out`` as its one output (JSON text)."""
    return '{"$d":{"status":"ok","outputs":[' + out + '],"finals":{"$d":{}},"rebound":[],"stdout":""}}'


def _send_case(out: str, tail: str = "b''") -> str:
    return "_send(_OK, _frame(" + repr(_case(out)) + ".encode(), " + tail + "))"


FORGED = {
    "nd-infinity-old-format": '_send(_OK, struct.pack("!I", 29) + b"ESK1" + struct.pack("<II", 17, 0) + b\'{"$nd": Infinity}\')',
    "array-shape-infinity": _send_case('{"$a":["<f8",[Infinity]]}'),
    "array-shape-2-to-70": _send_case('{"$a":["<f8",[' + str(2**70) + ']]}'),
    "array-claiming-7-tib": _send_case('{"$a":["<f8",[1048576,1048576]]}'),
    "negative-dimension": _send_case('{"$a":["<f8",[-1]]}'),
    "object-dtype": _send_case('{"$a":["|O",[1]]}', "bytes(8)"),
    "header-longer-than-frame": '_send(_OK, struct.pack("!I", 12) + b"ESK2" + struct.pack("<I", 1 << 31) + b"[]]]")',
    "traceback-line-of-5000-digits": ('_send(_OK, _frame(b\'{"$d":{"status":"error","error":{"$d":{"type":"ValueError","message":"",'
                                      '"traceback":[\' + b"9" * 5000 + b\']}},"stdout":""}}\'))'),
    "integer-of-4000-digits": _send_case("9" * 4000),
    "unknown-tag": _send_case('{"$x":1}'),
    "trailing-bytes": _send_case("1", "b'junk'"),
    "nested-100000-deep": '_send(_OK, _frame(b"[" * 100000 + b"]" * 100000))',
}


@pytest.mark.parametrize("name", list(FORGED), ids=list(FORGED))
def test_forged_frames_are_a_malformed_result(name):
    result = attack(FORGE + FORGED[name] + "\n")
    assert result.status == "learner_error" and result.message == _(MALFORMED), (result.status, result.message)


def test_the_limits_hold_in_the_decoder_itself():
    # the same forgeries, and the honest frames around them, straight into decode()
    honest = pack({"status": "ok", "outputs": [np.arange(6.0).reshape(2, 3), (1, "a", None)], "finals": {"x": np.ones(2, np.float32)}})
    back = decode(honest)
    assert np.array_equal(back["outputs"][0], np.arange(6.0).reshape(2, 3)) and back["outputs"][1] == (1, "a", None)
    def frame(header: bytes) -> bytes:
        return b"ESK2" + len(header).to_bytes(4, "little") + header

    for data in (b"ESK2" + b"\xff\xff\xff\xff", b"ESK2\x02\x00\x00\x00[", honest[:-1], honest + b"\0",
                 frame(b'{"$a":["<f8",[4611686018427387904]]}'), frame(b'{"$a":["<f8",[65536,65536,65536]]}'),
                 frame(b"[" * 50 + b"]" * 50), frame(b"1" * 30)):
        with pytest.raises(MalformedFrame):
            decode(data)


# --------------------------------------------------------------------------- amplification


AMPLIFY = """
import sys, subprocess, tracemalloc
sys.path.insert(0, {root!r})
from grader.sandbox.wire import Budget, MalformedFrame, decode
header = {header}
frame = b"ESK2" + len(header).to_bytes(4, "little") + header
tracemalloc.start()
try:
    decode(frame, Budget())
    print("decoded")
except MalformedFrame:
    print("refused")
print(tracemalloc.get_traced_memory()[1] // (1 << 20))
"""


@pytest.mark.parametrize("header", [
    'b"[" + b"[],"*20_000_000 + b"[]]"',  # 60 MB of empty lists
    'b"[" + b\'{"$a":["<f8",[0]]},\' * 1_000_000 + b"0]"',  # a million empty arrays
], ids=["60MB-of-empty-lists", "a-million-array-nodes"])
def test_a_frame_of_millions_of_nodes_is_refused_before_it_is_built(header):
    # in a subprocess with a timeout: a regression ends by the timeout or the memory figure, not by hanging
    from pathlib import Path

    root = str(Path(__file__).resolve().parents[1])
    out = subprocess.run([sys.executable, "-c", AMPLIFY.format(root=root, header=header)], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    verdict, peak_mib = out.stdout.split()
    assert verdict == "refused"
    assert int(peak_mib) < 200, f"decoding took {peak_mib} MiB beyond the frame"


def test_a_million_references_in_a_property_case_are_refused_through_the_real_path():
    # the child sends a million zero-size arrays as the outputs of the dropout training case
    source = FORGE + textwrap.dedent("""
        _case = b'{"$d":{"status":"ok","outputs":[' + b'{"$a":["<f8",[0]]},' * 1_000_000 + b'0],"finals":{"$d":{}},"rebound":[],"stdout":""}}'
        _send(_OK, _frame(_case))
    """)
    result = attack(source, DROPOUT)
    assert result.status == "learner_error" and result.message == _(MALFORMED), (result.status, result.message)


def test_verdicts_of_the_attacks_are_plain_json():
    # the JSON and the text of a malformed result are the grader's own words only
    result = grade_code(SOFTMAX, FORGE + FORGED["unknown-tag"] + "\n", 7)
    assert json.loads(json.dumps(result_json(result)))["status"] == "learner_error"
    assert _(MALFORMED) in result_text(result)
