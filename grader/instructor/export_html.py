"""Question text as HTML for other tools: Markdown becomes HTML and ``$…$`` / ``$$…$$`` become MathJax
``\\(…\\)`` / ``\\[…\\]`` (which Anki renders); raw HTML in the text is escaped."""

from __future__ import annotations

import html
import re
from collections.abc import Iterable
from typing import Any

_SEGMENTS = re.compile(r"(```.*?```|`[^`\n]*`)|\$\$(.+?)\$\$|\$([^$\n]+?)\$", re.S)
_PLACEHOLDER = re.compile(r"ESHKMATH(\d+)X")
_md: Any = None


def _markdown() -> Any:
    global _md
    if _md is None:
        from markdown_it import MarkdownIt

        _md = MarkdownIt("commonmark", {"html": False, "breaks": True}).enable("table")
    return _md


def md_html(text: str) -> str:
    """Markdown with ``$…$`` LaTeX → HTML with MathJax delimiters; raw HTML in the text is escaped."""
    maths: list[str] = []

    def keep(m: re.Match[str]) -> str:
        if m.group(1) is not None:
            return m.group(0)  # code: its dollars are not math
        display = m.group(2) is not None
        body = html.escape(m.group(2) if display else m.group(3), quote=False)
        maths.append(f"\\[{body}\\]" if display else f"\\({body}\\)")
        return f"ESHKMATH{len(maths) - 1}X"

    rendered = _markdown().render(_SEGMENTS.sub(keep, text.strip()))
    return _PLACEHOLDER.sub(lambda m: maths[int(m.group(1))], rendered).strip()


def code_html(code: str) -> str:
    return f'<pre class="code"><code>{html.escape(code.rstrip())}</code></pre>'


def list_html(items: Iterable[str], ordered: bool = False) -> str:
    tag = "ol" if ordered else "ul"
    return f"<{tag}>" + "".join(f"<li>{i}</li>" for i in items) + f"</{tag}>"


def inline_html(text: str) -> str:
    """Markdown of one item without the surrounding paragraph."""
    out = md_html(text)
    if out.startswith("<p>") and out.endswith("</p>") and out.count("<p>") == 1:
        out = out[3:-4]
    return out
