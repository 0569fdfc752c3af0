"""Learners' submissions written for the purpose: buggy ones, and ones right in another published convention."""

from tests.book_dlfs1.variants import backprop, cnn_and_normalization, functions, optimizers
from tests.book_dlfs1.variants.kinds import Variant

_TOPICS = (functions, backprop, optimizers, cnn_and_normalization)
BUGGY: list[Variant] = [v for topic in _TOPICS for v in topic.BUGGY]
CONVENTIONS: list[Variant] = [v for topic in _TOPICS for v in topic.CONVENTIONS]

__all__ = ["BUGGY", "CONVENTIONS", "Variant"]
