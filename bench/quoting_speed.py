"""Benchmark (not a test): quote time from features, and DXF-to-quote over the corpus.

Targets (issue 4): under 5 ms per part with 3 quantity breaks from features. The
baseline in the same run is cad's analysis of the same files (the DXF part of the work).
"""

from __future__ import annotations

import csv
import logging
import statistics
import time
from pathlib import Path

from cad.analyze import analyze_file
from cad.errors import CadError
from quoting.model import PartFeatures, QuoteError, QuoteRequest, quote
from quoting.profile import CostProfile

DXF = Path(__file__).resolve().parents[2] / "shared" / "data" / "dxf"


def main() -> None:
    logging.getLogger("ezdxf").setLevel(logging.CRITICAL)
    profile = CostProfile.default()
    request = QuoteRequest("SPCC", 1.6, (1, 10, 100), frozenset({"bend"}))
    rows = list(csv.DictReader((DXF / "inventory.csv").open()))
    features, analyse_s, dxf_to_quote_s = [], [], []
    for row in rows:
        path = DXF / row["repo"] / row["path"]
        start = time.perf_counter()
        try:
            analysis = analyze_file(path, thickness_mm=1.6)
        except CadError:
            continue
        mid = time.perf_counter()
        if not analysis.parts:
            continue
        f = PartFeatures.from_part(
            max(analysis.parts, key=lambda p: p.net_area_mm2), analysis.findings
        )
        try:
            quote(f, request, profile)
        except QuoteError:
            continue  # e.g. larger than every sheet: priced by nobody
        end = time.perf_counter()
        features.append(f)
        analyse_s.append(mid - start)
        dxf_to_quote_s.append(end - start)

    per_quote = []
    for _ in range(5):
        start = time.perf_counter()
        for f in features:
            try:
                quote(f, request, profile)
            except QuoteError:
                pass
        per_quote.append((time.perf_counter() - start) / len(features))
    segs = [len(f.segments) for f in features]
    print(
        f"parts quoted: {len(features)} (largest part of each readable corpus file; segments median "
        f"{statistics.median(segs):.0f}, max {max(segs)})"
    )
    print(
        f"quote from features, 3 breaks: median {statistics.median(per_quote) * 1000:.3f} ms per part "
        f"(5 passes; target < 5 ms)"
    )
    print(
        f"DXF to quote: median {statistics.median(dxf_to_quote_s) * 1000:.1f} ms, p95 "
        f"{statistics.quantiles(dxf_to_quote_s, n=20)[-1] * 1000:.1f} ms, total {sum(dxf_to_quote_s):.2f} s; "
        f"of which analysis {sum(analyse_s):.2f} s"
    )


if __name__ == "__main__":
    main()
