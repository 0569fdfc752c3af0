"""The kinds of failure a user can meet, and the one table that maps each to an exit status.

Three kinds are kept apart everywhere: the learner's (wrong, or unusable input), the bank's (a
question file or a reference is broken: the author's to fix) and the grader's own (a fault of this
program or of the machine, never counted against the learner).
"""

from __future__ import annotations

from enum import IntEnum


class Exit(IntEnum):
    """Exit statuses of every command."""

    OK = 0  # right answer, passing submission, clean validation
    WRONG = 1  # wrong answer or failing submission; validation found problems
    USAGE = 2  # bad arguments or unreadable input: nothing was graded
    BANK = 2  # the question bank is broken where this command needs it (told apart by its message)
    FAULT = 3  # the grader itself failed (a bug or a machine problem)
    INTERRUPTED = 130  # stopped by Ctrl-C (the shell's 128 + SIGINT); what was done so far is kept


class EshikakuError(Exception):
    """Base of the errors a command turns into one message line and an exit status (never a traceback)."""

    exit = Exit.USAGE


class UsageError(EshikakuError):
    """The user's input cannot be used as given (a bad option, an unknown id, an undecodable file)."""

    exit = Exit.USAGE


class BankFault(EshikakuError):
    """A question file or reference is broken: the author's to fix, not the learner's."""

    exit = Exit.BANK


class GraderFault(EshikakuError, RuntimeError):
    """Something went wrong on the grader's side, not the learner's."""

    exit = Exit.FAULT
