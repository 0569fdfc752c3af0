"""The functions and classes of 「ゼロから作る Deep Learning」 common/ as a learner following the book writes them.

Each module behaves exactly as the book's: its signatures, defaults and quirks (``10e-7`` in batch
normalisation, non-inverted dropout with ``train_flg``, Adam's bias correction folded into the learning
rate, ``Relu.backward`` writing into ``dout``, ``numerical_gradient`` perturbing ``x`` in place). The
modules import one another the way the book's do; :func:`tests.test_book_dlfs1.submission` joins them
into one submission.
"""
