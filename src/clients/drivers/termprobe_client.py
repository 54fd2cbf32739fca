#!/usr/bin/python3
"""termprobe's driver for the Python clients (python-requests, python-httpx,
python-aiohttp): makes the one request described by argv[1] and prints one
JSON result (README.md, "Contract"). Stdlib only besides the clients, so it
runs under Debian's /usr/bin/python3 with Debian's packages."""

import json
import platform
import signal
import socket
import sys
import urllib.parse

# requests' and httpx's own timeouts are per operation (connect, each read),
# so an overall deadline backs them up; it falls a little after timeout_s so
# that when the client's own timeout is the first to fire, that is reported.
DEADLINE_GRACE_S = 1.0

INSTALL = {"python-requests": "python3-requests", "python-httpx": "python3-httpx",
           "python-aiohttp": "python3-aiohttp"}


def result_for(client):
    return {"client": client, "version": None, "outcome": "error", "status": None, "http_version": None,
            "body_bytes": None, "declared_length": None, "error": None, "requests": None}


def class_name(exc):
    cls = type(exc)
    return cls.__qualname__ if cls.__module__ == "builtins" else f"{cls.__module__}.{cls.__qualname__}"


def describe(exc):
    """error.type/message/cause; the chain follows __cause__, else __context__,
    because requests and urllib3 re-raise inside except blocks (context only)."""
    cause, seen, current = [], {id(exc)}, exc
    while True:
        current = current.__cause__ or current.__context__
        if current is None or id(current) in seen:
            break
        seen.add(id(current))
        if is_urllib3_py2_fallback(current):
            continue
        cause.append(f"{class_name(current)}: {current}")
    return {"type": class_name(exc), "message": str(exc), "cause": cause}


def is_urllib3_py2_fallback(exc):
    """urllib3 1.26 first calls getresponse(buffering=True) for Python 2 and
    retries without it; that TypeError is the context of every later error
    but says nothing about the server."""
    return isinstance(exc, TypeError) and "'buffering'" in str(exc)


def target(request):
    """(host, port) of the URL as a resolver sees it, and connect_to's."""
    parts = urllib.parse.urlsplit(request["url"])
    port = parts.port or (443 if parts.scheme == "https" else 80)
    to = request.get("connect_to")
    return (parts.hostname, port), ((to["host"], int(to["port"])) if to else None)


def redirect_getaddrinfo(request):
    """Sends lookups of the URL's host:port to connect_to (curl's --connect-to):
    the socket goes there, while Host, SNI and the name check keep the URL's
    host, since the clients only use the address for connecting."""
    (host, port), to = target(request)
    if to is None:
        return
    real = socket.getaddrinfo

    def getaddrinfo(h, p, *args, **kwargs):
        if h == host and p is not None and int(p) == port:
            return real(to[0], to[1], *args, **kwargs)
        return real(h, p, *args, **kwargs)

    socket.getaddrinfo = getaddrinfo


def read_body_file(request):
    if not request.get("body_file"):
        return None
    with open(request["body_file"], "rb") as body:
        return body.read()


def declared(headers):
    value = headers.get("content-length")
    try:
        return int(value) if value is not None else None
    except ValueError:
        return None


def unsupported(result, reason):
    result.update(outcome="unsupported", error={"type": "unsupported", "message": reason})
    return result


def run_requests(request, result):
    import requests
    import urllib3
    result["version"] = f"{requests.__version__} (urllib3 {urllib3.__version__}, Python {platform.python_version()})"
    if request["http"] == "2-prior-knowledge":
        return unsupported(result, "requests speaks HTTP/1.1 only (urllib3 1.x has no HTTP/2)")
    urllib3.disable_warnings()  # -k's warning would only go to stderr; keep it quiet
    count_http_client_requests(result)
    redirect_getaddrinfo(request)
    verify = False if request.get("insecure") else (request.get("ca_file") or True)
    timeout = request["timeout_s"]
    with requests.Session() as session:
        def one_request():
            try:
                response = session.request(request["method"], request["url"], headers=dict(request["headers"]),
                                            data=read_body_file(request), verify=verify, stream=True,
                                            timeout=(timeout, timeout))
            except Exception as exc:  # the client's own failure is the result
                result["error"] = describe(exc)
                return result
            keep_response(result, response.status_code, {10: "1.0", 11: "1.1"}.get(response.raw.version),
                          response.headers)
            return read_chunks(result, lambda: response.iter_content(65536))
        return in_rounds(request, result, one_request)


def rounds_of(request):
    return int(request.get("rounds") or 1)


def in_rounds(request, result, one_request):
    """Makes the request `rounds` times with the same client (so a kept-alive
    connection is reused) and keeps the last one's result; an earlier round's
    error ends the run there, since the rounds after it would be another story."""
    for round_number in range(rounds_of(request)):
        if round_number:
            reset_for_next_round(result)
        one_request()
        if result["outcome"] != "response":
            break
    return result


def reset_for_next_round(result):
    """A new round starts from a blank result; `requests` keeps counting."""
    result.update(outcome="error", status=None, http_version=None, body_bytes=None, declared_length=None,
                  error=None)


def count_http_client_requests(result):
    """urllib3 1.26 sends every request through http.client's putrequest, its
    own retries included, so the wrapper counts what went on the wire."""
    import http.client
    real = http.client.HTTPConnection.putrequest
    result["requests"] = 0

    def putrequest(self, *args, **kwargs):
        result["requests"] += 1
        return real(self, *args, **kwargs)

    http.client.HTTPConnection.putrequest = putrequest


def keep_response(result, status, http_version, headers):
    result.update(status=status, http_version=http_version, body_bytes=0, declared_length=declared(headers))


def read_chunks(result, chunks):
    """Reads the body to its end; an error on the way keeps status and bytes."""
    try:
        for chunk in chunks():
            result["body_bytes"] += len(chunk)
    except Exception as exc:
        result["error"] = describe(exc)
        return result
    result["outcome"] = "response"
    return result


def run_httpx(request, result):
    import httpx
    import httpcore
    result["version"] = f"{httpx.__version__} (httpcore {httpcore.__version__}, Python {platform.python_version()})"
    options = {}
    if request["http"] in ("2", "2-prior-knowledge"):
        try:
            import h2  # noqa: F401  (httpx's http2=True needs it)
        except ImportError:
            return unsupported(result, "HTTP/2 in httpx needs python3-h2 (apt install python3-h2)")
        options["http2"] = True
        # http1=False with http2=True is httpx's h2c prior-knowledge mode on http:// URLs.
        options["http1"] = request["http"] != "2-prior-knowledge"
    count_httpcore_requests(result)
    redirect_getaddrinfo(request)
    verify = False if request.get("insecure") else (request.get("ca_file") or True)
    with httpx.Client(verify=verify, timeout=request["timeout_s"], **options) as client:
        def one_request():
            try:
                outgoing = client.build_request(request["method"], request["url"], headers=request["headers"],
                                                content=read_body_file(request))
                response = client.send(outgoing, stream=True)
            except Exception as exc:
                result["error"] = describe(exc)
                return result
            try:
                keep_response(result, response.status_code, response.http_version.replace("HTTP/", ""),
                              response.headers)
                return read_chunks(result, response.iter_raw)
            finally:
                response.close()
        return in_rounds(request, result, one_request)


def count_httpcore_requests(result):
    """httpcore writes every request's head through _send_request_headers
    (HTTP/1.1 and HTTP/2 alike), a retry on a new connection included."""
    from httpcore._sync import http11, http2
    result["requests"] = 0
    for cls in (http11.HTTP11Connection, http2.HTTP2Connection):
        def wrapped(self, *args, _real=cls._send_request_headers, **kwargs):
            result["requests"] += 1
            return _real(self, *args, **kwargs)
        cls._send_request_headers = wrapped


def run_aiohttp(request, result):
    import aiohttp
    import asyncio
    result["version"] = f"{aiohttp.__version__} (Python {platform.python_version()})"
    if request["http"] == "2-prior-knowledge":
        return unsupported(result, "aiohttp speaks HTTP/1.1 only")
    return asyncio.run(aiohttp_request(request, result))


def aiohttp_connector(request):
    """aiohttp resolves through the connector, and skips resolution for IP
    literals, so _resolve_host itself answers connect_to for the URL's
    host:port; hostname stays the URL's, which is what SNI and the name check use."""
    import aiohttp
    (host, port), to = target(request)
    if request.get("insecure"):
        ssl_option = False
    elif request.get("ca_file"):
        import ssl
        ssl_option = ssl.create_default_context(cafile=request["ca_file"])
    else:
        ssl_option = None  # aiohttp's default verification

    class Connector(aiohttp.TCPConnector):
        async def _resolve_host(self, h, p, traces=None):
            if to is not None and h == host and p == port:
                return [{"hostname": h, "host": to[0], "port": to[1], "family": 0, "proto": 0, "flags": 0}]
            return await super()._resolve_host(h, p, traces=traces)

    return Connector(ssl=ssl_option)


async def aiohttp_request(request, result):
    import aiohttp
    trace = aiohttp.TraceConfig()
    result["requests"] = 0

    async def headers_sent(session, context, params):
        result["requests"] += 1

    trace.on_request_headers_sent.append(headers_sent)
    timeout = aiohttp.ClientTimeout(total=request["timeout_s"])
    async with aiohttp.ClientSession(connector=aiohttp_connector(request), timeout=timeout,
                                     trace_configs=[trace]) as session:
        for round_number in range(rounds_of(request)):  # as in_rounds, awaited
            if round_number:
                reset_for_next_round(result)
            await aiohttp_one_request(session, request, result)
            if result["outcome"] != "response":
                break
        return result


async def aiohttp_one_request(session, request, result):
    try:
        response = await session.request(request["method"], request["url"],
                                         headers=[tuple(h) for h in request["headers"]], data=read_body_file(request))
    except Exception as exc:
        result["error"] = describe(exc)
        return result
    async with response:
        version = f"{response.version.major}.{response.version.minor}"
        keep_response(result, response.status, version, response.headers)
        try:
            async for chunk in response.content.iter_any():
                result["body_bytes"] += len(chunk)
        except Exception as exc:
            result["error"] = describe(exc)
            return result
        result["outcome"] = "response"
        return result


class Deadline(BaseException):
    """The driver's overall deadline: not an Exception, so that no client's
    `except Exception` turns it into an error of its own."""


def arm_deadline(seconds):
    def expire(signum, frame):
        raise Deadline()

    signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)


RUNNERS = {"python-requests": run_requests, "python-httpx": run_httpx, "python-aiohttp": run_aiohttp}


def main():
    with open(sys.argv[1], encoding="utf-8") as request_file:
        request = json.load(request_file)
    client = request["client"]
    result = result_for(client)
    if client != "python-aiohttp":  # aiohttp's ClientTimeout(total=...) is overall already
        arm_deadline(request["timeout_s"] * rounds_of(request) + DEADLINE_GRACE_S)
    try:
        result = RUNNERS[client](request, result)
    except Deadline:
        # The runners fill result in place: status and body bytes so far stay.
        result.update(outcome="error", error={
            "type": "timeout",
            "message": f"no complete response in {request['timeout_s']} s (the driver's overall deadline)"})
    except ImportError as exc:
        # Only a missing client library lands here: the drivers' own imports are stdlib.
        message = f"{INSTALL[client]} is not installed (apt install {INSTALL[client]})"
        if exc.name not in ("requests", "urllib3", "httpx", "httpcore", "aiohttp"):
            message += f": {exc}"  # a dependency or a lazy import inside the client: say which
        result.update(outcome="unavailable", requests=None, error={"type": "unavailable", "message": message})
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
    sys.stdout.write(json.dumps(result) + "\n")


if __name__ == "__main__":
    main()
