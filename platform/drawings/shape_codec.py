"""A cad.similar Shape as bytes in a part row, and back.

The re-rank reads up to 200 stored shapes per query, so decoding is on the search's hot
path. The format is a magic line, a 4-byte length, a JSON head (the scalars, and each
array's name, dtype and dimensions) and then the arrays' raw bytes: decoding is one JSON
parse and a `np.frombuffer` per array. The earlier .npz form (a zip with a Python-literal
header per array, ~0.5 ms a shape: bench/drawings_search.py) is still read, so rows
written before this module need no migration. Neither form holds pickles: bytes read back
from the database cannot run code.

Pure: no Django, so the analysis sandbox (which never imports Django) writes with it too.
"""

from __future__ import annotations

import io
import json
from dataclasses import fields
from typing import Any

import numpy as np

MAGIC = b"KSHAPE2\n"
_ARRAYS = ("outline", "polygon", "cutouts", "round_cutouts", "runs_mm")
# Plain numbers only: an object dtype in a forged head must not reach np.frombuffer.
_KINDS = frozenset("fiub")


class ShapeDataError(ValueError):
    """Stored shape bytes that are not a shape this module wrote."""


def encode(shape: Any) -> bytes:
    arrays = [(name, np.ascontiguousarray(getattr(shape, name))) for name in _ARRAYS]
    head = {
        "scalars": {
            f.name: getattr(shape, f.name)
            for f in fields(shape)
            if f.name not in _ARRAYS and not f.name.startswith("_")
        },
        "arrays": [[name, a.dtype.str, list(a.shape)] for name, a in arrays],
    }
    raw = json.dumps(head).encode()
    return MAGIC + len(raw).to_bytes(4, "little") + raw + b"".join(a.tobytes() for _n, a in arrays)


def decode(data: bytes | memoryview, geometry_hash: str | None = None) -> Any:
    """The Shape in `data` (either form). `geometry_hash`, when the row holds it, saves
    hashing the shape again."""
    from cad.similar.shape import Shape

    data = bytes(data)
    if data.startswith(MAGIC):
        arrays, scalars = _read_flat(data)
    elif data.startswith(b"PK"):
        arrays, scalars = _read_npz(data)
    else:
        raise ShapeDataError("not a stored shape")
    scalars["rect_mm"] = tuple(scalars["rect_mm"])
    return Shape(**arrays, **scalars, _hash=geometry_hash)


def _read_flat(data: bytes) -> tuple[dict[str, np.ndarray], dict[str, Any]]:
    start = len(MAGIC)
    n = int.from_bytes(data[start : start + 4], "little")
    try:
        head = json.loads(data[start + 4 : start + 4 + n])
        offset = start + 4 + n
        arrays = {}
        for name, dtype, dims in head["arrays"]:
            dt = np.dtype(dtype)
            if name not in _ARRAYS or dt.kind not in _KINDS:
                raise ShapeDataError(f"unexpected array {name!r} of {dtype!r}")
            count = int(np.prod(dims)) if dims else 1
            # A copy: a view would keep the whole row's bytes alive in the prepared cache.
            arrays[name] = np.frombuffer(data, dt, count, offset).reshape(dims).copy()
            offset += count * dt.itemsize
        scalars = dict(head["scalars"])
    except (KeyError, TypeError, ValueError) as exc:
        raise ShapeDataError(str(exc)) from exc
    return arrays, scalars


def _read_npz(data: bytes) -> tuple[dict[str, np.ndarray], dict[str, Any]]:
    with np.load(io.BytesIO(data), allow_pickle=False) as z:
        arrays = {name: z[name] for name in _ARRAYS}
        scalars = json.loads(str(z["scalars"]))
    return arrays, scalars


def encode_npz(shape: Any) -> bytes:
    """The earlier form, kept so tests can check that old rows still read."""
    scalars = {
        f.name: getattr(shape, f.name)
        for f in fields(shape)
        if f.name not in _ARRAYS and not f.name.startswith("_")
    }
    buf = io.BytesIO()
    np.savez(
        buf,
        **{name: np.asarray(getattr(shape, name)) for name in _ARRAYS},
        scalars=np.array(json.dumps(scalars)),
    )
    return buf.getvalue()
