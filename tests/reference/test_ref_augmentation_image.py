"""Tests for reference.augmentation_image: Gaussian noise injection and its property checker both ways."""

import numpy as np

from reference.augmentation_image import add_gaussian_noise, check_gaussian_noise

X = np.linspace(0.0, 1.0, 8 * 8 * 3).reshape(8, 8, 3)
SIGMA = 0.3
VALUES = {"x": X, "sigma": SIGMA}


def runs(fn, n_runs=60):
    """What the grader does: one call per run, each after a different seed."""
    out = []
    for r in range(n_runs):
        np.random.seed(500 + r)
        out.append(fn())
    return out


def test_noise_has_zero_mean_and_the_given_standard_deviation():
    np.random.seed(0)
    noise = add_gaussian_noise(np.zeros((200, 200)), 0.5)
    assert abs(noise.mean()) < 0.01 and abs(noise.std() - 0.5) < 0.01


def test_input_is_not_modified_and_shape_is_kept():
    x = X.copy()
    out = add_gaussian_noise(x, SIGMA)
    assert out.shape == X.shape and out.dtype == np.float64
    np.testing.assert_array_equal(x, X)


def test_checker_accepts_the_reference():
    assert check_gaussian_noise(VALUES, runs(lambda: add_gaussian_noise(X, SIGMA))) == []


def test_checker_rejects_one_draw_per_image():
    messages = check_gaussian_noise(VALUES, runs(lambda: X + np.random.normal(0.0, SIGMA)))
    assert any("同じ値のノイズ" in m for m in messages), messages


def test_checker_rejects_variance_passed_as_standard_deviation():
    messages = check_gaussian_noise(VALUES, runs(lambda: X + np.random.normal(0.0, SIGMA ** 2, size=X.shape)))
    assert any("標準偏差" in m and "σ²" in m for m in messages), messages


def test_checker_rejects_a_shifted_mean_and_a_fixed_seed():
    shifted = check_gaussian_noise(VALUES, runs(lambda: X + np.random.normal(SIGMA, 1.0, size=X.shape)))
    assert any("平均" in m for m in shifted), shifted

    def fixed():
        rng = np.random.RandomState(1)
        return X + rng.normal(0.0, SIGMA, size=X.shape)

    assert any("同じノイズ" in m for m in check_gaussian_noise(VALUES, runs(fixed)))


def test_checker_rejects_wrong_shapes_and_integer_results():
    assert check_gaussian_noise(VALUES, [X[0]])
    assert check_gaussian_noise(VALUES, [np.zeros(X.shape, dtype=int)])
