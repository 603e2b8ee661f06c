"""Code versions of the assets: the asset code's own version plus the spec section it uses.

A change of either marks the asset (and what is downstream) stale in the UI.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from pydantic import BaseModel

# Bump when the computation of an asset changes in a way that changes its value.
ASSET_CODE_VERSION = "1"


def _jsonable(value: Any) -> Any:
    return value.model_dump(mode="json", by_alias=True) if isinstance(value, BaseModel) else value


def code_version(*spec_parts: Any) -> str:
    """`<asset code version>-<hash of the spec parts the asset reads>`."""
    canonical = json.dumps([_jsonable(p) for p in spec_parts], sort_keys=True, default=str)
    return f"{ASSET_CODE_VERSION}-{hashlib.sha256(canonical.encode()).hexdigest()[:12]}"
