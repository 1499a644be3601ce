"""Findings in English and Japanese. One place for the words, so both stay in step."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from .model import Finding

TEXTS: dict[str, tuple[str, str, str]] = {
    # code: (severity, English, Japanese) — {v} is the measured value
    "OPEN_CONTOUR": (
        "error",
        "Open contour: a gap of {v:.3f} mm is left unclosed.",
        "輪郭が閉じていません：{v:.3f} mm の隙間があります。",
    ),
    "GAP_CLOSED": ("info", "A gap of {v:.3f} mm was closed.", "{v:.3f} mm の隙間を閉じました。"),
    "DUPLICATE_SEGMENTS": (
        "warning",
        "{v:.0f} duplicate segment(s) removed; not counted in cut length.",
        "重複した線分 {v:.0f} 本を除去しました（切断長に含めません）。",
    ),
    "OVERLAPPING_SEGMENTS": (
        "warning",
        "Overlapping lines merged; {v:.2f} mm not counted twice.",
        "重なった線を統合しました（{v:.2f} mm を二重に数えません）。",
    ),
    "SELF_INTERSECTION": ("error", "A contour crosses itself.", "輪郭が自己交差しています。"),
    "ZERO_LENGTH": (
        "info",
        "{v:.0f} zero-length or tiny entit(ies) ignored.",
        "長さゼロまたは極小の図形 {v:.0f} 個を無視しました。",
    ),
    "TEXT_IN_CUT_LAYER": (
        "warning",
        "Live text on a cut layer is not cut; convert it to outlines if it should be.",
        "切断レイヤーに文字があります。切断するならアウトライン化してください。",
    ),
    "UNITLESS_FILE": (
        "warning",
        "The file gives no units; {unit} inferred ({reason}). Please confirm.",
        "単位の指定がありません。{unit} と推定しました（{reason}）。確認してください。",
    ),
    "UNITS_CORRECTED": ("warning", "Units corrected: {reason}.", "単位を補正しました：{reason}。"),
    "SEVERAL_PARTS": (
        "warning",
        "The file holds {v:.0f} separate parts.",
        "ファイルに {v:.0f} 個の部品があります。",
    ),
    "HOLE_TOO_SMALL": (
        "error",
        "Hole Ø{v:.2f} mm is below the laser minimum for this thickness.",
        "穴 Ø{v:.2f} mm は板厚に対してレーザー加工の最小値未満です。",
    ),
    "HOLE_SMALL": (
        "warning",
        "Hole Ø{v:.2f} mm is smaller than the thickness.",
        "穴 Ø{v:.2f} mm は板厚より小さいです。",
    ),
    "HOLE_NEAR_EDGE": (
        "warning",
        "A hole is {v:.2f} mm from the edge, less than the thickness.",
        "穴と外形の距離が {v:.2f} mm で、板厚未満です。",
    ),
    "HOLE_NEAR_BEND": (
        "warning",
        "A hole is {v:.2f} mm from a bend line, less than 2·t + inside radius ({limit} mm):"
        " it will be pulled out of shape in bending.",
        "穴と曲げ線の距離が {v:.2f} mm で、2·t＋内側曲げ半径（{limit} mm）未満です。"
        "曲げで穴が変形します。",
    ),
    "FLANGE_TOO_SHORT": (
        "warning",
        "A flange is {v:.2f} mm long, shorter than the minimum for this thickness"
        " ({limit} mm, the larger of 4·t and 0.7 × the V-die opening).",
        "フランジ長さ {v:.2f} mm は、この板厚での最小値（{limit} mm：4·t と"
        " V 溝幅 × 0.7 の大きい方）未満です。",
    ),
    "BAD_COORDINATES": (
        "warning",
        "{v:.0f} entit(ies) with invalid or huge coordinates ignored.",
        "不正または巨大な座標の図形 {v:.0f} 個を無視しました。",
    ),
    "BAD_GEOMETRY": (
        "warning",
        "{v:.0f} entit(ies) could not be read as curves and were ignored.",
        "曲線として読めない図形 {v:.0f} 個を無視しました。",
    ),
    "RECOVERED": (
        "warning",
        "The file was damaged and read in recovery mode ({v:.0f} fixes).",
        "ファイルが破損していたため修復モードで読み込みました（{v:.0f} 件）。",
    ),
    "UNSUPPORTED_ENTITIES": (
        "info",
        "{v:.0f} 3D or unsupported entit(ies) ignored.",
        "3D またはサポート外の図形 {v:.0f} 個を無視しました。",
    ),
    "BEND_UNCERTAIN": (
        "warning",
        "Bend lines detected with low confidence; please confirm the count.",
        "曲げ線の判定に自信がありません。曲げ数を確認してください。",
    ),
    "FLOATING_ISLAND": (
        "warning",
        "A closed shape lies inside a cut-out; it falls out as a separate piece.",
        "切り抜きの内側に閉じた形状があり、別部品として抜け落ちます。",
    ),
}


def finding(
    code: str,
    value: float | None = None,
    location: Sequence[float] | np.ndarray | None = None,
    **words: str,
) -> Finding:
    severity, en, ja = TEXTS[code]
    fmt = {"v": value if value is not None else 0.0, **words}
    return Finding(
        code,
        severity,
        en.format(**fmt),
        ja.format(**fmt),
        None if location is None else (round(float(location[0]), 3), round(float(location[1]), 3)),
        None if value is None else round(float(value), 4),
    )
