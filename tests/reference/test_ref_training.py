"""Tests for reference.training: seeded mini-batches (S004-Q14) and check_minibatches both ways."""

import numpy as np

from reference.training import check_minibatches, iterate_minibatches, train_epoch

N = 10
DATA_X = np.arange(N)
DATA_T = 10 * np.arange(N)
VALUES = {"data_x": DATA_X, "data_t": DATA_T, "batch_size": 4}


def record(train):
    """Run a learner's ``train(data_x, data_t, batch_size, update)`` once; return the (2, n) record."""
    xs, ts = [], []
    train(DATA_X, DATA_T, 4, lambda bx, bt: (xs.append(bx), ts.append(bt)))
    return np.array([np.concatenate(xs), np.concatenate(ts)])


def run_seeded(train, n_runs=30):
    results = []
    for r in range(n_runs):
        np.random.seed(500 + r)
        results.append(record(train))
    return results


def test_seeded_batches_are_the_sliced_permutation():
    np.random.seed(0)
    batches = list(iterate_minibatches(DATA_X, DATA_T, 4))
    assert [b[0].tolist() for b in batches] == [[2, 8, 4, 9], [1, 6, 7, 3], [0, 5]]
    for bx, bt in batches:
        np.testing.assert_array_equal(bt, 10 * bx)


def test_no_shuffle_keeps_order_and_2d_data():
    x2 = np.arange(20).reshape(10, 2)
    batches = list(iterate_minibatches(x2, DATA_T, 3, shuffle=False))
    assert [b[0].shape for b in batches] == [(3, 2), (3, 2), (3, 2), (1, 2)]
    np.testing.assert_array_equal(np.concatenate([b[1] for b in batches]), DATA_T)


def test_train_epoch_calls_update_per_batch():
    calls = []
    np.random.seed(0)
    train_epoch(DATA_X, DATA_T, 4, lambda bx, bt: calls.append(bx.tolist()))
    assert calls == [[2, 8, 4, 9], [1, 6, 7, 3], [0, 5]]


def test_check_minibatches_passes_the_reference():
    assert check_minibatches(VALUES, run_seeded(train_epoch)) == []


def test_check_minibatches_rejects_the_seed_answer_that_ignores_the_shuffle():
    def seed004_answer(data_x, data_t, batch_size, update):
        n = len(data_x)
        shuffle_idx = np.random.permutation(n)  # noqa: F841  (dead code in the seed)
        for i in range(0, n, batch_size):
            update(data_x[i:i + batch_size], data_t[i:i + batch_size])

    messages = check_minibatches(VALUES, run_seeded(seed004_answer))
    assert messages == ["in 30 of 30 runs the batches follow the stored order: the shuffle is computed "
                        "but not used (data_x[i:i_end] instead of data_x[shuffle_idx[i:i_end]])"]


def test_check_minibatches_rejects_misaligned_labels():
    def misaligned(data_x, data_t, batch_size, update):
        idx = np.random.permutation(len(data_x))
        for i in range(0, len(data_x), batch_size):
            update(data_x[idx[i:i + batch_size]], data_t[i:i + batch_size])

    messages = check_minibatches(VALUES, run_seeded(misaligned))
    assert len(messages) == 1 and "does not belong to batch_x" in messages[0]
    assert "same problem in" in messages[0]


def test_check_minibatches_rejects_sampling_with_replacement():
    def with_replacement(data_x, data_t, batch_size, update):
        for _ in range(0, len(data_x), batch_size):
            idx = np.random.choice(len(data_x), batch_size)
            update(data_x[idx], data_t[idx])

    messages = check_minibatches(VALUES, run_seeded(with_replacement))
    # 12 samples instead of 10, or (never here) a non-permutation
    assert messages and ("12 samples" in messages[0] or "not a permutation" in messages[0])

    def choice_exact_count(data_x, data_t, batch_size, update):
        idx = np.random.choice(len(data_x), len(data_x))
        update(data_x[idx], data_t[idx])

    messages = check_minibatches(VALUES, run_seeded(choice_exact_count))
    assert messages and "not a permutation" in messages[0]


def test_check_minibatches_rejects_the_same_shuffle_in_every_run():
    def fixed(data_x, data_t, batch_size, update):
        rng = np.random.default_rng(0)  # ignores the grader's seed
        idx = rng.permutation(len(data_x))
        for i in range(0, len(data_x), batch_size):
            update(data_x[idx[i:i + batch_size]], data_t[idx[i:i + batch_size]])

    messages = check_minibatches(VALUES, run_seeded(fixed))
    assert len(messages) == 1 and "first sample is the same in all 30 runs" in messages[0]


def test_check_minibatches_never_raises_on_garbage():
    garbage = [None, np.zeros(10), np.zeros((3, 10)), np.zeros((2, 10), dtype=object), "abc",
               np.array([["a"] * 10, ["b"] * 10])]
    messages = check_minibatches(VALUES, garbage)
    assert messages and all(isinstance(m, str) for m in messages)
