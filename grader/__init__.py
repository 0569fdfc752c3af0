"""eshikaku's engine, one package per concern, layered from the bottom up.

- :mod:`grader.bank` — the question bank: schema, loading with file:line errors, parameters, test cases,
  the syllabus as data and its coverage. Imports only the modules at this level (errors, i18n).
- :mod:`grader.sandbox` — running untrusted code: kernel isolation layers, the zygote, the pool and the
  harness that runs inside the child. Imports only the modules at this level.
- :mod:`grader.grading` — verdicts: typed answers, code results judged against the trusted reference,
  misconceptions found by execution, the text of a verdict. Imports bank and sandbox.
- :mod:`grader.learner` — the learner's side: quiz, mock exam, terminal rendering, progress database,
  spaced repetition, statistics. Imports grading, bank and sandbox.
- :mod:`grader.instructor` — the instructor's side: validation by execution, item-writing cues,
  skeletons, batch grading and its reports, exports. May import every package above.

:mod:`grader.errors` (the kinds of failure and their exit statuses) and :mod:`grader.i18n` (the message
catalogue) are shared by all. ``cli.py`` sits on top. tests/test_layering.py enforces the order.
"""
