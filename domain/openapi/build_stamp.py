"""The digest a mypyc build of this package records, and checks against, in `_mypyc_stamp`.

Standard library only and free of side effects: setup.py loads this file by path at build time
(before the package can be imported); the package's `__init__` compares it at import time.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

__all__ = ["STAMP_NAME", "sources_digest"]

STAMP_NAME = "_mypyc_stamp"


def sources_digest(package: Path) -> str:
    """What a build of `package` depends on: its `.py` files and `domain/errors.py`, by content."""
    digest = hashlib.sha256()
    for path in [*sorted(package.glob("*.py")), package.parent / "errors.py"]:
        digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()
