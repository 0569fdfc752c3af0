"""Tests for the applied-topic references against hand-computed values (and figures stated in the papers)."""

import math

import numpy as np
import pytest

from reference.cnn import conv_output_size, conv_params, receptive_field, separable_conv_params
from reference.detection import anchor_count, iou, iou_boxes, nms, yolo_output_shape
from reference.image_recognition import (
    compound_scaling_flops_ratio,
    patch_count,
    patch_embedding_params,
    separable_conv_cost_ratio,
    separable_conv_mult_adds,
    standard_conv_mult_adds,
    vit_sequence_length,
    vit_token_shape,
)
from reference.nlp import causal_mask, causal_masked_count, negative_sampling_probability
from reference.segmentation import class_iou, effective_kernel_size, mean_iou_binary, unet_output_size
from reference.speech import alias_frequency, ctc_collapse, ctc_min_frames, hz_to_mel, mel_to_hz, receptive_field_dilated_causal, stft_frame_count

# ------------------------------------------------------------------ 4-1


def test_vit_base_16_at_224():
    # Dosovitskiy et al., 2020: 224 / 16 = 14 -> 196 patches, + [class] -> 197 tokens of width 768
    assert patch_count(224, 16) == 196
    assert vit_sequence_length(224, 16) == 197
    assert vit_sequence_length(224, 16, class_token=False) == 196
    assert vit_token_shape(224, 16, 768) == (197, 768)
    assert vit_token_shape(384, 16, 1024) == (577, 1024)  # 24 * 24 + 1


def test_patch_count_rejects_non_divisible():
    with pytest.raises(ValueError):
        patch_count(224, 20)


def test_patch_embedding_params():
    # a flattened 16x16x3 patch has 768 values; 768 -> 768 linear map + bias
    assert patch_embedding_params(16, 3, 768) == 768 * 768 + 768
    assert patch_embedding_params(16, 3, 768, bias=False) == 589_824
    # same count as a P x P, stride-P convolution with D filters
    assert patch_embedding_params(14, 3, 1280) == conv_params(3, 1280, 14)


def test_separable_costs_by_hand():
    # D_F = 14, D_K = 3, M = 32, N = 64
    std = 9 * 32 * 64 * 196
    sep = 9 * 32 * 196 + 32 * 64 * 196
    assert standard_conv_mult_adds(14, 3, 32, 64) == std == 3_612_672
    assert separable_conv_mult_adds(14, 3, 32, 64) == sep == 457_856
    assert math.isclose(sep / std, 1 / 64 + 1 / 9)
    assert math.isclose(separable_conv_cost_ratio(3, 64), 0.126736111, rel_tol=1e-8)
    # mult-adds = parameters x output positions
    assert sep == separable_conv_params(32, 64, 3) * 196


def test_compound_scaling_efficientnet_b0_coefficients():
    # alpha = 1.2, beta = 1.1, gamma = 1.15 (Tan & Le, 2019): alpha beta^2 gamma^2 = 1.92 ~ 2
    assert math.isclose(compound_scaling_flops_ratio(1.2, 1.1, 1.15), 1.92027, rel_tol=1e-5)
    assert compound_scaling_flops_ratio(2, 1, 1) == 2  # depth is linear
    assert compound_scaling_flops_ratio(1, 2, 1) == 4  # width is quadratic
    assert compound_scaling_flops_ratio(1, 1, 2) == 4  # resolution is quadratic


# ------------------------------------------------------------------ 4-2


def test_iou_by_hand():
    # 2x2 squares offset by (1, 1): overlap 1, union 4 + 4 - 1 = 7
    assert math.isclose(iou(0, 0, 2, 2, 1, 1, 3, 3), 1 / 7)
    # identical boxes
    assert iou(1, 2, 5, 6, 1, 2, 5, 6) == 1.0
    # B inside A: 4 / 16
    assert math.isclose(iou(0, 0, 4, 4, 1, 1, 3, 3), 0.25)
    # disjoint and touching boxes
    assert iou(0, 0, 1, 1, 2, 2, 3, 3) == 0.0
    assert iou(0, 0, 1, 1, 1, 0, 2, 1) == 0.0
    # A = 4x3 = 12, B = 3x3 = 9, overlap 2x2 = 4 -> 4 / 17
    assert math.isclose(iou(0, 0, 4, 3, 2, 1, 5, 4), 4 / 17)


def test_iou_symmetric_and_checked():
    assert iou(0, 0, 4, 3, 2, 1, 5, 4) == iou(2, 1, 5, 4, 0, 0, 4, 3)
    with pytest.raises(ValueError):
        iou(2, 0, 1, 1, 0, 0, 1, 1)


def test_iou_boxes_matches_scalar_iou():
    assert math.isclose(iou_boxes([0, 0, 2, 2], [1, 1, 3, 3]), 1 / 7)
    assert math.isclose(iou_boxes(np.array([0.0, 0.0, 4.0, 3.0]), np.array([2.0, 1.0, 5.0, 4.0])), 4 / 17)
    assert iou_boxes((0, 0, 1, 1), (2, 2, 3, 3)) == 0.0
    assert iou_boxes([1, 2, 5, 6], [1, 2, 5, 6]) == 1.0
    assert isinstance(iou_boxes(np.array([0, 0, 2, 2]), np.array([1, 1, 3, 3])), float)


def test_nms_question_boxes():
    # the boxes of questions/04-2_object_detection/nms_procedure.yaml
    boxes = [(10, 10, 50, 50), (12, 12, 52, 52), (30, 30, 70, 70), (100, 100, 140, 140)]
    scores = [0.9, 0.8, 0.7, 0.6]
    assert math.isclose(iou(*boxes[0], *boxes[1]), 1444 / 1756)  # 38x38 overlap
    assert math.isclose(iou(*boxes[0], *boxes[2]), 400 / 2800)
    assert math.isclose(iou(*boxes[1], *boxes[2]), 484 / 2716)
    assert nms(boxes, scores, 0.5) == [0, 2, 3]
    # a threshold below IoU(0, 2) = 0.143 also removes box 2
    assert nms(boxes, scores, 0.1) == [0, 3]


def test_nms_order_follows_scores():
    boxes = [(0, 0, 1, 1), (5, 5, 6, 6)]
    assert nms(boxes, [0.2, 0.9]) == [1, 0]


def test_anchor_count_faster_rcnn():
    # k = 3 scales x 3 ratios = 9 per position (Ren et al., 2015)
    assert anchor_count(38, 50) == 38 * 50 * 9 == 17_100
    assert anchor_count(10, 10, num_scales=5, num_ratios=3) == 1500


def test_yolo_output_shape_voc():
    # Redmon et al., 2016: S = 7, B = 2, C = 20 -> 7 x 7 x 30
    assert yolo_output_shape(7, 2, 20) == (7, 7, 30)
    assert yolo_output_shape(13, 3, 80) == (13, 13, 95)


# ------------------------------------------------------------------ 4-3


def test_effective_kernel_size():
    assert effective_kernel_size(3, 1) == 3
    assert effective_kernel_size(3, 2) == 5
    assert effective_kernel_size(3, 6) == 13
    # consistent with conv_output_size: a same-size atrous 3x3 needs pad = rate
    assert conv_output_size(65, 3, pad=6, dilation=6) == 65


def test_class_and_mean_iou():
    assert math.isclose(class_iou(30, 10, 10), 0.6)
    # 100 pixels: TP 30, FP 10, FN 10, TN 50 -> fg 30/50, bg 50/70
    assert math.isclose(mean_iou_binary(30, 10, 10, 50), (0.6 + 50 / 70) / 2)
    with pytest.raises(ValueError):
        class_iou(0, 0, 0)


def test_unet_paper_tile():
    # Ronneberger et al., 2015, Fig. 1: 572 x 572 input tile -> 388 x 388 output map
    assert unet_output_size(572) == 388
    # general form for depth 4: input 16b + 124 -> output 16b - 60
    for b in (4, 10, 28, 40):
        assert unet_output_size(16 * b + 124) == 16 * b - 60


def test_unet_rejects_odd_pooling_input():
    with pytest.raises(ValueError):
        unet_output_size(570)  # 566 -> 283 -> 279 is odd at the second pooling


# ------------------------------------------------------------------ 4-4


def test_negative_sampling_probability_by_hand():
    # counts 16, 81, 256 -> 8, 27, 64 after ^(3/4)
    assert math.isclose(negative_sampling_probability(16, 81, 256), 8 / 99)
    assert math.isclose(negative_sampling_probability(256, 16, 81), 64 / 99)
    # a 4th word
    assert math.isclose(negative_sampling_probability(1, 16, 81, 256), 1 / 100)
    # power 1 = raw unigram frequencies; 3/4 favours the rare word
    assert math.isclose(negative_sampling_probability(16, 81, 256, power=1.0), 16 / 353)
    assert negative_sampling_probability(16, 81, 256) > 16 / 353


def test_causal_mask():
    m = causal_mask(4)
    np.testing.assert_array_equal(
        m, [[1, 0, 0, 0], [1, 1, 0, 0], [1, 1, 1, 0], [1, 1, 1, 1]])
    assert m.dtype == np.bool_
    assert causal_masked_count(4) == 6 == int((~m).sum())
    assert causal_masked_count(10, num_heads=8) == 8 * 45


# ------------------------------------------------------------------ 4-5


def test_wavenet_receptive_field():
    # van den Oord et al., 2016: dilations 1, 2, ..., 512 with kernel 2 -> 1024
    assert receptive_field_dilated_causal(2, 10) == 1024
    assert receptive_field_dilated_causal(2, 10, num_stacks=3) == 3070
    assert receptive_field_dilated_causal(2, 4) == 16
    assert receptive_field_dilated_causal(3, 3, num_stacks=2) == 29


@pytest.mark.parametrize("k, layers, stacks", [(2, 4, 1), (3, 5, 2), (2, 10, 3), (4, 3, 1)])
def test_wavenet_receptive_field_matches_generic(k, layers, stacks):
    dilations = [2**i for i in range(layers)] * stacks
    assert receptive_field_dilated_causal(k, layers, stacks) == receptive_field([k] * len(dilations), dilations=dilations)


@pytest.mark.parametrize("path, label", [
    ("hh-e-ll-llo", "hello"),
    ("hello", "helo"),          # without a blank the two l's merge
    ("--c-aa-t--", "cat"),
    ("caat", "cat"),
    ("c-a-a-t", "caat"),
    ("-----", ""),
])
def test_ctc_collapse(path, label):
    assert ctc_collapse(path) == label


@pytest.mark.parametrize("label, frames", [
    ("cat", 3), ("hello", 6), ("book", 5), ("coffee", 8), ("mississippi", 14), ("aaa", 5),
])
def test_ctc_min_frames(label, frames):
    assert ctc_min_frames(label) == frames


def test_ctc_min_frames_is_achievable():
    # interleave a blank only between repeated labels: the path has exactly ctc_min_frames symbols
    for label in ("hello", "coffee", "balloon", "aaa"):
        path = label[0] + "".join(("-" if a == b else "") + b for a, b in zip(label, label[1:]))
        assert len(path) == ctc_min_frames(label)
        assert ctc_collapse(path) == label


def test_mel_scale():
    assert math.isclose(hz_to_mel(0), 0.0)
    assert math.isclose(hz_to_mel(700), 2595 * math.log10(2))
    assert math.isclose(hz_to_mel(6300), 2595.0)
    assert abs(hz_to_mel(1000) - 1000) < 0.1
    for f in (100.0, 440.0, 4000.0):
        assert math.isclose(mel_to_hz(hz_to_mel(f)), f)


def test_stft_frame_count():
    # 1 s at 16 kHz, 25 ms window (400), 10 ms hop (160): 1 + (16000 - 400) // 160 = 98
    assert stft_frame_count(16000, 400, 160) == 98
    assert stft_frame_count(400, 400, 160) == 1
    assert stft_frame_count(8000 * 3, 256, 80) == 1 + (24000 - 256) // 80


def test_alias_frequency():
    assert alias_frequency(5000, 8000) == 3000
    assert alias_frequency(3000, 8000) == 3000  # below Nyquist: unchanged
    assert alias_frequency(9000, 8000) == 1000
    assert alias_frequency(15000, 8000) == 1000
    assert alias_frequency(16000, 8000) == 0
