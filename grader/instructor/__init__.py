"""The instructor's side: proving a bank right and running a course.

Owns ``validate`` (:mod:`bankcheck` runs the schema and content checks, :mod:`proofs_answers` proves typed
answers at every parameter draw, :mod:`proofs_code` proves code by execution, :mod:`bankwide` and
:mod:`itemcues` are the --strict bank-wide checks), skeletons for new questions (:mod:`authoring`), batch
grading (:mod:`submissions`, :mod:`hashes`, :mod:`batch`, :mod:`batch_reports`), the Gradescope autograder
(:mod:`gradescope`), item statistics (:mod:`itemstats`) and exports (:mod:`anki`, :mod:`export`).
:mod:`commands` holds the commands ``cli.py`` calls. May import every package below it.
"""
