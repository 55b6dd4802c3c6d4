"""The access keys Stepyard checks SigV4 signatures against (STEPYARD_ACCESS_KEYS).

Below everything that needs them: the APIs and the gateway verify callers with them
(console/wire/sigv4.py), the Lambda functions' SDKs sign with the first one.
"""

from __future__ import annotations

import os


def configured_keys() -> dict[str, str]:
    """The access keys from STEPYARD_ACCESS_KEYS (empty: signatures are not checked)."""
    text = os.environ.get("STEPYARD_ACCESS_KEYS", "").strip()
    keys = {}
    for pair in filter(None, (p.strip() for p in text.split(","))):
        key_id, _, secret = pair.partition(":")
        keys[key_id.strip()] = secret.strip()
    return keys
