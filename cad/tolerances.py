"""Tolerances, defined once (mm unless the name says otherwise)."""

# Contour chaining: ends closer than this are the same point.
JOIN_MM = 0.05
# Gaps up to this are closed as a repair and reported; larger gaps leave the contour open.
REPAIR_GAP_MM = 0.5
# Curves (splines, ellipses) are measured on a polyline this close to the true curve.
FLATTEN_MM = 0.01
# Coarser flattening for drawing pictures and polygons used only for area/containment.
FLATTEN_SHAPE_MM = 0.05
# Below this an entity is "tiny" (zero-length and dust from exports).
TINY_MM = 0.01
# Duplicates: two segments whose ends and middle agree to this are the same cut.
DUPLICATE_MM = 0.001
# A hole drawn as a polygon counts as round when every vertex is this close to one circle
# (relative to the radius), e.g. OpenSCAD's LINE polygons.
ROUND_POLYGON_REL = 0.02
# A bend line runs edge to edge: its ends lie this close to the part's outline.
BEND_EDGE_MM = 1.0
# Any coordinate beyond this is not a part (NaN and overflow also land here).
MAX_COORD_MM = 1.0e7
