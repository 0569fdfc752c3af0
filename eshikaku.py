"""eshikaku in notebooks: ``%load_ext eshikaku`` then ``%%eshikaku QUESTION_ID`` grades a cell;
``eshikaku.check(QUESTION_ID, func_or_source)`` grades from plain Python (see grader.learner.notebook)."""

from grader.learner.notebook import Check, check, load_ipython_extension

__all__ = ["Check", "check", "load_ipython_extension"]
