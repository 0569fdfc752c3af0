"""Tests for reference.augmentation_audio: SpecAugment-style frequency and time masks."""

import numpy as np
import pytest

from reference.augmentation_audio import frequency_mask, time_mask

SPEC = np.arange(1.0, 13.0).reshape(3, 4)  # 3 frequency channels × 4 time steps


def test_frequency_mask_zeroes_whole_rows_by_hand():
    out = frequency_mask(SPEC, f0=1, width=2)
    np.testing.assert_array_equal(out, [[1, 2, 3, 4], [0, 0, 0, 0], [0, 0, 0, 0]])


def test_time_mask_zeroes_whole_columns_by_hand():
    out = time_mask(SPEC, t0=2, width=1, value=-1.0)
    np.testing.assert_array_equal(out, [[1, 2, -1, 4], [5, 6, -1, 8], [9, 10, -1, 12]])


def test_masks_copy_and_width_zero_changes_nothing():
    before = SPEC.copy()
    np.testing.assert_array_equal(frequency_mask(SPEC, 2, 0), SPEC)
    frequency_mask(SPEC, 0, 3)
    np.testing.assert_array_equal(SPEC, before)


@pytest.mark.parametrize("f0, width", [(2, 2), (-1, 1), (0, -1)])
def test_bands_outside_the_spectrogram_are_rejected(f0, width):
    with pytest.raises(ValueError):
        frequency_mask(SPEC, f0, width)
