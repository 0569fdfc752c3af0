"""U-Net skip channels, Mask R-CNN's mask head and panoptic quality (4-3), by hand."""

import math

import pytest

from reference.cnn import conv_params
from reference.segmentation import mask_head_outputs, panoptic_quality, unet_up_conv_weights


def test_unet_up_conv_weights():
    # 512 up-convolved + 512 cropped = 1024 input channels -> 512 output channels
    assert unet_up_conv_weights(1024) == 3 * 3 * 1024 * 512 == conv_params(1024, 512, 3, bias=False)
    assert unet_up_conv_weights(128) == 9 * 128 * 64
    with pytest.raises(ValueError):
        unet_up_conv_weights(99)


def test_mask_head_outputs():
    assert mask_head_outputs(80, 28) == 62_720
    assert mask_head_outputs(1, 14) == 196


def test_panoptic_quality_is_sq_times_rq():
    ious, tp, fp, fn = [0.9, 0.8, 0.7], 3, 1, 2
    pq = panoptic_quality(sum(ious), tp, fp, fn)
    assert math.isclose(pq, 2.4 / 4.5)
    sq, rq = sum(ious) / tp, tp / (tp + fp / 2 + fn / 2)
    assert math.isclose(pq, sq * rq)
    assert panoptic_quality(3.0, 3, 0, 0) == 1.0  # perfect matches, nothing missed or extra
    with pytest.raises(ValueError):
        panoptic_quality(0.0, 0, 0, 0)
