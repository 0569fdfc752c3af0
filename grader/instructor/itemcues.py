"""Cues that give a choice item's answer away by its form, after Haladyna, Downing & Rodriguez (2002).

A learner who knows nothing but the classic test-taking strategies should score no better than
chance, and no worse: a strategy whose pick is rarely the key tells the learner which option to
rule out. Each strategy below picks an option from the form alone; :func:`bank_rates` measures how
often its pick is the key over the bank, and :func:`item_findings` names the items where a cue
singles the key out, with the fix.

- longest: pick the longest option (true statements tend to carry the qualifiers); shortest, and
  not_longest / not_shortest (rule that option out), catch a bank that over-corrected;
- convergence: in a 組み合わせ item, pick the option whose parts occur most often among the options
  (distractors made by changing one part of the key all share the rest with it);
- absolute: in a 誤っているもの item pick the option with an absolute word (常に, 必ず …); in a
  正しいもの item avoid them;
- snippet kind (code_blank): pick the one snippet whose syntax differs from the others.
"""

from __future__ import annotations

import ast
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

from grader.bank.schema import Choice, ChoiceQuestion, CodeBlankQuestion, Question

ABSOLUTE_WORDS = ("常に", "必ず", "すべて", "全て", "決して", "のみ", "だけ", "絶対", "一切", "完全に", "比例して", "唯一", "いかなる", "全く")
NEGATIVE_STEM = re.compile(r"誤って(い|お)る|誤りを|正しくない|適切でない|不適切|当てはまらない|該当しない")
CATCH_ALL = re.compile(
    r"上記の?(すべて|全て|いずれも)|以上の?(すべて|全て)|いずれも(正しい|誤り|誤って|当てはまらない)"
    r"|すべて正しい|どれも(正しく|当てはまら)|正しいものはない|該当なし"
)
LONGEST_MARGIN = 1.2  # the key is "singled out" when it is this much longer than every distractor
MAX_FROM_CHANCE = 0.05  # either way: a strategy far below chance tells a learner which option to rule out
MIN_ITEMS_FOR_A_RATE = 20  # below this a rate says nothing about the bank (one file checked alone)


def width(text: str) -> int:
    """Display width of an option: CJK counts twice, Markdown and LaTeX markers not at all."""
    text = unicodedata.normalize("NFKC", re.sub(r"[`*$\\{}]", "", text))
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text if not ch.isspace())


def _absolute(text: str) -> bool:
    return any(word in text for word in ABSOLUTE_WORDS)


def _option_text(choice: Choice) -> str:
    return choice.text or " ".join(choice.parts.values())


@dataclass(frozen=True)
class Finding:
    """One cue that singles out an item's key: where it is, and how to fix it."""

    question: str
    loc: tuple[str | int, ...]
    cue: str
    message: str


@dataclass
class CueRate:
    """How often one strategy's pick is the key over the items it applies to, against chance."""

    cue: str
    items: int = 0
    hits: float = 0.0  # expected hits: a tie among k options counts 1/k
    chance: float = 0.0  # expected hits of a blind guess

    @property
    def rate(self) -> float:
        return self.hits / self.items if self.items else 0.0

    @property
    def chance_rate(self) -> float:
        return self.chance / self.items if self.items else 0.0

    @property
    def excess(self) -> float:
        return self.rate - self.chance_rate

    def add(self, picks: list[int], key: int, n: int) -> None:
        self.items += 1
        self.hits += (1 / len(picks)) if key in picks else 0.0
        self.chance += 1 / n


def _single_answer(q: Question) -> bool:
    return isinstance(q, ChoiceQuestion) and len(q.answer) == 1 and len(q.choices) >= 3


def _longest_picks(texts: list[str]) -> list[int]:
    widths = [width(t) for t in texts]
    top = max(widths)
    return [i for i, w in enumerate(widths) if w == top]


def _shortest_picks(texts: list[str]) -> list[int]:
    widths = [width(t) for t in texts]
    return [i for i, w in enumerate(widths) if w == min(widths)]


def _all_but(picks: list[int], n: int) -> list[int]:
    """A learner who has noticed that keys are never the longest (or shortest) option rules those out."""
    rest = [i for i in range(n) if i not in picks]
    return rest or list(range(n))


def _convergence_scores(choices: list[Choice]) -> list[int]:
    labels = sorted({label for c in choices for label in c.parts})
    counts = {label: Counter(c.parts.get(label, "") for c in choices) for label in labels}
    return [sum(counts[label][c.parts.get(label, "")] for label in labels) for c in choices]


def _absolute_picks(texts: list[str], negative: bool) -> list[int]:
    marked = [i for i, t in enumerate(texts) if _absolute(t)]
    if negative:
        return marked or list(range(len(texts)))
    unmarked = [i for i in range(len(texts)) if i not in marked]
    return unmarked or list(range(len(texts)))


def _snippet_kind(code: str) -> str:
    try:
        tree = ast.parse(code.strip(), mode="eval")
        node: ast.AST = tree.body
    except SyntaxError:
        try:
            stmt = ast.parse(code.strip()).body
        except SyntaxError:
            return "invalid"
        node = stmt[0] if len(stmt) == 1 else ast.Module(body=stmt, type_ignores=[])
    kind = type(node).__name__
    if isinstance(node, ast.Call):
        func = node.func
        kind += ":" + (func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else "")
    return kind


def _choice_findings(q: ChoiceQuestion) -> Iterable[Finding]:
    keys = [c.key for c in q.choices]
    texts = [_option_text(c) for c in q.choices]
    for i, text in enumerate(texts):
        if CATCH_ALL.search(text):
            yield Finding(q.id, ("choices", i, "text"), "catch_all", "「上記のすべて / いずれも」の選択肢は使わない: 一つの誤概念を表す選択肢に書き換える")
    if not _single_answer(q):
        return
    key = keys.index(q.answer[0])
    others = [width(t) for i, t in enumerate(texts) if i != key]
    if not any(c.parts for c in q.choices):
        if width(texts[key]) > LONGEST_MARGIN * max(others):
            yield Finding(q.id, ("choices", key, "text"), "longest",
                          f"the key is the longest option by far ({width(texts[key])} vs at most {max(others)}): "
                          "trim it, or give the distractors the same level of detail")
        if width(texts[key]) * LONGEST_MARGIN < min(others):
            yield Finding(q.id, ("choices", key, "text"), "shortest",
                          f"the key is the shortest option by far ({width(texts[key])} vs at least {min(others)}): make the options similar in length")
    else:
        scores = _convergence_scores(q.choices)
        if scores[key] == max(scores) and scores.count(max(scores)) == 1:
            yield Finding(q.id, ("choices",), "convergence",
                          "the key shares the most parts with the other options (convergence cue): balance the design so that "
                          "every value of every part appears as often in the distractors as in the key (e.g. all four combinations of 2×2)")
    negative = bool(NEGATIVE_STEM.search(q.prompt))
    marked = [i for i, t in enumerate(texts) if _absolute(t)]
    if negative and marked == [key]:
        yield Finding(q.id, ("choices", key, "text"), "absolute",
                      "only the false statement (the key) carries an absolute word (常に, 必ず, すべて …): reword it, or use such words in true options too")
    if not negative and marked and key not in marked and len(marked) == len(texts) - 1:
        yield Finding(q.id, ("choices", key, "text"), "absolute",
                      "every option but the key carries an absolute word (常に, 必ず, すべて …): the key is found without knowing the content")


def _key_reference_findings(q: ChoiceQuestion) -> Iterable[Finding]:
    """Shuffled options are relabelled 1–4 in the order shown, so a 解説 that says "(3)" points at the wrong option."""
    if not q.shuffle:
        return
    pattern = re.compile(r"[(（](" + "|".join(re.escape(c.key) for c in q.choices) + r")[)）]")
    places: list[tuple[str | int, ...]] = [("explanation",), *(("choices", i, "why") for i in range(len(q.choices)))]
    for loc in places:
        text = q.explanation if loc == ("explanation",) else q.choices[int(loc[1])].why
        match = pattern.search(text)
        if match:
            yield Finding(q.id, loc, "key_reference",
                          f"cites option {match.group(0)} by its key, but options are shown shuffled and relabelled: name the option by its content")


def _blank_findings(q: CodeBlankQuestion) -> Iterable[Finding]:
    for bi, blank in enumerate(q.blanks):
        if len(blank.choices) < 3 or blank.answer is None:
            continue
        keys = [c.key for c in blank.choices]
        key = keys.index(blank.answer)
        widths = [width(c.text) for c in blank.choices]
        others = [w for i, w in enumerate(widths) if i != key]
        if widths[key] > LONGEST_MARGIN * max(others):
            yield Finding(q.id, ("blanks", bi, "choices", key, "text"), "longest",
                          f"blank {blank.name}: the right snippet is the longest by far: write distractors of the same length")
        kinds = [_snippet_kind(c.text) for c in blank.choices]
        if kinds.count(kinds[key]) == 1 and len(set(k for i, k in enumerate(kinds) if i != key)) == 1:
            yield Finding(q.id, ("blanks", bi, "choices", key, "text"), "snippet_kind",
                          f"blank {blank.name}: the right snippet is the only one of its kind ({kinds[key]} among {kinds[(key + 1) % len(kinds)]}): "
                          "make the distractors the same kind of expression")


def item_findings(questions: Iterable[Question]) -> list[Finding]:
    """Every item whose form singles out its key."""
    out: list[Finding] = []
    for q in questions:
        if isinstance(q, ChoiceQuestion):
            out += _choice_findings(q)
            out += _key_reference_findings(q)
        elif isinstance(q, CodeBlankQuestion):
            out += _blank_findings(q)
    return out


def bank_rates(questions: Iterable[Question]) -> list[CueRate]:
    """The hit rate of each strategy over the bank's single-answer items, with the rate of chance."""
    longest, convergence, absolute = CueRate("longest"), CueRate("convergence"), CueRate("absolute")
    shortest, not_longest, not_shortest = CueRate("shortest"), CueRate("not_longest"), CueRate("not_shortest")
    snippet, longest_snippet, not_longest_snippet = CueRate("snippet_kind"), CueRate("longest_snippet"), CueRate("not_longest_snippet")
    for q in questions:
        if isinstance(q, ChoiceQuestion) and _single_answer(q):
            key = [c.key for c in q.choices].index(q.answer[0])
            n = len(q.choices)
            texts = [_option_text(c) for c in q.choices]
            if any(c.parts for c in q.choices):
                scores = _convergence_scores(q.choices)
                convergence.add([i for i, s in enumerate(scores) if s == max(scores)], key, n)
            else:
                longest.add(_longest_picks(texts), key, n)
                shortest.add(_shortest_picks(texts), key, n)
                not_longest.add(_all_but(_longest_picks(texts), n), key, n)
                not_shortest.add(_all_but(_shortest_picks(texts), n), key, n)
                absolute.add(_absolute_picks(texts, bool(NEGATIVE_STEM.search(q.prompt))), key, n)
        elif isinstance(q, CodeBlankQuestion):
            for blank in q.blanks:
                if len(blank.choices) >= 3 and blank.answer is not None:
                    key = [c.key for c in blank.choices].index(blank.answer)
                    kinds = [_snippet_kind(c.text) for c in blank.choices]
                    odd = [i for i, k in enumerate(kinds) if kinds.count(k) == 1]
                    snippet.add(odd if len(odd) == 1 else list(range(len(kinds))), key, len(kinds))
                    snippets = [c.text for c in blank.choices]
                    longest_snippet.add(_longest_picks(snippets), key, len(snippets))
                    not_longest_snippet.add(_all_but(_longest_picks(snippets), len(snippets)), key, len(snippets))
    return [longest, shortest, not_longest, not_shortest, convergence, absolute, snippet, longest_snippet, not_longest_snippet]


def rate_lines(rates: list[CueRate]) -> list[str]:
    return [
        f"cue {r.cue}: hits the key in {r.hits:.1f} of {r.items} items ({r.rate:.0%}; chance {r.chance_rate:.0%}, "
        f"{'+' if r.excess >= 0 else ''}{r.excess * 100:.1f} points)"
        for r in rates
        if r.items
    ]


# What each strategy picks, and how to bring it back to chance when the key is that pick too often or too rarely.
_PICKS: dict[str, tuple[str, str, str]] = {
    "longest": ("the longest option", "trim wordy keys, or give the distractors the same detail",
                "let more keys carry their qualifiers, or state a wordy distractor more briefly"),
    "shortest": ("the shortest option", "let more keys carry their qualifiers, or state a distractor more briefly",
                 "shorten a wordy key, or state a distractor's (wrong) claim more fully"),
    "not_longest": ("an option other than the longest", "let more keys carry their qualifiers, or state a wordy distractor more briefly",
                    "trim wordy keys, or give the distractors the same detail"),
    "not_shortest": ("an option other than the shortest", "shorten a wordy key, or state a distractor's (wrong) claim more fully",
                     "let more keys carry their qualifiers, or state a distractor more briefly"),
    "convergence": ("the 組み合わせ option sharing the most parts", "balance the parts of the items flagged `cue convergence`",
                    "balance the parts so that the key shares as many parts with the distractors as they share with each other"),
    "absolute": ("the option an absolute word (常に, 必ず …) points to",
                 "absolute words mark false statements: use them in true options as often as in false ones (items flagged `cue absolute`)",
                 "absolute words mark true statements: use them in false options as often as in true ones"),
    "snippet_kind": ("the one snippet of a different kind", "make the distractors the same kind of expression as the right snippet",
                     "make the odd distractor the same kind of expression as the others"),
    "longest_snippet": ("the longest snippet", "write distractors as long as the right snippet",
                        "write the right snippet more fully, or shorten a long distractor"),
    "not_longest_snippet": ("a snippet other than the longest", "write the right snippet more fully, or shorten a long distractor",
                            "write distractors as long as the right snippet"),
}


def rates_away_from_chance(rates: list[CueRate]) -> list[CueRate]:
    """Strategies, judged over enough items, whose pick is the key more than 5 points above or below chance."""
    return [r for r in rates if r.items >= MIN_ITEMS_FOR_A_RATE and abs(r.excess) > MAX_FROM_CHANCE]


def away_from_chance_message(rate: CueRate) -> str:
    """Which way the strategy is off and what to change in the items, for ``validate --strict``."""
    pick, fix_above, fix_below = _PICKS.get(rate.cue, (rate.cue, "rewrite the items", "rewrite the items"))
    above = rate.excess > 0
    return (f"the {rate.cue} strategy picks the key in {rate.rate:.0%} of {rate.items} items, "
            f"{abs(rate.excess) * 100:.1f} points {'above' if above else 'below'} chance ({rate.chance_rate:.0%}): "
            f"the key is {pick} too {'often' if above else 'rarely'}, which gives it away; "
            f"{fix_above if above else fix_below}")
