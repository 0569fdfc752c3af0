"""Tests for reference.augmentation: the transforms, and the property checkers both ways."""

import numpy as np
import pytest

from reference.augmentation import (
    check_dropout_mask,
    check_random_crop,
    horizontal_flip,
    mixup,
    random_crop,
    random_erasing,
)
from reference.regularization import Dropout

IMAGE = np.arange(6 * 5 * 3, dtype=np.uint8).reshape(6, 5, 3)  # every window distinct
CROP = (3, 3)  # tops 0..3, lefts 0..2


def run_seeded(fn, n_runs=200):
    """What the grader does: call ``fn`` once per run with a different seed, keep None on error."""
    results = []
    for r in range(n_runs):
        np.random.seed(1000 + r)
        try:
            results.append(fn())
        except Exception:
            results.append(None)
    return results


def seed000_random_crop(image, crop_size):
    """The seed 000 version: np.random.randint(0, h - crop_h) never reaches the last offset."""
    h, w, _ = image.shape
    crop_h, crop_w = crop_size
    top = np.random.randint(0, h - crop_h)
    left = np.random.randint(0, w - crop_w)
    return image[top:top + crop_h, left:left + crop_w, :]


# ---------------------------------------------------------------- transforms


def test_random_crop_is_a_window_and_reaches_every_offset():
    tops = set()
    for r in range(300):
        np.random.seed(r)
        out = random_crop(IMAGE, CROP)
        assert out.shape == (3, 3, 3) and out.dtype == np.uint8
        top = int(out[0, 0, 0]) // 15  # IMAGE[t, l, 0] = 15 t + 3 l
        left = (int(out[0, 0, 0]) % 15) // 3
        np.testing.assert_array_equal(out, IMAGE[top:top + 3, left:left + 3])
        tops.add(top)
    assert tops == {0, 1, 2, 3}


def test_random_crop_full_size_and_no_mutation():
    saved = IMAGE.copy()
    np.testing.assert_array_equal(random_crop(IMAGE, (6, 5)), IMAGE)  # the seed code raises here
    np.testing.assert_array_equal(IMAGE, saved)


def test_horizontal_flip():
    img = np.arange(12).reshape(2, 3, 2)
    out = horizontal_flip(img)
    np.testing.assert_array_equal(out[:, 0], img[:, 2])
    np.testing.assert_array_equal(horizontal_flip(out), img)
    out[0, 0, 0] = 99
    assert img[0, 2, 0] == 4  # a copy, not a view


def test_random_erasing_rectangle_within_bounds():
    img = np.ones((32, 32, 3))
    for r in range(50):
        np.random.seed(r)
        out = random_erasing(img, p=1.0, value=0)
        assert out.shape == img.shape and out is not img
        erased = np.all(out == 0, axis=2)
        rows, cols = np.where(erased)
        assert rows.size > 0
        box = erased[rows.min():rows.max() + 1, cols.min():cols.max() + 1]
        assert box.all()  # one solid rectangle
        assert 0.02 * 1024 * 0.5 <= erased.sum() <= 0.4 * 1024 * 1.5  # rounding of h_e, w_e
        assert np.all(out[~erased] == 1)
    np.testing.assert_array_equal(img, 1.0)


def test_random_erasing_probability():
    img = np.ones((8, 8, 1))
    np.testing.assert_array_equal(random_erasing(img, p=0.0), img)
    changed = 0
    for r in range(400):
        np.random.seed(r)
        changed += not np.array_equal(random_erasing(img, p=0.5), img)
    assert 140 < changed < 260  # binomial(400, 0.5): mean 200, sd 10


def test_mixup_closed_form():
    x1, x2 = np.array([1.0, 2.0]), np.array([3.0, 6.0])
    t1, t2 = np.array([1.0, 0.0]), np.array([0.0, 1.0])
    x, t = mixup(x1, t1, x2, t2, 0.25)
    np.testing.assert_allclose(x, [2.5, 5.0])
    np.testing.assert_allclose(t, [0.25, 0.75])


# ------------------------------------------------------- check_random_crop


def test_check_random_crop_passes_the_correct_crop():
    results = run_seeded(lambda: random_crop(IMAGE, CROP))
    assert check_random_crop({"image": IMAGE, "crop_size": CROP}, results) == []


def test_check_random_crop_names_the_unreachable_offset_of_the_seed_code():
    results = run_seeded(lambda: seed000_random_crop(IMAGE, CROP))
    messages = check_random_crop({"image": IMAGE, "crop_size": CROP}, results)
    assert len(messages) == 2
    assert "top offset 3" in messages[0] and "excludes high" in messages[0]
    assert "h - crop_h + 1" in messages[0]
    assert "left offset 2" in messages[1] and "w - crop_w + 1" in messages[1]


def test_check_random_crop_seed_code_at_full_size_fails_not_raises():
    results = run_seeded(lambda: seed000_random_crop(IMAGE, (6, 5)), n_runs=5)
    assert results == [None] * 5  # randint(0, 0) raises ValueError
    messages = check_random_crop({"image": IMAGE, "crop_size": (6, 5)}, results)
    assert messages == ["run 0: expected an ndarray of shape (6, 5, 3), got None (same problem in 4 other runs)"]


@pytest.mark.parametrize(
    "crop, expected",
    [
        # distractor (1) of S000-3: slices channels as rows
        (lambda img, t, l: img[:, t:t + 3, l:l + 3], "shape"),
        # distractor (3): bottom:top is empty
        (lambda img, t, l: img[t + 3:t, l + 3:l, :], "shape"),
        # right shape, wrong content (transposed window)
        (lambda img, t, l: img[t:t + 3, l:l + 3].transpose(1, 0, 2), "not a window"),
        # converted to float
        (lambda img, t, l: img[t:t + 3, l:l + 3].astype(float), "dtype"),
    ],
)
def test_check_random_crop_rejects_wrong_crops(crop, expected):
    def learner():
        return crop(IMAGE, np.random.randint(0, 4), np.random.randint(0, 3))
    messages = check_random_crop({"image": IMAGE, "crop_size": CROP}, run_seeded(learner, 50))
    assert any(expected in m for m in messages)


def test_check_random_crop_not_random_and_garbage_results():
    fixed = [IMAGE[1:4, 0:3].copy() for _ in range(50)]
    messages = check_random_crop({"image": IMAGE, "crop_size": CROP}, fixed)
    assert any("top offsets [0, 2]" in m for m in messages)
    garbage = [None, "abc", np.zeros(3), np.zeros((3, 3, 3), dtype=object), [[1, 2]]]
    messages = check_random_crop({"image": IMAGE, "crop_size": CROP}, garbage)
    assert messages and all(isinstance(m, str) for m in messages)


def test_check_random_crop_rejects_bad_values():
    with pytest.raises(ValueError):
        check_random_crop({"image": IMAGE, "crop_size": (7, 3)}, [])


# ------------------------------------------------------ check_dropout_mask

X = 2.0 * np.ones((40, 50))
P = 0.3


def test_check_dropout_mask_passes_reference_both_modes():
    for inverted in (False, True):
        results = run_seeded(lambda inverted=inverted: Dropout(P, inverted=inverted).forward(X), 50)
        assert check_dropout_mask({"x": X, "dropout_ratio": P}, results, inverted=inverted) == []


def test_check_dropout_mask_rejects_keep_probability_equal_to_ratio():
    wrong = run_seeded(lambda: X * (np.random.rand(*X.shape) < P), 50)  # keeps 30 %
    messages = check_dropout_mask({"x": X, "dropout_ratio": P}, wrong)
    assert len(messages) == 1
    assert "expected dropout_ratio = 0.3" in messages[0] and "消去確率" in messages[0]
    assert "keeps units with probability dropout_ratio" in messages[0]


def test_check_dropout_mask_rejects_wrong_scaling():
    inverted_output = run_seeded(lambda: Dropout(P, inverted=True).forward(X), 20)
    messages = check_dropout_mask({"x": X, "dropout_ratio": P}, inverted_output, inverted=False)
    assert any("non-inverted" in m for m in messages)
    plain_output = run_seeded(lambda: Dropout(P).forward(X), 20)
    messages = check_dropout_mask({"x": X, "dropout_ratio": P}, plain_output, inverted=True)
    assert any("must scale them" in m for m in messages)


def test_check_dropout_mask_rejects_identical_masks_and_bad_values():
    def fixed_seed():
        np.random.seed(0)
        return Dropout(P).forward(X)
    messages = check_dropout_mask({"x": X, "dropout_ratio": P}, run_seeded(fixed_seed, 10))
    assert any("identical in all 10 runs" in m for m in messages)
    noisy = [X * 0.5 for _ in range(3)]
    assert any("neither 0" in m for m in check_dropout_mask({"x": X, "dropout_ratio": P}, noisy))
    garbage = [None, np.ones(3), "x", np.full(X.shape, "a")]
    messages = check_dropout_mask({"x": X, "dropout_ratio": P}, garbage)
    assert len(messages) >= 3 and all(isinstance(m, str) for m in messages)


def test_check_dropout_backward_accepts_the_forward_mask_and_names_a_new_one() -> None:
    from reference.augmentation import check_dropout_backward
    from reference.regularization import Dropout

    rng = np.random.default_rng(0)
    x = rng.uniform(1, 2, size=(20, 10))
    dout = rng.uniform(0.5, 1.5, size=(20, 10))
    values = {"x": x, "dout": dout, "dropout_ratio": 0.4}
    right, wrong = [], []
    for seed in range(5):
        np.random.seed(seed)
        layer = Dropout(0.4, inverted=True)
        out = layer.forward(x)
        right.append((out, layer.backward(dout)))
        fresh = np.random.rand(*x.shape) > 0.4  # a backward that draws its own mask
        wrong.append((out, dout * fresh / 0.6))
    assert check_dropout_backward(values, right, inverted=True) == []
    messages = check_dropout_backward(values, wrong, inverted=True)
    assert messages and "reuse the forward mask" in messages[0]
    assert check_dropout_backward(values, [None], inverted=True)  # never raises on junk
