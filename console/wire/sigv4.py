"""AWS Signature Version 4 checks for API calls, when access keys are configured.

By default any credentials are accepted, as a local stand-in should. With
``STEPYARD_ACCESS_KEYS="AKID:secret,AKID2:secret2"`` every call must carry an
``Authorization: AWS4-HMAC-SHA256 ...`` header signed with one of those keys, following
AWS's documented algorithm (canonical request -> string to sign -> HMAC chain), and is
refused with the error AWS gives (UnrecognizedClientException for an unknown key,
InvalidSignatureException for a wrong signature or one more than 15 minutes old).
"""

from __future__ import annotations

import hashlib
import hmac
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import parse_qsl, quote

from console.services import ServiceError

ALGORITHM = "AWS4-HMAC-SHA256"
MAX_SKEW_S = 15 * 60
_AUTH = re.compile(
    r"AWS4-HMAC-SHA256\s+Credential=(?P<credential>[^,\s]+),\s*"
    r"SignedHeaders=(?P<signed>[^,\s]+),\s*Signature=(?P<signature>[0-9a-f]+)\s*$"
)


class MissingAuthenticationToken(ServiceError):
    code = "MissingAuthenticationTokenException"


class IncompleteSignature(ServiceError):
    code = "IncompleteSignatureException"


class UnrecognizedClient(ServiceError):
    code = "UnrecognizedClientException"


class InvalidSignature(ServiceError):
    code = "InvalidSignatureException"


@dataclass(frozen=True)
class SignedRequest:
    """What a signature covers, taken from the HTTP request as received."""

    method: str
    path: str
    query: str
    headers: dict[str, str]  # lower-case names
    body: bytes


def verify(request: SignedRequest, keys: dict[str, str], now: datetime | None = None) -> None:
    """Raise AWS's authentication error unless ``request`` is signed with one of ``keys``."""
    header = request.headers.get("authorization")
    if not header:
        raise MissingAuthenticationToken("Request is missing Authentication Token")
    match = _AUTH.match(header)
    if match is None:
        raise IncompleteSignature(f"Authorization header requires existence of either a "
                                  f"'X-Amz-Date' or a 'Date' header. Authorization={header}")
    key_id, _, scope = match["credential"].partition("/")
    secret = keys.get(key_id)
    if secret is None:
        raise UnrecognizedClient("The security token included in the request is invalid.")
    amz_date = request.headers.get("x-amz-date", "")
    _check_date(amz_date, scope, now or datetime.now(UTC))
    signed = match["signed"].split(";")
    expected = signature(secret, amz_date, scope, canonical_request(request, signed))
    if not hmac.compare_digest(expected, match["signature"]):
        raise InvalidSignature(
            "The request signature we calculated does not match the signature you provided. "
            "Check your AWS Secret Access Key and signing method. "
            "Consult the service documentation for details."
        )


def _check_date(amz_date: str, scope: str, now: datetime) -> None:
    try:
        moment = datetime.strptime(amz_date, "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC)
    except ValueError:
        raise IncompleteSignature("Authorization header requires existence of either a "
                                  "'X-Amz-Date' or a 'Date' header.") from None
    if not scope.startswith(amz_date[:8] + "/") or scope.count("/") != 3:
        raise InvalidSignature(f"Credential should be scoped to a valid date: '{scope}'")
    if abs((now - moment).total_seconds()) > MAX_SKEW_S:
        raise InvalidSignature(
            f"Signature expired: {amz_date} is now earlier than "
            f"{now.strftime('%Y%m%dT%H%M%SZ')} ({MAX_SKEW_S // 60} min skew allowed)."
        )


def canonical_request(request: SignedRequest, signed_headers: list[str]) -> str:
    """AWS's canonical form of a request (method, path, query, headers, payload hash)."""
    headers = "".join(
        f"{name}:{' '.join(request.headers.get(name, '').split())}\n" for name in signed_headers
    )
    payload = request.headers.get("x-amz-content-sha256") or hashlib.sha256(
        request.body
    ).hexdigest()
    return "\n".join([
        request.method,
        quote(request.path or "/", safe="/~"),
        _canonical_query(request.query),
        headers,
        ";".join(signed_headers),
        payload,
    ])


def _canonical_query(query: str) -> str:
    pairs = parse_qsl(query, keep_blank_values=True)
    encoded = sorted((quote(k, safe="-_.~"), quote(v, safe="-_.~")) for k, v in pairs)
    return "&".join(f"{k}={v}" for k, v in encoded)


def signature(secret: str, amz_date: str, scope: str, canonical: str) -> str:
    """The hex signature of a canonical request under ``scope`` (date/region/service/aws4_request)."""
    to_sign = "\n".join([
        ALGORITHM, amz_date, scope, hashlib.sha256(canonical.encode()).hexdigest()
    ])
    key = ("AWS4" + secret).encode()
    for part in scope.split("/"):
        key = hmac.new(key, part.encode(), hashlib.sha256).digest()
    return hmac.new(key, to_sign.encode(), hashlib.sha256).hexdigest()
