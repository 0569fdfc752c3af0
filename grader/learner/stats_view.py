"""``eshikaku stats`` drawn: bars per exam area, sub-section and question type, recent activity and the review
schedule on a terminal, or the same as plain text (both from the data ``stats --json`` prints)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from grader.i18n import _
from grader.learner.plain import format_seconds

if TYPE_CHECKING:
    from rich.console import RenderableType
    from rich.text import Text


def _rate(rate: float | None) -> str:
    return f"{rate:.0%}" if rate is not None else _("未回答")


def _totals(data: dict[str, Any]) -> tuple[str, str]:
    t, b = data["totals"], data["bank"]
    acc = f"{t['accuracy']:.0%}" if t["accuracy"] is not None else "-"
    answers = _("回答 {n} 回 (採点 {graded}, 正解 {right}, 正答率 {acc})   スキップ {skipped}   学習時間 {time}").format(
        n=t["attempts"], graded=t["graded"], right=t["right"], acc=acc, skipped=t["skipped"], time=format_seconds(t["seconds"]))
    bank = _("問題集 {n} 問のうち 回答済み {answered} ({coverage:.0%}) · 正解済み {right} ({mastery:.0%})").format(
        n=b["questions"], answered=b["answered"], coverage=b["coverage"] or 0, right=b["answered_right"], mastery=b["mastery"] or 0)
    return answers, bank


def _schedule(data: dict[str, Any]) -> list[str]:
    s = data["schedule"]
    line = _("復習: 今すぐ {now} 問 · 今日中 {today} 問").format(now=s["due_now"], today=s["due_today"])
    if s["next_due"]:
        line += _(" · 次は {when}").format(when=s["next_due_in"])
    lines = [line]
    if "exam_date" in s:
        lines.append(_("試験日 {day} (あと {days} 日) · 試験日の想定正答率 {recall:.0%}").format(
            day=s["exam_date"], days=s["days_to_exam"], recall=s["predicted_exam_recall"]))
    return lines


def stats_text(data: dict[str, Any]) -> str:
    """The plain-text report."""
    answers, bank = _totals(data)
    lines = [answers, bank, "", _("試験の 4 分野:")]
    for g in data["by_area"]:
        lines.append(_("  {name:8} {rate:>6}  {right}/{graded}  問題 {seen}/{count}  (100 問中 {share} 問)").format(
            name=g["name"], rate=_rate(g["accuracy"]), right=g["right"], graded=g["graded"], seen=g["questions_answered"],
            count=g["questions_in_bank"], share=g["exam_share"]))  # fmt: skip
    lines.append(_("小項目別 (弱い順):"))
    for g in data["by_topic"]:
        lines.append(_("  {topic:5} {rate:>6}  {right}/{graded}  問題 {seen}/{count}  {name}").format(
            topic=g["topic"], rate=_rate(g["accuracy"]), right=g["right"], graded=g["graded"], seen=g["questions_answered"],
            count=g["questions_in_bank"], name=g["name"]))  # fmt: skip
    lines.append(_("形式別 (弱い順):"))
    for g in data["by_type"]:
        lines.append(f"  {g['type']:14} {_rate(g['accuracy']):>6}  {g['right']}/{g['graded']}")
    active = [d for d in data["recent_days"] if d["attempts"]]
    days = ", ".join(f"{d['date'][5:]} {d['right']}/{d['attempts']}" for d in active) if active else _("なし")
    lines.append(_("最近 {n} 日: {days}").format(n=len(data["recent_days"]), days=days))
    return "\n".join(lines + _schedule(data))


def _bar(rate: float | None, width: int = 12) -> Text:
    from rich.text import Text

    from grader.learner.richtext import STYLES

    if rate is None:
        return Text(_("未回答"), style=STYLES["dim"])
    filled = round(rate * width)
    style = "green" if rate >= 0.8 else ("yellow" if rate >= 0.6 else "red")
    bar = Text("█" * filled, style=style)
    bar.append("░" * (width - filled), style=STYLES["dim"])
    bar.append(f" {rate:4.0%}")
    return bar


def stats_renderables(data: dict[str, Any]) -> list[RenderableType]:
    from rich.rule import Rule
    from rich.table import Table
    from rich.text import Text

    from grader.learner.richtext import STYLES

    answers, bank = _totals(data)
    out: list[RenderableType] = [Rule(Text(_(" 学習状況 "), style="bold"), style="blue", align="left"), Text(answers, style="bold"), Text(bank)]
    areas = Table(title=_("試験の 4 分野"), title_justify="left", title_style="bold", box=None, padding=(0, 2), header_style="dim")
    areas.add_column(_("分野"))
    for column in (_("正答率"), _("正解/採点"), _("問題"), _("100 問中")):
        areas.add_column(column, justify="right")
    for g in data["by_area"]:
        areas.add_row(g["name"], _bar(g["accuracy"]), f"{g['right']}/{g['graded']}", f"{g['questions_answered']}/{g['questions_in_bank']}",
                      str(g["exam_share"]))  # fmt: skip
    out += [Text(""), areas]
    for title, key, label in ((_("小項目別 (弱い順)"), "by_topic", _("小項目")), (_("形式別 (弱い順)"), "by_type", _("形式"))):
        table = Table(title=title, title_justify="left", title_style="bold", box=None, padding=(0, 2), header_style="dim")
        table.add_column(label)
        table.add_column(_("正答率"))
        table.add_column(_("正解/採点"), justify="right")
        table.add_column(_("問題"), justify="right")
        for g in data[key]:
            name = f"{g['topic']} {g['name']}" if key == "by_topic" else g["type"]
            table.add_row(name, _bar(g["accuracy"]), f"{g['right']}/{g['graded']}", f"{g['questions_answered']}/{g['questions_in_bank']}")
        out += [Text(""), table]
    days = data["recent_days"]
    peak = max((d["attempts"] for d in days), default=0) or 1
    spark = "".join(" ▁▂▃▄▅▆▇█"[min(8, round(d["attempts"] / peak * 8))] for d in days)
    recent = Text(_("最近 {n} 日 ").format(n=len(days)), style="bold")
    recent.append(spark, style="cyan")
    recent.append(_("  (合計 {n} 回)").format(n=sum(d["attempts"] for d in days)), style=STYLES["dim"])
    out += [Text(""), recent]
    out += [Text(line, style="bold") for line in _schedule(data)]
    return out
