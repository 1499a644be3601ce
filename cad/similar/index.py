"""The searchable collection: descriptors in three float32 matrices (the first stage) and
the shapes themselves (the re-rank), saved as one .npz file without pickles.

The first stage is exact: squared distances to every row by one matrix product and the
row norms kept beside the matrix, then a partial sort. At a million parts that is a few
hundred MB read once per query; it meets its time budget on two cores (see
bench/similar_speed.py), so it returns the true nearest descriptors, not an approximation.
Postgres/pgvector can take the same vectors later."""

from __future__ import annotations

import json
import multiprocessing
import os
from collections.abc import Iterable, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

import numpy as np

from .align import Candidate, Match, compare
from .descriptor import SHAPE_DIM, SIZE_DIM, TEXT_DIM, Descriptor, describe
from .graded import graded_order
from .rerank import rerank
from .shape import SHAPE_VERSION, Shape

FORMAT = "kumiai.similar.index/1"
DEFAULT_CANDIDATES = 200


@dataclass
class Entry:
    path: str
    part: int
    shape: Shape


@dataclass
class Result:
    index: int  # row in the index
    path: str
    part: int
    score: float
    match: Match
    distance: float  # first-stage distance, for diagnostics
    graded: float | None = None  # the graded order's value, when it placed this result

    def as_dict(self, lang: str = "en") -> dict:
        m = self.match
        return {
            "path": self.path,
            "part": self.part,
            "score": round(self.score, 4),
            "explanation": m.explanation_ja if lang == "ja" else m.explanation,
            "explanation_ja": m.explanation_ja,
            "outline_iou": round(m.iou, 4),
            "holes": {
                "matched": m.holes_same,
                "query": m.holes_query,
                "candidate": m.holes_candidate,
            },
            "mirrored": m.mirrored,
            "angle_deg": round(m.angle_deg, 2),
        }


class FirstStage:
    """Exact nearest descriptors. `shape`, `size`, `text` are (n, d) float32."""

    def __init__(self, shape: np.ndarray, size: np.ndarray, text: np.ndarray):
        self.shape, self.size, self.text = shape, size, text
        self.norm_shape = np.einsum("ij,ij->i", shape, shape)
        self.norm_size = np.einsum("ij,ij->i", size, size)
        self.norm_text = np.einsum("ij,ij->i", text, text)

    def __len__(self) -> int:
        return len(self.shape)

    def distances(self, q: Descriptor, any_size: bool = False) -> np.ndarray:
        d = self.norm_shape - 2.0 * (self.shape @ q.shape) + float(q.shape @ q.shape)
        if not any_size:
            d += self.norm_size - 2.0 * (self.size @ q.size) + float(q.size @ q.size)
        if float(q.text @ q.text) > 0:  # the query's own text pulls, a candidate's never pushes
            d += self.norm_text - 2.0 * (self.text @ q.text) + float(q.text @ q.text)
        return d

    def search(
        self, q: Descriptor, k: int, any_size: bool = False
    ) -> tuple[np.ndarray, np.ndarray]:
        d = self.distances(q, any_size)
        k = min(k, len(d))
        if k <= 0:
            return np.zeros(0, dtype=int), np.zeros(0)
        idx = np.argpartition(d, k - 1)[:k] if k < len(d) else np.arange(len(d))
        order = idx[np.argsort(d[idx], kind="stable")]
        return order, np.sqrt(np.maximum(d[order], 0.0))


@dataclass
class Index:
    entries: list[Entry]
    skipped: list[dict] = field(default_factory=list)  # files that could not be indexed, why

    def __post_init__(self) -> None:
        descs = [describe(e.shape) for e in self.entries]
        self.first = FirstStage(
            np.array([d.shape for d in descs], dtype=np.float32).reshape(-1, SHAPE_DIM),
            np.array([d.size for d in descs], dtype=np.float32).reshape(-1, SIZE_DIM),
            np.array([d.text for d in descs], dtype=np.float32).reshape(-1, TEXT_DIM),
        )
        self._cands: dict[int, Candidate] = {}
        self._pool: ProcessPoolExecutor | None = None
        self._pool_workers = 1

    def candidate(self, i: int) -> Candidate:
        c = self._cands.get(i)
        if c is None:
            c = self._cands[i] = Candidate(self.entries[i].shape)
        return c

    def query(
        self,
        shape: Shape,
        k: int = 10,
        any_size: bool = False,
        candidates: int = DEFAULT_CANDIDATES,
    ) -> list[Result]:
        idx, dist = self.first.search(describe(shape), candidates, any_size)
        q = Candidate(shape)
        rows = [int(i) for i in idx]
        distance = dict(zip(rows, (float(d) for d in dist), strict=True))
        dists = [distance[i] for i in rows]
        if self._pool is not None and len(rows) > 1:
            # Each worker keeps its own k best: the k best of all are among them.
            n = self._pool_workers
            jobs = [
                (shape, rows[w::n], any_size, k, [distance[i] for i in rows[w::n]])
                for w in range(n)
            ]
            parts = self._pool.map(_rerank_here, jobs)
            matches = [m for part in parts for m in part]
        else:
            matches = self.rerank(q, rows, any_size, k, dists)
        position = {i: p for p, i in enumerate(rows)}
        # By score, then distance, then first-stage order: the order rerank() keeps.
        matches.sort(key=lambda im: (-im[1].score, distance[im[0]], position[im[0]]))
        matches = matches[:k]
        exact = [(position[i], m) for i, m in matches]
        # "Any size" asks for parts of this shape: there, what does not fit nearly exactly
        # is ordered with graded similarity (graded.py; near-exact fits keep their place
        # by score). "Same size" asks for this part as drawn, whose fit in mm sets the
        # price: the exact score alone orders it.
        ordered = (
            graded_order(q, [self.candidate(i) for i in rows], exact, k, any_size, dists)
            if any_size
            else [(p, m, None) for p, m in exact]
        )
        results = []
        for p, m, g in ordered:
            i = rows[p]
            e = self.entries[i]
            results.append(Result(i, e.path, e.part, m.score, m, distance[i], g))
        return results

    def rerank(
        self,
        shape: Shape | Candidate,
        rows: list[int],
        any_size: bool,
        k: int | None = None,
        distances: list[float] | None = None,
    ) -> list[tuple[int, Match]]:
        """(row, match) of `rows` re-ranked; with `k`, only the k best (best first), and
        the rows that cannot be among them are never placed (rerank.py)."""
        q = shape if isinstance(shape, Candidate) else Candidate(shape)
        if k is None:
            return [(i, compare(q, self.candidate(i), any_size)) for i in rows]
        cands = [self.candidate(i) for i in rows]
        return [(rows[p], m) for p, m in rerank(q, cands, k, any_size, distances)]

    def parallel(self, workers: int = 2) -> Index:
        """Re-rank in `workers` processes (forked now, each holding this index and its
        prepared candidates): a long-running server's way to use every core."""
        global _SERVED
        _SERVED = self
        self._pool = ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("fork"))
        self._pool_workers = workers
        list(self._pool.map(_warm, range(workers)))  # fork them now, not on the first query
        return self

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown()
            self._pool = None

    # --- persistence -------------------------------------------------------------------

    def save(self, path: str | Path | BinaryIO) -> None:
        shapes = [e.shape for e in self.entries]
        poly_len = np.array([len(s.polygon) for s in shapes], dtype=np.int64)
        cut_len = np.array([len(s.cutouts) for s in shapes], dtype=np.int64)
        run_len = np.array([len(s.runs_mm) for s in shapes], dtype=np.int64)
        meta = {
            "format": FORMAT,
            "shape_version": SHAPE_VERSION,
            "entries": [
                {
                    "path": e.path,
                    "part": e.part,
                    "part_number": e.shape.part_number,
                    "title": e.shape.title,
                    "material": e.shape.material,
                    "thickness_mm": e.shape.thickness_mm,
                    "hash": e.shape.geometry_hash(),
                }
                for e in self.entries
            ],
            "skipped": self.skipped,
        }
        scalars = np.array(
            [
                [
                    s.outer_area_mm2,
                    s.net_area_mm2,
                    s.perimeter_mm,
                    s.cut_length_mm,
                    *s.rect_mm,
                    s.hull_area_mm2,
                ]
                for s in shapes
            ],
            dtype=np.float64,
        ).reshape(-1, 7)
        if hasattr(path, "write"):
            self._write(path, meta, shapes, poly_len, cut_len, run_len, scalars)
        else:
            with open(path, "wb") as f:
                self._write(f, meta, shapes, poly_len, cut_len, run_len, scalars)

    @staticmethod
    def _write(f, meta, shapes, poly_len, cut_len, run_len, scalars) -> None:  # type: ignore[no-untyped-def]
        np.savez_compressed(
            f,
            meta=np.frombuffer(json.dumps(meta, ensure_ascii=False).encode(), dtype=np.uint8),
            outline=np.array([s.outline for s in shapes], dtype=np.float64).reshape(-1, 256, 2),
            polygon=np.concatenate([s.polygon for s in shapes]) if shapes else np.zeros((0, 2)),
            polygon_len=poly_len,
            cutouts=np.concatenate([s.cutouts for s in shapes]) if shapes else np.zeros((0, 3)),
            round_cutouts=np.concatenate([s.round_cutouts for s in shapes])
            if shapes
            else np.zeros(0, bool),
            cutout_len=cut_len,
            runs=np.concatenate([s.runs_mm for s in shapes]) if shapes else np.zeros(0),
            run_len=run_len,
            scalars=scalars,
        )

    @classmethod
    def load(cls, path: str | Path) -> Index:
        with np.load(path, allow_pickle=False) as z:
            meta = json.loads(z["meta"].tobytes().decode())
            if meta.get("format") != FORMAT:
                raise ValueError(f"{path}: not a {FORMAT} file")
            # Hashes and shapes of another version do not compare with today's queries.
            version = meta.get("shape_version", 1)
            if version != SHAPE_VERSION:
                raise ValueError(
                    f"{path}: shapes of version {version}, this is {SHAPE_VERSION}: index again"
                )
            outline, polygon, cutouts, rounds = (
                z["outline"],
                z["polygon"],
                z["cutouts"],
                z["round_cutouts"],
            )
            p_off = np.concatenate([[0], np.cumsum(z["polygon_len"])])
            c_off = np.concatenate([[0], np.cumsum(z["cutout_len"])])
            r_off = np.concatenate([[0], np.cumsum(z["run_len"])])
            runs = z["runs"]
            scalars = z["scalars"]
        entries = []
        for i, m in enumerate(meta["entries"]):
            s = scalars[i]
            shape = Shape(
                outline=outline[i],
                polygon=polygon[p_off[i] : p_off[i + 1]],
                cutouts=cutouts[c_off[i] : c_off[i + 1]],
                round_cutouts=rounds[c_off[i] : c_off[i + 1]],
                outer_area_mm2=float(s[0]),
                net_area_mm2=float(s[1]),
                perimeter_mm=float(s[2]),
                cut_length_mm=float(s[3]),
                rect_mm=(float(s[4]), float(s[5])),
                hull_area_mm2=float(s[6]),
                runs_mm=runs[r_off[i] : r_off[i + 1]],
                part_number=m["part_number"],
                title=m["title"],
                material=m["material"],
                thickness_mm=m["thickness_mm"],
                _hash=m["hash"],
            )
            entries.append(Entry(m["path"], m["part"], shape))
        return cls(entries, meta.get("skipped", []))


_SERVED: Index | None = None  # the index a re-rank worker process serves (inherited by fork)


def _warm(_: int) -> int:
    return os.getpid()


def _rerank_here(
    job: tuple[Shape, list[int], bool, int | None, list[float] | None],
) -> list[tuple[int, Match]]:
    assert _SERVED is not None
    return _SERVED.rerank(*job)


def build(items: Iterable[tuple[str, int, Shape]], skipped: Sequence[dict] = ()) -> Index:
    return Index([Entry(p, i, s) for p, i, s in items], list(skipped))
