"""The one list of process names, in the order a part goes through them.

The cost model, the allocation and the portal all name processes from here: a shop's
capability, a machine, an order line and a quote speak of the same eight words. Laser
cutting comes first: every part is cut from sheet before anything else is done to it.
The portal's labels (Japanese and English) live with the shops app.
"""

from __future__ import annotations

CUTTING = "laser"
PROCESSES: tuple[str, ...] = (
    CUTTING,
    "punch",
    "bend",
    "weld",
    "tap",
    "hardware",
    "paint",
    "plating",
)
