"""Benchmark (not a test): the similar-part search before and after a change, in one run.

    python bench/similar_split_compare.py --before /tmp/similar-before [--after .]

`--before` is a checkout of the old commit (`git worktree add /tmp/similar-before HEAD`),
`--after` this checkout by default. Both hold a package named `cad`, so each side runs in
processes of its own with its own checkout first on sys.path (checked), driven over a
pipe. Both sides run the same workload, the bench code being this checkout's:

- the corpus queries of bench/similar_search.py: its variants (same seed, same order) are
  written once and each side analyses the same files; then the same-part, near-variant and
  size-family queries. The accuracy figures must be identical, and so must every query's
  results (rows, scores to the last bit, both explanations), compared by digest;
- the query speed of bench/similar_speed.py at a modest size: the first stage over 100k
  generated descriptors, the re-rank of 200 candidates (cold, warm, any size) and the
  whole query, warm, in one process.

Two cores shared with other work, so timings are interleaved: the corpus queries run in
chunks, each chunk on one side and then on the other (which goes first alternates), and
the speed workload in rounds the same way. Two processes running the same code can
differ by several per cent for good (memory layout), so every chunk and every round runs in
fresh processes, which load the index and the query shapes their side saved at set-up.
The speed rounds also run the old code a second time ("before again"): its ratio to
"before" is the noise floor of this run. Printed: each side's median and the median of
the paired after/before ratios, with their quartiles (below 1: the change is faster).
Indexing is timed once per side, not interleaved: a rough figure only.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import pickle  # noqa: S403 - our own files, written by this run
import statistics
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
DXF = HERE.parents[1] / "shared" / "data" / "dxf"


# --- one side, in a process of its own ---------------------------------------------------


class Side:
    """The workload on one checkout's `cad`."""

    def __init__(self, root: Path, dxf: Path):
        sys.path.insert(0, str(root))
        import logging

        import cad
        import cad.similar.align

        for mod in (cad, cad.similar.align):
            assert Path(mod.__file__ or "").resolve().is_relative_to(root), (mod, root)
        logging.getLogger("ezdxf").setLevel(logging.ERROR)
        self.dxf = dxf
        self.jobs: list[dict[str, Any]] = []
        with open(dxf / "inventory.csv", encoding="utf-8") as f:
            import csv

            self.inventory = list(csv.DictReader(f))
        self.fam_of = {
            f"{r['repo']}/{r['path']}": r["family_group"][:3]
            for r in self.inventory
            if r["family_group"]
        }

    # set-up, once per side

    def index(self, save_to: str) -> dict[str, Any]:
        from cad.similar.collect import index_directory

        t = time.perf_counter()
        self.ix = index_directory(self.dxf, workers=2)
        seconds = time.perf_counter() - t
        self.ix.save(save_to)
        self.by_key = {(e.path, e.part): i for i, e in enumerate(self.ix.entries)}
        return {
            "seconds": seconds,
            "parts": len(self.ix.entries),
            "skipped": len(self.ix.skipped),
            "cad": str(Path(sys.modules["cad"].__file__ or "").parent),
        }

    def generate(self, out_dir: str, files: int) -> dict[str, Any]:
        """bench/similar_search.py's variants, same seed and order, written to files."""
        import random

        import similar_search as ss

        from cad.analyze import analyze_file
        from cad.errors import CadError

        rng = random.Random(7)
        manifest: list[dict[str, Any]] = []
        not_applicable = 0
        bases = [r for r in self.inventory if r["manual_class"] == "single_part"]
        for row in bases[:files] if files else bases:
            rel = f"{row['repo']}/{row['path']}"
            try:
                analysis = analyze_file(self.dxf / rel)
            except CadError:
                continue
            if not analysis.parts:
                continue
            part = ss.base_part(analysis)
            if (rel, part.index) not in self.by_key:
                continue
            for kind in ss.SAME + ss.NEAR:
                try:
                    doc = ss.make(kind, self.dxf / rel, analysis, rng)
                except Exception:  # noqa: BLE001 - a generator's limit, counted as such
                    doc = None
                if doc is None:
                    not_applicable += 1
                    continue
                out = Path(out_dir) / f"{len(manifest):04d}_{kind}.dxf"
                doc.saveas(out)
                manifest.append({"rel": rel, "part": part.index, "kind": kind, "file": str(out)})
        return {"manifest": manifest, "not_applicable": not_applicable}

    def prepare(self, manifest: list[dict[str, Any]], save_to: str) -> dict[str, Any]:
        """Analyse the variant files with this side's code, check each is what it claims
        (as bench/similar_search.py does), add the size-family queries, save them all."""
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor

        import similar_search as ss

        by_hash: dict[str, set[int]] = defaultdict(set)
        for i, e in enumerate(self.ix.entries):
            by_hash[e.shape.geometry_hash()].add(i)
        skipped: dict[str, int] = defaultdict(int)
        ctx = multiprocessing.get_context("fork")
        with ProcessPoolExecutor(2, mp_context=ctx) as pool:
            shapes = list(pool.map(_query_shape, [m["file"] for m in manifest], chunksize=4))
        jobs = []
        for m, (q, why) in zip(manifest, shapes, strict=True):
            row = self.by_key.get((m["rel"], m["part"]))
            base = self.ix.entries[row].shape if row is not None else None
            why = why or ("not indexed" if base is None else ss.check(m["kind"], base, q))
            if why or base is None:
                skipped[m["kind"]] += 1
                continue
            relevant = by_hash[base.geometry_hash()] | {row}
            jobs.append({**m, "shape": q, "base_hash": base.geometry_hash(), "relevant": relevant})
        largest: dict[str, int] = {}
        for i, e in enumerate(self.ix.entries):
            j = largest.get(e.path)
            if j is None or e.shape.net_area_mm2 > self.ix.entries[j].shape.net_area_mm2:
                largest[e.path] = i
        for path, i in sorted(largest.items()):
            if self.fam_of.get(path) in ss.FAMILIES:
                jobs.append({"kind": "family", "rel": path, "shape": self.ix.entries[i].shape})
        with open(save_to, "wb") as f:
            pickle.dump(jobs, f)
        return {"jobs": len(jobs), "skipped": dict(skipped)}

    # the timed work, in fresh processes

    def load(self, index: str, jobs: str | None = None) -> dict[str, Any]:
        from cad.similar.index import Index

        self.ix = Index.load(index)
        if jobs:
            with open(jobs, "rb") as f:
                self.jobs = pickle.load(f)  # noqa: S301 - written by this run's set-up
        return {"parts": len(self.ix.entries), "jobs": len(self.jobs)}

    def queries(self, start: int, stop: int) -> dict[str, Any]:
        import similar_search as ss

        out = []
        for job in self.jobs[start:stop]:
            kind = job["kind"]
            k = 30 if kind == "family" else 200 if kind in ss.NEAR else 10
            t = time.perf_counter()
            results = self.ix.query(job["shape"], k=k, any_size=kind == "family")
            seconds = time.perf_counter() - t
            digest = hashlib.sha1(usedforsecurity=False)
            for r in results:
                m = r.match
                row = (r.index, r.score.hex(), r.distance.hex(), m.explanation, m.explanation_ja)
                digest.update(repr(row).encode())
            o: dict[str, Any] = {"kind": kind, "seconds": seconds, "digest": digest.hexdigest()}
            if kind == "family":
                o.update(self._family(job, results))
            else:
                ranked = [r.index in job["relevant"] for r in results]
                if kind in ss.SAME:
                    o["hit1"], o["hit10"] = ranked[0], any(ranked[:10])
                    o["same_hash"] = job["shape"].geometry_hash() == job["base_hash"]
                else:
                    o["ap"] = ss.average_precision(ranked, len(job["relevant"]))
            out.append(o)
        return {"queries": out}

    def _family(self, job: dict[str, Any], results: list[Any]) -> dict[str, Any]:
        """bench/similar_search.py's `families`: is the best other result a member?"""
        import similar_search as ss

        path, fam = job["rel"], self.fam_of[job["rel"]]
        h = job["shape"].geometry_hash()
        others = [
            r
            for r in results
            if r.path != path
            and r.score < 0.99
            and self.ix.entries[r.index].shape.geometry_hash() != h
        ]
        accepted = ss.PARTNERS.get(fam, {fam})

        def member(r: Any) -> bool:
            f = self.fam_of.get(r.path)
            return f in accepted or bool(ss.NESTS.get(f or "", set()) & accepted)

        rank = next((n for n, r in enumerate(others, start=1) if member(r)), 99)
        return {"good": member(others[0]), "rank": rank}

    def speed(self, picks: int, first_queries: int) -> dict[str, Any]:
        """bench/similar_speed.py's first stage (100k) and re-rank, smaller, warmed first."""
        import numpy as np
        import similar_speed as sp

        from cad.similar.align import Candidate, compare
        from cad.similar.descriptor import Descriptor, describe

        rng = np.random.default_rng(11)
        fs = sp.synthetic(self.ix, 100_000, rng)
        descs = [
            Descriptor(
                fs.shape[i] + rng.standard_normal((fs.shape.shape[1],)).astype("f4") * 0.05,
                fs.size[i] + rng.standard_normal((fs.size.shape[1],)).astype("f4") * 0.05,
                fs.text[i] * 0,
            )
            for i in rng.integers(0, len(fs), first_queries)
        ]
        rows = [int(i) for i in rng.choice(len(self.ix.entries), picks, replace=False)]
        for i in rows:
            self.ix.query(self.ix.entries[i].shape, k=10)  # warm, as a running server is
        times: dict[str, list[float]] = defaultdict(list)
        for any_size in (False, True):
            key = f"first stage 100k, {'any' if any_size else 'same'} size"
            for desc in descs:
                best = float("inf")
                for _ in range(3):  # ~10 ms each: the least of three is the least disturbed
                    t = time.perf_counter()
                    fs.search(desc, 200, any_size)
                    best = min(best, time.perf_counter() - t)
                times[key].append(best)
        for i in rows:
            shape = self.ix.entries[i].shape
            cand, _ = self.ix.first.search(describe(shape), 200)
            shapes = [self.ix.entries[int(j)].shape for j in cand]
            t = time.perf_counter()
            q = Candidate(shape)
            prepared = [Candidate(s) for s in shapes]
            t1 = time.perf_counter()
            for c in prepared:
                compare(q, c)
            t2 = time.perf_counter()
            for c in prepared:
                compare(q, c, any_size=True)
            t3 = time.perf_counter()
            times["re-rank 200, same size, cold"].append(t2 - t)
            times["re-rank 200, same size, warm"].append(t2 - t1)
            times["re-rank 200, any size, warm"].append(t3 - t2)
            t = time.perf_counter()
            self.ix.query(shape, k=10)
            times["whole query, 1 process, warm"].append(time.perf_counter() - t)
        return {"ms": {k: [1000 * x for x in v] for k, v in times.items()}}


def _query_shape(path: str) -> tuple[Any, str | None]:
    """The variant's largest part as a query shape, or why there is none."""
    from cad.analyze import analyze_file
    from cad.errors import CadError
    from cad.similar.collect import shapes_of

    try:
        va = analyze_file(path)
    except CadError as exc:
        return None, exc.code
    if not va.parts:
        return None, "no part"
    return max(shapes_of(va), key=lambda s: s[1].net_area_mm2)[1], None


def worker(root: Path, dxf: Path) -> int:
    """Serve one command per line on stdin, one JSON answer per line on stdout."""
    reply = sys.stdout
    sys.stdout = sys.stderr  # nothing but answers on the pipe
    side = Side(root, dxf)
    for line in sys.stdin:
        cmd = json.loads(line)
        op = cmd.pop("op")
        if op == "quit":
            break
        reply.write(json.dumps(getattr(side, op)(**cmd)) + "\n")
        reply.flush()
    return 0


# --- the driver --------------------------------------------------------------------------


class Remote:
    """A worker process on one checkout."""

    def __init__(self, name: str, root: Path, dxf: Path):
        self.name = name
        self.proc = subprocess.Popen(  # noqa: S603 - our interpreter, this file, fixed options
            [
                sys.executable,
                str(Path(__file__).resolve()),
                "--worker",
                str(root),
                "--dxf",
                str(dxf),
            ],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            cwd=str(root),
        )

    def __call__(self, op: str, **kw: Any) -> Any:
        assert self.proc.stdin and self.proc.stdout
        self.proc.stdin.write(json.dumps({"op": op, **kw}) + "\n")
        self.proc.stdin.flush()
        line = self.proc.stdout.readline()
        if not line:
            raise RuntimeError(f"the {self.name} side died during {op}")
        return json.loads(line)

    def close(self) -> None:
        if self.proc.poll() is None and self.proc.stdin:
            self.proc.stdin.write(json.dumps({"op": "quit"}) + "\n")
            self.proc.stdin.close()
            self.proc.wait(timeout=60)


def interleaved(names: list[str], n: int, run: Any) -> list[dict[str, Any]]:
    """`run(name, i)` for i in 0..n−1 on every side, the order turning each time."""
    out = []
    for i in range(n):
        k = i % len(names)
        order = names[k:] + names[:k]
        if (i // len(names)) % 2:
            order.reverse()
        out.append({name: run(name, i) for name in order})
    return out


def _mean(xs: Any) -> float:
    xs = list(xs)
    return statistics.fmean(xs) if xs else float("nan")


def accuracy_table(qs: list[dict[str, Any]]) -> list[str]:
    import similar_search as ss

    by: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for q in qs:
        by[q["kind"]].append(q)
    same = [q for k in ss.SAME for q in by[k]]
    near = [q for k in ss.NEAR for q in by[k]]
    fam = by["family"]
    lines = []
    for k in [*ss.SAME, "same part, all"]:
        group = same if k == "same part, all" else by[k]
        lines.append(
            f"  {k:18} {len(group):4d}  recall@1 {_mean(q['hit1'] for q in group):.3f}"
            f"  recall@10 {_mean(q['hit10'] for q in group):.3f}"
            f"  same hash {_mean(q['same_hash'] for q in group):.3f}"
        )
    for k in [*ss.NEAR, "near, mAP"]:
        group = near if k == "near, mAP" else by[k]
        lines.append(f"  {k:18} {len(group):4d}  AP {_mean(q['ap'] for q in group):.3f}")
    lines.append(
        f"  {'families, any size':18} {len(fam):4d}  member first {sum(q['good'] for q in fam)}"
        f"/{len(fam)}  within top 3 {sum(q['rank'] <= 3 for q in fam)}/{len(fam)}"
    )
    return lines


def ratio_line(label: str, before: list[float], after: list[float], unit: str) -> str:
    ratios = [a / b for b, a in zip(before, after, strict=True) if b > 0]
    q1, _, q3 = statistics.quantiles(ratios, n=4) if len(ratios) > 1 else ratios * 3
    return (
        f"  {label:36} {statistics.median(before):7.1f} {unit} {statistics.median(after):7.1f} "
        f"{unit}  {statistics.median(ratios):.3f}  ({q1:.3f}–{q3:.3f}, n={len(ratios)})"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--before", type=Path, help="checkout of the old commit (required)")
    parser.add_argument("--after", type=Path, default=HERE.parent, help="default: this checkout")
    parser.add_argument("--dxf", type=Path, default=DXF)
    parser.add_argument("--files", type=int, default=0, help="only the first N base files")
    parser.add_argument("--chunk", type=int, default=100, help="corpus queries per timed chunk")
    parser.add_argument("--rounds", type=int, default=5, help="speed rounds per side")
    parser.add_argument("--picks", type=int, default=5, help="re-rank queries per round")
    parser.add_argument("--worker", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        return worker(args.worker.resolve(), args.dxf)
    if args.before is None:
        parser.error("--before is required")
    roots = {"before": args.before.resolve(), "after": args.after.resolve()}
    if roots["before"] == roots["after"]:
        parser.error("--before and --after are the same checkout")

    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="similar-compare-") as tmp:
        files = {s: (f"{tmp}/{s}.npz", f"{tmp}/{s}-jobs.pkl") for s in roots}
        print(f"similar search, before vs after; corpus {args.dxf}")
        setup = {s: Remote(s, roots[s], args.dxf) for s in roots}
        try:
            for s in roots:
                ix = setup[s]("index", save_to=files[s][0])
                print(
                    f"  {s:6}: cad from {ix['cad']}; {ix['parts']} parts, {ix['skipped']} files"
                    f" skipped; indexed in {ix['seconds']:.1f} s (once, 2 processes)"
                )
            Path(f"{tmp}/variants").mkdir()
            gen = setup["after"]("generate", out_dir=f"{tmp}/variants", files=args.files)
            prep = {
                s: setup[s]("prepare", manifest=gen["manifest"], save_to=files[s][1]) for s in roots
            }
        finally:
            for remote in setup.values():
                remote.close()
        print(
            f"  {len(gen['manifest'])} variant files from bench/similar_search.py's generators"
            f" (seed 7), {gen['not_applicable']} not applicable; queries: "
            + ", ".join(
                f"{s} {p['jobs']} (failed their check: {sum(p['skipped'].values())})"
                for s, p in prep.items()
            )
        )
        setup_s = time.perf_counter() - started

        def fresh(side: str, root_of: str, op: str, **kw: Any) -> Any:
            remote = Remote(side, roots[root_of], args.dxf)
            try:
                remote(
                    "load",
                    index=files[root_of][0],
                    jobs=files[root_of][1] if op == "queries" else None,
                )
                return remote(op, **kw)
            finally:
                remote.close()

        n_jobs = min(p["jobs"] for p in prep.values())
        chunks = [(a, min(a + args.chunk, n_jobs)) for a in range(0, n_jobs, args.chunk)]
        done = interleaved(
            ["before", "after"],
            len(chunks),
            lambda s, i: fresh(s, s, "queries", start=chunks[i][0], stop=chunks[i][1])["queries"],
        )
        qs = {s: [q for chunk in done for q in chunk[s]] for s in roots}
        tables = {s: accuracy_table(qs[s]) for s in roots}
        differ = sum(
            b["digest"] != a["digest"] for b, a in zip(qs["before"], qs["after"], strict=True)
        )
        print(
            f"\naccuracy, {n_jobs} corpus queries: before and after identical: {tables['before'] == tables['after']}"
        )
        for s in ("after",) if tables["before"] == tables["after"] else ("before", "after"):
            print("\n".join(tables[s]))
        print(
            f"  queries whose results differ (rows, scores to the bit, both explanations): {differ} of {n_jobs}"
        )

        print(
            "\ntimings, interleaved, fresh processes; medians, and the median of the paired ratios (quartiles)"
        )
        print(f"  {'':36} {'before':>10} {'after':>10}  after/before")
        per_q = {s: [1000 * q["seconds"] for q in qs[s]] for s in roots}
        print(ratio_line("corpus query", per_q["before"], per_q["after"], "ms"))
        per_chunk = {s: [sum(q["seconds"] for q in c[s]) for c in done] for s in roots}
        print(
            ratio_line(
                f"corpus queries, chunks of {args.chunk}",
                per_chunk["before"],
                per_chunk["after"],
                "s ",
            )
        )
        names = ["before", "after", "before again"]
        rounds = interleaved(
            names,
            args.rounds,
            lambda s, i: fresh(s, s.split()[0], "speed", picks=args.picks, first_queries=20)["ms"],
        )
        for key in rounds[0]["before"]:
            b = [x for r in rounds for x in r["before"][key]]
            for other in names[1:]:
                o = [x for r in rounds for x in r[other][key]]
                label = key if other == "after" else "  (before again: noise floor)"
                print(ratio_line(label, b, o, "ms"))
        print(
            f"  ({len(chunks)} chunks; {args.rounds} speed rounds of {args.picks} re-rank and 20"
            f" first-stage queries per side; set-up {setup_s:.0f} s, whole run"
            f" {time.perf_counter() - started:.0f} s)"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
