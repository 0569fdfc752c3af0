"""4-5 音声処理: dilated causal convolutions, CTC (collapsing, frame counts, the forward algorithm), the mel scale
and framing.

Pure functions of scalars (unless a docstring says otherwise), so that a parameterised question can pass its
drawn numbers straight in: ``answer: {function: reference.speech:<name>, args: {...}}``.
"""

from __future__ import annotations

import numpy as np

from reference.cnn import conv_output_size

__all__ = [
    "receptive_field_dilated_causal",
    "ctc_collapse",
    "ctc_min_frames",
    "hz_to_mel",
    "mel_to_hz",
    "stft_frame_count",
    "alias_frequency",
    "label_length",
    "ctc_extended_length",
    "interleaved_blank_length",
    "ctc_label_probability",
    "ctc_single_label_probability_3",
]


def receptive_field_dilated_causal(kernel_size: int, num_layers: int, num_stacks: int = 1) -> int:
    """Receptive field (in samples) of WaveNet-style stacks of dilated causal convolutions.

    Parameters
    ----------
    kernel_size : int
        K of every layer (2 in WaveNet).
    num_layers : int
        L layers per stack, with dilations 1, 2, 4, ..., 2^(L-1).
    num_stacks : int, default 1
        How many times the dilation pattern is repeated.

    Returns
    -------
    int
        ::

            1 + num_stacks * (K - 1) * (2^L - 1)

        e.g. K = 2 with dilations 1, ..., 512 (L = 10) -> 1024, the figure given in
        van den Oord et al., 2016. Agrees with :func:`reference.cnn.receptive_field`.
    """
    return 1 + num_stacks * (kernel_size - 1) * (int(2**num_layers) - 1)


def ctc_collapse(path: str, blank: str = "-") -> str:
    """CTC's many-to-one map B from a frame-wise path to a label sequence.

    Parameters
    ----------
    path : str
        One symbol per frame, e.g. ``"hh-e-ll-llo"``.
    blank : str, default "-"
        The blank symbol.

    Returns
    -------
    str
        First merge runs of the same symbol, then delete blanks: ``"hh-e-ll-llo" -> "hello"``.
        (Deleting blanks first would merge the two l's: the order matters.)
    """
    out = []
    prev = None
    for symbol in path:
        if symbol != prev and symbol != blank:
            out.append(symbol)
        prev = symbol
    return "".join(out)


def ctc_min_frames(label: str) -> int:
    """Fewest input frames CTC needs to emit ``label``.

    Parameters
    ----------
    label : str
        The target sequence (one character = one label), without blanks.

    Returns
    -------
    int
        ``len(label) + r`` where r is the number of neighbouring equal labels: each such pair needs a
        blank frame between them, or the two would be merged (``"book"`` -> 4 + 1 = 5).
    """
    repeats = sum(1 for a, b in zip(label, label[1:]) if a == b)
    return len(label) + repeats


def hz_to_mel(frequency: float) -> float:
    """Frequency in Hz to the mel scale (メル尺度), the common HTK formula.

    Parameters
    ----------
    frequency : float
        f in Hz (>= 0).

    Returns
    -------
    float
        ``2595 log10(1 + f / 700)``: about linear below 1 kHz and logarithmic above; 1000 Hz -> about 1000 mel.
    """
    return 2595.0 * float(np.log10(1.0 + frequency / 700.0))


def mel_to_hz(mel: float) -> float:
    """Inverse of :func:`hz_to_mel`: ``700 (10^(m / 2595) - 1)``."""
    return 700.0 * (float(10.0 ** (mel / 2595.0)) - 1.0)


def stft_frame_count(num_samples: int, frame_length: int, hop_length: int) -> int:
    """Number of frames of a short-time Fourier transform without padding.

    Parameters
    ----------
    num_samples : int
        Length of the signal in samples.
    frame_length : int
        Window length in samples (e.g. 25 ms at 16 kHz = 400).
    hop_length : int
        Shift between frames in samples (e.g. 10 ms at 16 kHz = 160).

    Returns
    -------
    int
        ``⌊(num_samples - frame_length) / hop_length⌋ + 1`` — the same formula as a 1-D convolution
        with kernel ``frame_length`` and stride ``hop_length``. (librosa's default ``center=True``
        pads the signal and gives ``1 + num_samples // hop_length`` instead.)
    """
    return conv_output_size(num_samples, frame_length, stride=hop_length)


def alias_frequency(frequency: float, sampling_rate: float) -> float:
    """Frequency at which a sampled sinusoid appears (エイリアシング).

    Parameters
    ----------
    frequency : float
        f of the original sinusoid, in Hz.
    sampling_rate : float
        fs, in Hz.

    Returns
    -------
    float
        ``|f - fs * round(f / fs)|`` in [0, fs/2]: frequencies above the Nyquist frequency fs/2
        fold back, e.g. 5 kHz sampled at 8 kHz looks like 3 kHz. Unchanged when f < fs/2
        (sampling theorem: fs > 2 f_max loses nothing).
    """
    k = np.floor(frequency / sampling_rate + 0.5)
    return float(abs(frequency - k * sampling_rate))


def label_length(label: str) -> int:
    """Number of labels (characters) in ``label``."""
    return len(label)


def ctc_extended_length(label: str) -> int:
    """Length of the blank-extended label l' the CTC forward algorithm runs over: ``2 |l| + 1``."""
    return 2 * len(label) + 1


def interleaved_blank_length(label: str) -> int:
    """Frames of a path that puts a blank between every two labels: ``2 |l| - 1`` (more than CTC needs)."""
    return 2 * len(label) - 1


def ctc_label_probability(probs: list[dict[str, float]], label: str, blank: str = "-") -> float:
    """p(l | x): the total probability of all frame paths that CTC collapses to ``label`` (forward algorithm).

    Parameters
    ----------
    probs : list of dict
        ``probs[t][symbol]``: the network's output probability of ``symbol`` (blank included) at frame t.
    label : str
        The target label sequence, without blanks.
    blank : str, default "-"

    Returns
    -------
    float
        ``alpha_T(|l'|) + alpha_T(|l'| - 1)`` over the extended label l' = (blank, l_1, blank, …, l_U, blank),
        with the recursion of Graves et al. (2006): a state is reached from itself, from the previous state,
        and from two states back when that skips a blank between two different labels.
    """
    extended = [blank]
    for symbol in label:
        extended += [symbol, blank]
    if not probs:
        return 1.0 if not label else 0.0
    alpha = [0.0] * len(extended)
    alpha[0] = probs[0].get(blank, 0.0)
    if len(extended) > 1:
        alpha[1] = probs[0].get(extended[1], 0.0)
    for frame in probs[1:]:
        new = [0.0] * len(extended)
        for s, symbol in enumerate(extended):
            total = alpha[s] + (alpha[s - 1] if s >= 1 else 0.0)
            if s >= 2 and symbol != blank and symbol != extended[s - 2]:
                total += alpha[s - 2]
            new[s] = total * frame.get(symbol, 0.0)
        alpha = new
    return alpha[-1] + (alpha[-2] if len(extended) > 1 else 0.0)


def ctc_single_label_probability_3(a1: float, b1: float, a2: float, b2: float, a3: float, b3: float) -> float:
    """p("a" | x) over 3 frames, from each frame's probability of "a" (a_t) and of the blank (b_t).

    Returns
    -------
    float
        The sum over the six paths a--, -a-, --a, aa-, -aa, aaa (see :func:`ctc_label_probability`).
    """
    frames = [{"a": a1, "-": b1}, {"a": a2, "-": b2}, {"a": a3, "-": b3}]
    return ctc_label_probability(frames, "a")
