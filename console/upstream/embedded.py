"""moto serving the non-hosted services inside this process, in memory.

A Call is given to moto as the request it would have received at AWS's own host name
(``https://dynamodb.us-east-1.amazonaws.com/...``, S3 path-style), which is how moto
recognises the service and the bucket. Callers run this in a worker thread: moto is
synchronous and its calls may take a while (a 50 MB object). Its account is Stepyard's
(``STEPYARD_ACCOUNT``), so ARNs match the ones Stepyard hands out.
"""

from __future__ import annotations

import logging
import os
import threading
from functools import cache

from django.conf import settings

from console.upstream import fidelity, validation
from console.upstream.catalog import Call, Reply, error_reply

log = logging.getLogger(__name__)
_LOCK = threading.Lock()


def dispatch(call: Call) -> Reply:
    """Serve ``call`` with moto; an AWS-shaped error when moto cannot."""
    problem = validation.check(call)
    if problem is not None:
        return problem
    return fidelity.dispatch(call, _moto)


def _moto(call: Call) -> Reply:
    from botocore.awsrequest import AWSPreparedRequest
    from botocore.compat import HTTPHeaders

    host = f"{call.service}.{call.region}.amazonaws.com"
    headers = HTTPHeaders()
    for name, value in call.headers.items():
        if name not in ("host", "content-length"):
            headers[name] = value
    headers["Host"] = host
    url = f"https://{host}{call.path}" + (f"?{call.query}" if call.query else "")
    request = AWSPreparedRequest(call.method, url, headers, call.body, stream_output=False)
    try:
        answer = _stubber().process_request(request)
    except NotImplementedError as error:
        return error_reply(call.service, "NotImplemented", f"The embedded {call.service} (moto) "
                           f"does not implement this action: {error}", 501)
    except Exception as error:  # moto trips over some malformed input: the caller's fault, not ours
        log.warning("embedded %s failed on %s %s", call.service, call.method, call.path, exc_info=True)
        return error_reply(call.service, _invalid(call.service), f"The embedded {call.service} (moto) "
                           f"could not handle this request: {type(error).__name__}: {error}", 400)
    if answer is None:
        return error_reply(call.service, "UnknownService", f"Stepyard's embedded moto does not serve "
                           f"'{call.service}'; set STEPYARD_UPSTREAM_URL to forward it.", 400)
    status, moto_headers, body = answer
    return Reply(status, _headers(moto_headers), body.encode() if isinstance(body, str) else bytes(body or b""))


def _invalid(service: str) -> str:
    return {"s3": "InvalidRequest", "sts": "InvalidParameterValue"}.get(service, "ValidationException")


def _headers(moto_headers) -> dict[str, str]:
    skip = {"status", "server", "date", "connection", "transfer-encoding"}
    return {str(name): str(value) for name, value in dict(moto_headers or {}).items()
            if str(name).lower() not in skip and value is not None}


@cache
def _stubber():
    with _LOCK:
        # moto takes its account from this variable before the access key.
        os.environ.setdefault("MOTO_ACCOUNT_ID", settings.STEPYARD_ACCOUNT)
        from moto.core.botocore_stubber import BotocoreStubber

        return BotocoreStubber()
