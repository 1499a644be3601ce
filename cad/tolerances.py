"""Tolerances, defined once (mm unless the name says otherwise)."""

import math

# Contour chaining: ends closer than this are one point outright…
SAME_POINT_MM = 0.001
# …and an end left without a partner joins the nearest other such end this close (each
# once, nearest pair first). Two-stage because the vertices of two contours that nearly
# touch (a hole 0.01 mm inside a rounded corner) are not a junction of four edges.
JOIN_MM = 0.05
# Every threshold in chaining is compared with this added. A drawing's numbers lie on a
# decimal grid, so a gap or overlap exactly at a tolerance is common, and the rounding
# noise of a move, turn or unit change (~1e-12 mm) would decide it one way for one copy
# and the other way for the next; 1e-7 mm puts each threshold off every grid coarser
# than 1e-6 mm.
THRESHOLD_PAD_MM = 1e-7
# Gaps up to this are closed as a repair and reported; larger gaps leave the contour open.
REPAIR_GAP_MM = 0.5
# Curves (splines, ellipses) are measured on a polyline this close to the true curve.
FLATTEN_MM = 0.01
# Coarser flattening for drawing pictures and polygons used only for area/containment.
FLATTEN_SHAPE_MM = 0.05
# Below this an entity is "tiny" (zero-length and dust from exports).
TINY_MM = 0.01
# Duplicates: two segments whose ends and middle agree to this are the same cut. Two
# lines overlap (and are cut once) only when each lies on the other's line to this: a
# hole's side 0.01 mm from the outline is another cut.
DUPLICATE_MM = 0.001
# A hole drawn as a polygon counts as round when every vertex is this close to one circle
# (relative to the radius), e.g. OpenSCAD's LINE polygons.
ROUND_POLYGON_REL = 0.02
# A bend line runs edge to edge: its ends lie this close to the part's outline.
BEND_EDGE_MM = 1.0
# Any coordinate beyond this is not a part (NaN and overflow also land here).
MAX_COORD_MM = 1.0e7

# --- Similar-part search (cad/similar) ----------------------------------------------------
# Outline kept for the exact overlap: simplified by this, far below any cut tolerance…
OUTLINE_SIMPLIFY_MM = 0.05
# …and by no more than this share of the long side: a 0.3 mm sliver keeps its shape.
OUTLINE_SIMPLIFY_REL = 1e-3
# An inner loop is the reader's round hole when their centres are this close, relative to
# (1 mm + the hole's ⌀): it then keeps the hole's true diameter, not its polygon's.
ROUND_HOLE_CENTRE_REL = 1e-3
# Outline edges meeting at less than this angle are one straight edge (a "run").
STRAIGHT_TURN_DEG = 0.5
# A run shorter than this, or made of pieces this short on average (a flattened arc), is
# not a straight edge.
MIN_RUN_MM = 0.5
# Two straight edges are "equal" within this share of the longer or this length, whichever
# is larger.
EDGE_SAME_REL = 0.01
EDGE_SAME_MM = 0.2
# Geometry hash rounding: far coarser than another export's or a unit change's noise
# (1e-9 relative), far finer than any real design change.
HASH_STEP_MM = 0.05
# Cut-outs pair by place within this share of the candidate's RMS radius, and never less
# than HOLE_PLACE_MM.
HOLE_PLACE_REL = 0.03
HOLE_PLACE_MM = 1.0
# Paired cut-outs are the same size when |ln(⌀a / ⌀b)| is within this (about 5 %).
HOLE_DIAMETER_SAME_LOG = 0.05
# Scale of the soft size similarity exp(−(|ln(⌀a / ⌀b)| / this)²) used while placing.
HOLE_DIAMETER_SOFT_LOG = 0.15
# Beyond this |ln(⌀a / ⌀b)| two cut-outs are not the same feature (a factor of 1.6).
HOLE_DIAMETER_MAX_LOG = math.log(1.6)
# Mean outline distance, as a share of the candidate's RMS radius, that scores 1/e.
OUTLINE_KERNEL_REL = 0.03
# Outlines "match" from this overlap (intersection over union) up.
OUTLINE_SAME_IOU = 0.98
# A part is its own mirror image when it overlaps its mirror image this well (holes too).
SYMMETRIC_IOU = 0.999
# A mirrored placement is taken only when it scores this much better than the plain one,
# and a mirror match scores this much less than its fit: a left and a right panel are two
# parts, so against a copy of the left one the left ranks above the right.
MIRROR_MARGIN = 0.01
# Sides within this share of each other are the same length: no "longer", no "× the size".
SIZE_SAME_REL = 0.01
# Thicknesses read from two drawings are the same within this.
THICKNESS_SAME_MM = 1e-6
