"""``eshikaku stats`` on a terminal: bars per exam area, sub-section and question type, recent activity and
the review schedule (the same data as ``stats --json``)."""

from __future__ import annotations

from typing import Any

from rich.console import RenderableType
from rich.rule import Rule
from rich.text import Text

from grader.learner.plain import format_seconds
from grader.learner.richtext import STYLES


def _bar(rate: float | None, width: int = 12) -> Text:
    if rate is None:
        return Text("未回答", style=STYLES["dim"])
    filled = round(rate * width)
    style = "green" if rate >= 0.8 else ("yellow" if rate >= 0.6 else "red")
    bar = Text("█" * filled, style=style)
    bar.append("░" * (width - filled), style=STYLES["dim"])
    bar.append(f" {rate:4.0%}")
    return bar


def stats_renderables(data: dict[str, Any]) -> list[RenderableType]:
    from rich.table import Table

    t, b, s = data["totals"], data["bank"], data["schedule"]
    out: list[RenderableType] = [Rule(Text(" 学習状況 ", style="bold"), style="blue", align="left")]
    head = Text(f"回答 {t['attempts']} 回", style="bold")
    acc = f"{t['accuracy']:.0%}" if t["accuracy"] is not None else "-"
    head.append(f"   正答率 {acc}   スキップ {t['skipped']}   学習時間 {format_seconds(t['seconds'])}")
    out.append(head)
    out.append(Text(f"問題集 {b['questions']} 問のうち 回答済み {b['answered']} ({(b['coverage'] or 0):.0%}) · 正解済み {b['answered_right']} "
        f"({(b['mastery'] or 0):.0%})"))
    areas = Table(title="試験の 4 分野", title_justify="left", title_style="bold", box=None, padding=(0, 2), header_style="dim")
    for column in ("分野", "正答率", "正解/採点", "問題", "100 問中"):
        areas.add_column(column, justify="right" if column != "分野" else "left")
    for g in data["by_area"]:
        answered = f"{g['questions_answered']}/{g['questions_in_bank']}"
        areas.add_row(g["name"], _bar(g["accuracy"]), f"{g['right']}/{g['graded']}", answered, str(g["exam_share"]))
    out += [Text(""), areas]
    for title, key, label in (("小項目別 (弱い順)", "by_topic", "topic"), ("形式別 (弱い順)", "by_type", "type")):
        table = Table(title=title, title_justify="left", title_style="bold", box=None, padding=(0, 2), header_style="dim")
        table.add_column(label)
        table.add_column("正答率")
        table.add_column("正解/採点", justify="right")
        table.add_column("問題", justify="right")
        for g in data[key]:
            name = f"{g[label]} {g['name']}" if label == "topic" else g[label]
            table.add_row(name, _bar(g["accuracy"]), f"{g['right']}/{g['graded']}", f"{g['questions_answered']}/{g['questions_in_bank']}")
        out += [Text(""), table]
    days = data["recent_days"]
    peak = max((d["attempts"] for d in days), default=0) or 1
    spark = "".join(" ▁▂▃▄▅▆▇█"[min(8, round(d["attempts"] / peak * 8))] for d in days)
    out += [Text(""), Text(f"最近 {len(days)} 日 ", style="bold") + Text(spark, style="cyan") + Text(f"  (合計 {sum(d['attempts'] for d in days)} "
        "回)", style=STYLES["dim"])]
    line = Text("復習 ", style="bold")
    line.append(f"今すぐ {s['due_now']} 問 · 今日中 {s['due_today']} 問" + (f" · 次は {s['next_due_in']}" if s["next_due"] else ""))
    out.append(line)
    if "exam_date" in s:
        out.append(Text(f"試験日 {s['exam_date']} (あと {s['days_to_exam']} 日) · 試験日の想定正答率 {s['predicted_exam_recall']:.0%}", style="bold"))
    return out
