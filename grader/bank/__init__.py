"""The question bank: what a question is and how it is read, drawn and covered.

Owns the question schema (pydantic models), the YAML loader (positions for file:line errors, a cache),
parameters and attempts, test-case construction, the arithmetic language of the bank, the syllabus
editions (``editions/*.yaml``), keyword coverage and the catalogue. It runs no learner code and may
import only :mod:`grader.errors` and :mod:`grader.i18n` besides the standard library, NumPy, pydantic
and PyYAML. References are located statically here and imported only when an answer is computed.
"""
