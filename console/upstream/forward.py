"""Forwarding a caller's request to the upstream endpoint that serves its service.

The request goes out as it came (method, path, query, body and headers, its
Authorization included) with only ``Host`` changed to the upstream's. A SigV4 signature
covers the Host header, so a signature made for Stepyard's address is not valid for
another host: an upstream that checks signatures (AWS itself, MinIO) would refuse it,
while those that do not (moto, LocalStack, DynamoDB Local) accept it. When the caller's
access key is one of ``STEPYARD_ACCESS_KEYS`` Stepyard knows its secret (and has just
verified the signature), so it signs the request again for the upstream's host with the
caller's own credentials: that is how to reach AWS through Stepyard. Stepyard never adds
credentials of its own to a caller's request.

An upstream that cannot be reached, or takes longer than STEPYARD_UPSTREAM_TIMEOUT_S,
is answered with 502 / 504 and an error naming it; nothing waits for ever.
"""

from __future__ import annotations

from functools import cache
from urllib.parse import urlsplit

from console import credentials
from console.upstream import config
from console.upstream.catalog import Call, Reply, error_reply

_HOP_BY_HOP = {"host", "connection", "keep-alive", "transfer-encoding", "te", "trailer", "upgrade",
               "proxy-authorization", "proxy-connection", "content-length"}


def forward(call: Call, upstream: str) -> Reply:
    """Send ``call`` to ``upstream`` and return its answer (or a 502/504 error)."""
    import urllib3

    base = urlsplit(upstream)
    path = (base.path.rstrip("/") + call.path) or "/"
    url = f"{base.scheme}://{base.netloc}{path}" + (f"?{call.query}" if call.query else "")
    headers = _headers(call, base.netloc, path)
    timeout = config.timeout_s()
    try:
        response = _pool().request(call.method, url, body=call.body or None, headers=headers,
                                   timeout=urllib3.Timeout(connect=min(timeout, 5.0), read=timeout),
                                   retries=False, redirect=False, preload_content=True)
    except urllib3.exceptions.NewConnectionError as error:  # a subclass of the timeout error, checked first
        return error_reply(call.service, "ServiceUnavailable", f"Stepyard could not reach the upstream "
                           f"{upstream} serving {call.service}: {error}", 502)
    except urllib3.exceptions.TimeoutError:
        return error_reply(call.service, "ServiceUnavailable", f"The upstream {upstream} serving "
                           f"{call.service} did not answer within {timeout:g} s.", 504)
    except urllib3.exceptions.HTTPError as error:
        return error_reply(call.service, "ServiceUnavailable", f"Stepyard could not reach the upstream "
                           f"{upstream} serving {call.service}: {type(error).__name__}", 502)
    kept = {name: value for name, value in response.headers.items() if name.lower() not in _HOP_BY_HOP}
    return Reply(response.status, kept, response.data)


def _headers(call: Call, netloc: str, path: str) -> dict[str, str]:
    headers = {name: value for name, value in call.headers.items() if name not in _HOP_BY_HOP}
    headers["host"] = netloc
    key_id = _access_key(call.headers.get("authorization", ""))
    secret = credentials.configured_keys().get(key_id or "")
    if secret is not None:
        headers = _signed_again(call, headers, key_id or "", secret, netloc, path)
    return headers


def _access_key(authorization: str) -> str | None:
    marker = "Credential="
    if marker not in authorization:
        return None
    return authorization.split(marker, 1)[1].split("/", 1)[0]


def _signed_again(call: Call, headers: dict[str, str], key_id: str, secret: str, netloc: str,
                  path: str) -> dict[str, str]:
    """``headers`` signed anew for the upstream's host with the caller's own key."""
    from botocore.auth import S3SigV4Auth, SigV4Auth
    from botocore.awsrequest import AWSRequest
    from botocore.credentials import Credentials

    for name in ("authorization", "x-amz-date", "x-amz-security-token"):
        headers.pop(name, None)
    url = f"http://{netloc}{path}" + (f"?{call.query}" if call.query else "")
    request = AWSRequest(method=call.method, url=url, data=call.body, headers=headers)
    token = call.headers.get("x-amz-security-token")
    signer = S3SigV4Auth if call.service == "s3" else SigV4Auth
    signer(Credentials(key_id, secret, token), call.service, call.region).add_auth(request)
    return dict(request.headers.items())


@cache
def _pool():
    import urllib3

    return urllib3.PoolManager(num_pools=16, maxsize=16)
