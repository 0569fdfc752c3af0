"""Verdicts: every answer graded, every code submission judged against the trusted reference.

Owns typed-answer grading (choices, numbers, shapes, expressions, matching, rubrics), the comparison of
code results (kinds of failure), the orchestration of a code grading (cases in, sandbox run, reference
here, judgement), misconceptions found by execution, the source as graded, and the text of a verdict.
May import :mod:`grader.bank` and :mod:`grader.sandbox`, never the learner's or instructor's side.
"""
