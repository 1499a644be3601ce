"""The allocation tests' small group (two capable shops, an analysed drawing)."""

from tests.allocation.conftest import drawing, group_ready  # noqa: F401
from tests.drawings.test_upload_and_analysis import profiles  # noqa: F401
