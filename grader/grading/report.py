"""Reporting code results: text for the terminal and JSON for tools. Hidden inputs are never shown."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

import numpy as np

from grader.grading.codegrade import CaseResult, CodeResult
from grader.i18n import _
from grader.textsafe import safe_document, safe_text


def _status_text(status: str) -> str:
    if status == "learner_error":
        return _("コードのエラー")
    return _("採点側のエラー (あなたのコードの問題ではありません)")


def _short(value: Any, limit: int = 300) -> str:
    if isinstance(value, np.ndarray):
        text = np.array2string(value, precision=6, suppress_small=True, threshold=60)
    elif isinstance(value, dict) and set(value) == {"$ref"}:
        text = value["$ref"]
    else:
        text = repr(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _weighted(result: CodeResult) -> bool:
    return len({c.weight for c in result.cases}) > 1


def case_lines(result: CodeResult) -> list[str]:
    """One line per case (✓/✗, name, message), then the diagnosis of failures."""
    if result.status != "graded":
        lines = [f"{_status_text(result.status)}: {result.message}"]
        lines += [f"    {t}" for t in result.traceback]
        return lines
    lines = []
    for case in result.cases:
        lines += case_line(case, weighted=_weighted(result))
    lines += [f"    {t}" for t in result.traceback]
    for finding in result.findings:
        lines.append(_("考えられる原因: {says}").format(says=finding.says))
        if finding.line:
            lines.append(_("    該当しそうな行: {line}").format(line=finding.line))
    lines += list(result.notes)
    return lines


def case_line(case: CaseResult, *, weighted: bool = False) -> list[str]:
    """The lines of one case: its mark, name and scope, then (when it failed) the message, the diagnosis
    and a public example's inputs and expected result."""
    scope = _("隠し") if case.hidden else _("例")
    if weighted:
        scope += _(", 重み {weight:g}").format(weight=case.weight)
    text = f"{'✓' if case.passed else '✗'} {case.name} ({scope})"
    if not case.passed:
        text += f": {case.message}"
        if case.diagnosis:
            text += f"\n      → {case.diagnosis}"
    lines = [text]
    if not case.passed and case.public_detail:
        detail = case.public_detail
        lines.append(_("      入力: ") + ", ".join(f"{k} = {_short(v)}" for k, v in detail["inputs"].items()))
        results = [v for v in detail["expected"] if v is not None]
        if results:
            lines.append(_("      期待される結果: ") + ", ".join(_short(v) for v in results))
        for name, value in detail.get("expected_after", {}).items():
            lines.append(_("      呼び出し後に期待される {name}: {value}").format(name=name, value=_short(value)))
    if case.stdout:
        lines.append(_("      print の出力: ") + _short(case.stdout.rstrip(), 200))
    return lines


def headline(result: CodeResult) -> str:
    """The verdict in one line, the same in the quiz, ``submit`` and the notebook: the mark, the score and
    how it was counted (cases passed, and their weights when the cases weigh differently)."""
    if result.status == "grader_fault":
        return _("! 採点できませんでした (成績に数えません)")
    if result.status != "graded":
        return _("✗ 不正解 0%: {status}").format(status=_status_text(result.status))
    passed = [c for c in result.cases if c.passed]
    count = _("{passed}/{total} ケース通過").format(passed=len(passed), total=len(result.cases))
    if _weighted(result):
        count += _(" (得点は重み付き: 通過した重み {got:g} / 全体 {all:g})").format(got=sum(c.weight for c in passed), all=sum(c.weight for c in result.cases))
    if result.passed:
        return _("✓ 正解 100%: {count}").format(count=count)
    if result.score > 0:
        return _("△ 部分正解 {score:.0%}: {count}").format(score=result.score, count=count)
    return _("✗ 不正解 0%: {count}").format(count=count)


def result_text(result: CodeResult) -> str:
    # The lines quote what the code printed and raised: control characters are shown as escapes, never sent.
    return safe_text("\n".join([headline(result), *case_lines(result)]))


def _plain(value: Any) -> Any:
    if isinstance(value, np.ndarray):
        return value.tolist()
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, (np.generic,)):
        return value.item()
    return value if isinstance(value, (str, int, float, bool)) or value is None else repr(value)


def result_json(result: CodeResult) -> dict[str, Any]:
    data = asdict(result)
    data["passed"] = result.passed
    data["sandbox_layers"] = list(result.layers)
    plain: dict[str, Any] = _plain(data)
    return safe_document(plain)


def _call_text(step: dict[str, Any]) -> str:
    if "get" in step:
        return str(step["get"])
    args = [_short(a, 80) for a in step.get("args", [])]
    args += [f"{k}={_short(v, 80)}" for k, v in step.get("kwargs", {}).items()]
    return f"{step['call']}({', '.join(args)})"


def example_lines(question: Any, seed: int = 0) -> list[str]:
    """The public examples of a code question: inputs, calls and the reference's results."""
    from grader.bank.cases import build_cases
    from grader.grading.codegrade import expected_outputs

    lines: list[str] = []
    public = [i for i in build_cases(question, seed) if not i.spec.hidden]
    for instance, outcome in zip(public, expected_outputs(question, public)):
        lines.append(_("例 {label}:").format(label=instance.label))
        lines += [f"    {name} = {_short(value)}" for name, value in instance.program["let"].items()]
        if instance.spec.property is not None:
            lines.append(_("    {call} → (ランダム: 性質で判定) {says}").format(call=_call_text(instance.program["steps"][-1]),
                                                                          says=instance.spec.diagnosis.get("property", "")).rstrip())
            continue
        results = iter(outcome.get("outputs", []))
        for step in instance.program["steps"]:
            if step.get("check", True):
                result = next(results, None)
                shown = _("(None: 引数をその場で更新する)") if result is None else _short(result)
                lines.append(f"    {_call_text(step)} → {shown}")
        for name in instance.program["modifies"]:
            lines.append(_("    呼び出し後の {name} = {value}").format(name=name, value=_short(outcome.get("finals", {}).get(name))))
    return lines
