"""Tests for reference.initializers: closed-form standard deviations (Q18) and sampled weights."""

import numpy as np
import pytest

from reference.initializers import glorot_std, he_std, init_weight, xavier_std


def test_std_values_q18():
    assert he_std(512) == pytest.approx(0.0625)
    assert xavier_std(512) == pytest.approx(0.0442, abs=1e-4)
    assert glorot_std(512, 256) == pytest.approx(0.0510, abs=1e-4)
    assert he_std(100) == pytest.approx(np.sqrt(2) * xavier_std(100))


@pytest.mark.parametrize("method, std", [("he", 0.0625), ("xavier", 0.0625 / np.sqrt(2)),
                                         ("glorot", np.sqrt(2 / 768))])
def test_init_weight_shape_and_sample_std(method, std):
    W = init_weight(512, 256, method, rng=np.random.default_rng(0))
    assert W.shape == (512, 256)
    assert W.std() == pytest.approx(std, rel=0.01)  # 131072 samples: sd of the estimate ≈ 0.2 %
    assert abs(W.mean()) < 0.01 * std * 5


def test_init_weight_uses_global_seed_without_rng():
    np.random.seed(7)
    a = init_weight(3, 4)
    np.random.seed(7)
    np.testing.assert_array_equal(a, np.random.randn(3, 4) * he_std(3))


def test_init_weight_rejects_unknown_method():
    with pytest.raises(ValueError, match="method"):
        init_weight(3, 4, "lecun")
