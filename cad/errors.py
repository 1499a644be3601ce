"""Errors that stop an analysis, each with a stable code and words in English and Japanese."""

from __future__ import annotations

ERROR_TEXT: dict[str, tuple[str, str]] = {
    "EMPTY_FILE": ("The file is empty.", "ファイルが空です。"),
    "NOT_DXF": ("This is not a DXF file.", "DXFファイルではありません。"),
    "DWG_NOT_SUPPORTED": (
        "This is a DWG file; export it as DXF from your CAD system.",
        "DWGファイルです。CADからDXF形式で書き出してください。",
    ),
    "FILE_TOO_LARGE": (
        "The file is larger than the limit.",
        "ファイルサイズが上限を超えています。",
    ),
    "UNREADABLE_DXF": (
        "The DXF file is damaged beyond repair.",
        "DXFファイルが壊れていて読めません。",
    ),
    "TOO_MANY_ENTITIES": (
        "The drawing has more entities than the limit.",
        "図形要素の数が上限を超えています。",
    ),
    "BLOCK_EXPANSION_TOO_LARGE": (
        "Expanded, the drawing's blocks hold more entities than the limit "
        "(large arrays of blocks, or blocks nested in blocks).",
        "ブロックを展開すると図形要素の数が上限を超えます（ブロックの大きな配列複写、または入れ子）。",
    ),
    "BLOCK_CYCLE": (
        "A block inserts itself, directly or through other blocks.",
        "ブロックが自分自身を（直接または他のブロックを介して）挿入しています。",
    ),
    "NESTING_TOO_DEEP": (
        "Blocks are nested deeper than the limit (or refer to themselves).",
        "ブロックの入れ子が深すぎます（または自己参照しています）。",
    ),
    "TIMEOUT": ("The analysis took longer than the limit.", "解析が制限時間を超えました。"),
    "NO_GEOMETRY": ("The drawing holds no cut geometry.", "切断形状が見つかりません。"),
}


class CadError(Exception):
    """The file cannot be analysed. `code` is stable; the texts are for people."""

    def __init__(self, code: str, detail: str = "") -> None:
        self.code = code
        self.detail = detail
        en, ja = ERROR_TEXT[code]
        self.message_en = f"{en} {detail}".strip()
        self.message_ja = f"{ja} {detail}".strip()
        super().__init__(f"{code}: {self.message_en}")

    def as_dict(self) -> dict[str, str]:
        return {"code": self.code, "message_en": self.message_en, "message_ja": self.message_ja}
