"""What our components' training output depends on beyond their class's own source.

Rasa caches each training step under a key made of the component class's source,
its config and its inputs (rasa/engine/training/fingerprinting.py). A change to a
module-level helper (the masking, the encoder, the tokenizer) changes none of those,
and `rasa train` would reuse the vectors or masks the old code made. Components that
use such helpers in training add this digest of the helpers' files to their key.
"""

from __future__ import annotations

import hashlib
import sys
from pathlib import Path


def source_digest(*module_names: str) -> str:
    """A digest of the named modules' source files, as they are on disk now."""
    digest = hashlib.sha256()
    for name in module_names:
        path = Path(sys.modules[name].__file__ or "")
        digest.update(name.encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()
