"""validate on several processes: the same problems, at the same file and line, and the same proofs."""

from __future__ import annotations

import shutil
from pathlib import Path

from grader.bank.loader import BUILTIN_BANK
from grader.instructor.bankcheck import check
from grader.instructor.fanout import map_in_workers

FOLDER = "03-7_generalization"  # 44 questions, 16 of them code: enough for two workers


def _broken_copy(tmp_path: Path) -> Path:
    folder = tmp_path / FOLDER
    shutil.copytree(BUILTIN_BANK / FOLDER, folder)
    # two neighbours in the bank's order, so each worker finds one problem
    for name, old, new in (("batch_norm_forward.yaml", "x.var(axis=0, ddof=1)", "x.var(axis=0)"),  # the misconception is right code
                           ("batchnorm_backward.yaml", 'topic: "3-7"', 'topic: "3-4"')):  # the wrong folder for its topic
        path = folder / name
        text = path.read_text(encoding="utf-8")
        assert text.count(old) == 1
        path.write_text(text.replace(old, new), encoding="utf-8")
    return folder


def test_a_folder_checked_on_two_processes_reports_what_one_process_reports(tmp_path):
    folder = _broken_copy(tmp_path)
    alone, shared = check([folder], jobs=1), check([folder], jobs=2)
    assert [str(e) for e in shared.errors] == [str(e) for e in alone.errors]
    assert shared.proofs == alone.proofs and shared.checked == alone.checked == 44
    messages = "\n".join(map(str, shared.errors))
    assert "misconception `unbiased_variance` passes every case" in messages
    assert "batchnorm_backward.yaml:3:8: topic: topic 3-4 is in folder 03-7_generalization/" in messages


def test_results_come_back_in_the_order_of_the_items():
    items = list(range(45))
    assert map_in_workers(lambda n: n * n, items, 2) == [n * n for n in items]


def test_workers_leave_the_sandbox_of_the_process_that_forked_them_alone(tmp_path):
    from test_attacks import RIGHT_SOFTMAX, SOFTMAX

    from grader.grading.codegrade import grade_code, shared_sandbox

    box = shared_sandbox()
    assert grade_code(SOFTMAX, RIGHT_SOFTMAX, 1).passed
    zygote, base = box.zygote_pid, box._backend.base
    report = check([BUILTIN_BANK / FOLDER], jobs=2)
    assert report.errors == []
    assert shared_sandbox() is box and box.zygote_pid == zygote and Path(base).is_dir()
    assert grade_code(SOFTMAX, RIGHT_SOFTMAX, 2).passed


def test_a_worker_that_dies_leaves_its_share_to_the_validating_process():
    import os

    parent = os.getpid()

    def square(n: int) -> int:
        if os.getpid() != parent:
            os._exit(3)  # as a crash in the bank's C code would
        return n * n

    items = list(range(45))
    assert map_in_workers(square, items, 2) == [n * n for n in items]
