"""A compact vector per part, in three blocks searched with one Euclidean distance:

- `shape` (scale-free): outline harmonics, compactness, convexity, rectangularity,
  aspect, cut-out counts, cut-out sizes relative to the part and their layout;
- `size` (absolute, used in "same size" mode only): areas, lengths and hole diameters in
  mm on log scales, because absolute sizes set the price;
- `text`: the part number and title, hashed as character trigrams (zeros when absent).

Every entry is a function of quantities that do not change under translation, rotation,
mirroring or a change of units: distances from the centroid, areas, lengths. The
weights below set how much one unit of difference in each entry counts; they were set so
that one extra hole, a 20 % hole change or a 10 % stretch each move a part by a similar,
small distance compared with a different part."""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass

import numpy as np

from .shape import Shape

HARMONICS = 16
REL_BINS = np.linspace(math.log(0.01), math.log(1.0), 8)  # cut-out ⌀ / √area
RADIAL_BINS = np.linspace(0.0, 1.6, 8)  # cut-out distance from centroid / RMS radius
ABS_BINS = np.linspace(math.log(1.0), math.log(200.0), 12)  # cut-out ⌀ in mm
TEXT_DIM = 32

SHAPE_DIM = HARMONICS + 5 + 2 + len(REL_BINS) + len(RADIAL_BINS)
SIZE_DIM = 5 + len(ABS_BINS)

# Weights (see module docstring).
W_HARMONIC = 4.0
W_GLOBAL = 2.0
W_COUNT = 0.6
W_HIST = 0.5
W_SIZE = 1.5
W_ABS_HIST = 0.5
W_TEXT = 0.3


@dataclass(frozen=True)
class Descriptor:
    shape: np.ndarray  # (SHAPE_DIM,) float32
    size: np.ndarray  # (SIZE_DIM,) float32
    text: np.ndarray  # (TEXT_DIM,) float32, unit length or zero


def soft_histogram(values: np.ndarray, centres: np.ndarray) -> np.ndarray:
    """Counts spread linearly over the two nearest bins, so a value moving a little moves
    the histogram a little (hard bins jump)."""
    out = np.zeros(len(centres))
    if not len(values):
        return out
    step = centres[1] - centres[0]
    pos = np.clip((values - centres[0]) / step, 0, len(centres) - 1)
    lo = np.floor(pos).astype(int)
    hi = np.minimum(lo + 1, len(centres) - 1)
    frac = pos - lo
    np.add.at(out, lo, 1 - frac)
    np.add.at(out, hi, frac)
    return out


def harmonics(signature: np.ndarray) -> np.ndarray:
    """Magnitudes of the centroid-distance signature's Fourier series: a cyclic shift
    (rotation) changes only phases, a reversal (mirror) conjugates them."""
    sig = signature / signature.mean()
    return np.abs(np.fft.rfft(sig))[1 : HARMONICS + 1] / len(sig)


def text_vector(*texts: str | None) -> np.ndarray:
    v = np.zeros(TEXT_DIM)
    for t in texts:
        if not t:
            continue
        padded = f"^{t}$"
        for i in range(len(padded) - 2):
            h = hashlib.blake2b(padded[i : i + 3].encode(), digest_size=4).digest()
            v[int.from_bytes(h, "little") % TEXT_DIM] += 1.0
    n = np.linalg.norm(v)
    return v / n if n else v


def describe(shape: Shape) -> Descriptor:
    area = max(shape.outer_area_mm2, 1e-9)
    long_mm, short_mm = shape.rect_mm
    c = shape.cutouts
    n_cut = len(c)
    n_round = int(shape.round_cutouts.sum())
    rel = np.log(np.maximum(c[:, 2], 1e-6) / math.sqrt(area)) if n_cut else np.zeros(0)
    radial = np.hypot(c[:, 0], c[:, 1]) / max(shape.rms_radius_mm, 1e-9) if n_cut else np.zeros(0)
    cut_area = float(np.sum(math.pi / 4 * c[:, 2] ** 2)) if n_cut else 0.0
    shape_vec = np.concatenate(
        [
            W_HARMONIC * harmonics(shape.signature),
            W_GLOBAL
            * np.array(
                [
                    4 * math.pi * area / max(shape.perimeter_mm, 1e-9) ** 2,  # compactness
                    area / max(shape.hull_area_mm2, 1e-9),  # convexity
                    area / max(long_mm * short_mm, 1e-9),  # rectangularity
                    short_mm / max(long_mm, 1e-9),  # aspect
                    cut_area / area,  # share of the outline cut away
                ]
            ),
            W_COUNT * np.array([math.log1p(n_cut), math.log1p(n_round)]),
            W_HIST * np.sqrt(soft_histogram(rel, REL_BINS)),
            W_HIST * np.sqrt(soft_histogram(radial, RADIAL_BINS)),
        ]
    )
    abs_d = np.log(np.maximum(c[:, 2], 1e-6)) if n_cut else np.zeros(0)
    size_vec = np.concatenate(
        [
            W_SIZE
            * np.array(
                [
                    0.5 * math.log(area),
                    math.log(max(shape.perimeter_mm, 1e-9)),
                    math.log(max(long_mm, 1e-9)),
                    math.log(max(short_mm, 1e-9)),
                    0.5 * math.log(max(shape.cut_length_mm, 1e-9)),
                ]
            ),
            W_ABS_HIST * np.sqrt(soft_histogram(abs_d, ABS_BINS)),
        ]
    )
    return Descriptor(
        shape=shape_vec.astype(np.float32),
        size=size_vec.astype(np.float32),
        text=(W_TEXT * text_vector(shape.part_number, shape.title)).astype(np.float32),
    )
