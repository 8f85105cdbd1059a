"""Schemathesis against the real server's OpenAPI document, as three kinds of caller.

Each mode gets a fresh server (the `server` fixture), loads `/schema/openapi.json` from it with
`schemathesis.openapi.from_url` and fuzzes every operation in it, with valid and invalid input
(schemathesis' positive and negative generation), using the credentials that caller has:

- anonymous: no credentials (a visitor's phone, or anyone on the network), `/api/login` included;
- kiosk: `Authorization: Bearer demo-kiosk-kiosk-1` (its rate limit makes 429 a legitimate answer);
- admin: a staff session (cookie + `X-CSRF-Token`) from `POST /api/login`, sent on every call;
  `/api/login` and `/api/logout` are left out, so the session is neither locked out nor ended.

Checks on every response:

- no 5xx (`not_a_server_error`);
- the body of a documented status code conforms to its schema (`response_schema_conformance`,
  `content_type_conformance`);
- every 4xx, documented or not (401, 403, 404, 409, 413, 422, 429 are legitimate answers the spec
  does not list), is the JSON error body `{"status_code", "detail"[, "code"]}` with the response's
  status and a detail a person can read; a 429 says when to retry (`Retry-After`);
- a caller with valid credentials is never told they are not logged in (401), and the admin,
  who may do anything, is never refused (403).

`status_code_conformance` is not used: the spec documents only 200/201/204/400.

Generation hints: path parameters, the catalog's `kiosk_id` and the bodies' `service_id` /
`ticket_id` / `kiosk_id` are sometimes swapped for ids that exist in tests/allday.toml (and tickets
issued before the run), so the fuzzer reaches the domain's real states and not only 404s.

Each operation is its own Hypothesis test built from `operation.as_strategy()` (schemathesis'
`from_fixture` pytest loader does not work with pytest 9.2: it sets the removed `Node._nodeid`).
Every operation runs even when an earlier one fails; the test then lists every failure, with the
request (as curl), the response and what the server logged meanwhile (its tracebacks).
The `Idempotency-Key` header, read by the handlers but absent from the spec, is fuzzed alongside.

The default run is short and repeatable (derandomized, no example database):
`ANTRIAN_FUZZ_EXAMPLES` examples per operation (default 25, valid and invalid mixed). A longer hunt:

    ANTRIAN_FUZZ_EXAMPLES=500 .venv/bin/python -m pytest tests/server/test_fuzz.py -q
"""

from __future__ import annotations

import json
import os
import traceback
from http.cookiejar import DefaultCookiePolicy
from typing import Any
from urllib.parse import quote

import httpx
import requests
import schemathesis
from hypothesis import HealthCheck, Phase, example, given, settings
from hypothesis import strategies as st
from schemathesis import Case, CheckContext, GenerationMode, Response
from schemathesis.checks import not_a_server_error
from schemathesis.core.failures import FailureGroup
from schemathesis.specs.openapi.checks import content_type_conformance, response_schema_conformance

from tests.support import KIOSK, ServerProcess, login

EXAMPLES = int(os.environ.get("ANTRIAN_FUZZ_EXAMPLES", "25"))

COUNTERS = ("loket-1", "loket-2", "loket-3")
KIOSKS = ("kiosk-1", "kiosk-imigrasi")
SERVICES = ("ktp-el", "akta-kelahiran", "paspor-baru", "penggantian-paspor")

# The Idempotency-Key header is read by the handlers but not in the spec: fuzz it too, with any value HTTP allows
# in a header (tab, space, visible ASCII, obs-text 0x80-0xFF; uvicorn itself refuses other control characters)
# and no leading whitespace, "\xa0" and "\x85" included (`requests` refuses to send it). An empty, long or
# non-printable key must get 422.
IDEMPOTENCY_KEYS = st.none() | st.text(
    st.sampled_from("\t")
    | st.characters(min_codepoint=0x20, max_codepoint=0x7E)
    | st.characters(min_codepoint=0x80, max_codepoint=0xFF),
    max_size=260,
).filter(lambda key: not key[:1].isspace())

SETTINGS = settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,  # the same cases on every run
    database=None,  # and no .hypothesis/ directory
    suppress_health_check=list(HealthCheck),
    phases=(Phase.explicit, Phase.generate, Phase.target, Phase.shrink),
    print_blob=False,
)


def _config() -> schemathesis.Config:
    return schemathesis.Config.from_dict(
        {
            "generation": {"database": "none"},
            "request-timeout": 10,
            "output": {"sanitization": {"enabled": False}},  # demo credentials: show every header in reports
        }
    )


def _issue_known_tickets(server: ServerProcess) -> list[str]:
    """A few real tickets (one of them called at loket-1), so ticket ids in paths and bodies can exist."""
    with httpx.Client(base_url=server.base_url, timeout=10) as admin:
        login(admin, "admin")
        ids = []
        for service in ("ktp-el", "akta-kelahiran", "paspor-baru", "ktp-el"):
            r = admin.post("/api/tickets", json={"service_id": service})
            assert r.status_code == 201, r.text
            ids.append(r.json()["id"])
        assert admin.post("/api/counters/loket-1/call-next").status_code == 200
        return ids


def _admin_credentials(server: ServerProcess) -> dict[str, Any]:
    """The admin's session cookie and CSRF header, to send explicitly on every fuzzed call."""
    with httpx.Client(base_url=server.base_url, timeout=10) as client:
        login(client, "admin")
        cookie = client.cookies.get("antrian_session")
        assert cookie, client.cookies
        return {"headers": {"X-CSRF-Token": client.headers["X-CSRF-Token"]}, "cookies": {"antrian_session": cookie}}


def _with_known_ids(schema: Any, tickets: list[str]) -> None:
    """Schema-scoped hooks: sometimes replace a generated id by one that exists."""

    @schema.hook
    def flatmap_path_parameters(context: Any, path_parameters: dict[str, Any] | None) -> st.SearchStrategy[Any]:
        if not isinstance(path_parameters, dict):
            return st.just(path_parameters)
        options = [path_parameters]
        if isinstance(path_parameters.get("counter_id"), str):
            options += [{**path_parameters, "counter_id": c} for c in COUNTERS]
        if isinstance(path_parameters.get("ticket_id"), str):
            options += [{**path_parameters, "ticket_id": t} for t in tickets]
        return st.sampled_from(options)

    @schema.hook
    def flatmap_query(context: Any, query: dict[str, Any] | None) -> st.SearchStrategy[Any]:
        if not isinstance(query, dict) or not isinstance(query.get("kiosk_id"), str):
            return st.just(query)
        return st.sampled_from([query, *({**query, "kiosk_id": k} for k in KIOSKS)])

    @schema.hook
    def flatmap_body(context: Any, body: Any) -> st.SearchStrategy[Any]:
        if not isinstance(body, dict):
            return st.just(body)
        options = [body]
        if isinstance(body.get("service_id"), str):
            options += [{**body, "service_id": s} for s in SERVICES]
        if isinstance(body.get("ticket_id"), str):
            options += [{**body, "ticket_id": t} for t in tickets]
        if isinstance(body.get("kiosk_id"), str):
            options += [{**body, "kiosk_id": k} for k in KIOSKS]
        return st.sampled_from(options)


# --- checks -------------------------------------------------------------------------------


def error_body_problem(status: int, text: str, retry_after: str | None) -> str | None:
    """What is wrong with a 4xx answer, if anything: it must be the API's JSON error body."""
    try:
        body = json.loads(text)
    except ValueError:
        return f"{status} without a JSON error body: {text[:300]!r}"
    if not isinstance(body, dict):
        return f"{status} error body is not an object: {body!r}"
    if body.get("status_code") != status:
        return f"error body says status_code={body.get('status_code')!r}, sent {status}"
    detail = body.get("detail")
    if not (isinstance(detail, str) and detail.strip()):
        return f"{status} error without a readable detail: {body!r}"
    if "code" in body and not (isinstance(body["code"], str) and body["code"]):
        return f"{status} error with a bad code: {body!r}"
    if status == 429 and not (retry_after and retry_after.isdigit()):
        return f"429 without a Retry-After in seconds: {retry_after!r}"
    return None


def error_body_conformance(ctx: CheckContext, response: Response, case: Case) -> bool | None:
    """Every 4xx, listed in the spec or not, is the API's JSON error body."""
    if 400 <= response.status_code < 500:
        retry = response.headers.get("retry-after")
        problem = error_body_problem(response.status_code, response.text, retry[0] if retry else None)
        assert problem is None, problem
    return None


CHECKS = [not_a_server_error, response_schema_conformance, content_type_conformance, error_body_conformance]


# --- the runner ---------------------------------------------------------------------------


def _server_errors(server: ServerProcess, since: int) -> str:
    """What the server logged after offset `since`, but the access log: its tracebacks, if any."""
    lines = [line for line in server.output()[since:].splitlines() if not line.startswith("INFO:")]
    text = "\n".join(lines)
    return text[-6000:] if text else "(nothing)"


def _describe(exc: BaseException) -> str:
    """The failure's message and notes (the request, the response, the server log), without our frames."""
    text = "".join(traceback.format_exception_only(exc)).strip()
    if isinstance(exc, BaseExceptionGroup) and not isinstance(exc, FailureGroup):  # e.g. several distinct failures
        text += "".join(f"\n--- {i}\n{_describe(e)}" for i, e in enumerate(exc.exceptions, 1))
    return text


def fuzz(
    server: ServerProcess, *, refused: tuple[int, ...] = (), exclude: tuple[str, ...] = (), **credentials: Any
) -> None:
    schema = schemathesis.openapi.from_url(f"{server.base_url}/schema/openapi.json", config=_config())
    _with_known_ids(schema, _issue_known_tickets(server))
    failures: list[str] = []
    tested: list[str] = []
    with requests.Session() as http:
        http.cookies.set_policy(DefaultCookiePolicy(allowed_domains=[]))  # only the cookies a mode sends, none kept
        for result in schema.get_all_operations():
            operation = result.ok()  # raises for an operation the spec describes wrongly
            if operation.path in exclude:
                continue
            tested.append(operation.label)
            strategy = st.one_of(operation.as_strategy(mode) for mode in GenerationMode)

            @SETTINGS
            @given(case=strategy, key=IDEMPOTENCY_KEYS)
            def run(case: Case, key: str | None) -> None:
                fresh = {k: dict(v) for k, v in credentials.items()}  # the call adds its own headers to these
                if key is not None:
                    fresh["headers"] = {**fresh.get("headers", {}), "Idempotency-Key": key}
                response = case.call_and_validate(session=http, checks=CHECKS, **fresh)
                assert response.status_code not in refused, (
                    f"{case.method} {case.formatted_path} with valid credentials got "
                    f"{response.status_code}: {response.text[:500]}"
                )

            log_offset = len(server.output())
            try:
                run()
            except (Exception, BaseExceptionGroup) as exc:  # schemathesis' FailureGroup is a BaseExceptionGroup
                failures.append(
                    f"=== {operation.label}\n{_describe(exc)}\n--- server log:\n{_server_errors(server, log_offset)}"
                )
    assert len(tested) >= 15, f"the spec lost operations: {tested}"
    assert not failures, f"{len(failures)} of {len(tested)} operations failed:\n\n" + "\n\n".join(failures)


def test_fuzz_anonymous(server: ServerProcess) -> None:
    fuzz(server)


def test_fuzz_kiosk(server: ServerProcess) -> None:
    fuzz(server, refused=(401,), exclude=("/api/login",), headers=dict(KIOSK))


def test_fuzz_admin(server: ServerProcess) -> None:
    fuzz(server, refused=(401, 403), exclude=("/api/login", "/api/logout"), **_admin_credentials(server))


# --- credentials outside the spec ------------------------------------------------------------
# The session cookie, the CSRF header and the Authorization header are not in the spec, so
# schemathesis never varies them: fuzz their values here, with the same checks (no 5xx, the JSON
# error body). Header values: anything HTTP carries (visible ASCII, space, tab, obs-text 0x80-0xFF).

HEADER_VALUES = st.text(
    st.sampled_from("\t ")
    | st.characters(min_codepoint=0x21, max_codepoint=0x7E)
    | st.characters(min_codepoint=0x80, max_codepoint=0xFF),
    max_size=300,
).filter(lambda value: value == value.strip(" \t"))  # h11 refuses to send surrounding whitespace
# Cookie values: cookie-octets, or any bytes percent-encoded (the server percent-decodes them).
COOKIE_VALUES = st.text(
    st.characters(min_codepoint=0x21, max_codepoint=0x7E, exclude_characters='",;\\'), max_size=100
) | st.binary(max_size=40).map(quote)


def _answer_problem(r: httpx.Response) -> str | None:
    request = f"{r.request.method} {r.request.url.raw_path.decode()} {dict(r.request.headers)!r}"
    if r.status_code >= 500:
        return f"{request}\n-> {r.status_code}: {r.text[:500]}"
    if r.status_code >= 400:
        problem = error_body_problem(r.status_code, r.text, r.headers.get("retry-after"))
        return f"{request}\n-> {problem}" if problem else None
    return None


def _fuzz_value(server: ServerProcess, values: st.SearchStrategy[str], send: Any, *known: str) -> None:
    """send(value) makes the requests with that value; every answer must be a proper one."""
    log_offset = len(server.output())

    @SETTINGS
    @given(value=values)
    def run(value: str) -> None:
        for r in send(value):
            problem = _answer_problem(r)
            assert problem is None, problem

    for value in known:  # values that once broke the server, tried first
        run = example(value=value)(run)
    try:
        run()
    except AssertionError as exc:
        raise AssertionError(f"{exc}\n--- server log:\n{_server_errors(server, log_offset)}") from None


def test_fuzz_csrf_header_of_a_staff_session(server: ServerProcess) -> None:
    with httpx.Client(base_url=server.base_url, timeout=10) as staff:
        login(staff, "admin")

        def send(value: str) -> list[httpx.Response]:
            headers = {"X-CSRF-Token": value.encode("latin-1")}
            return [
                staff.post("/api/counters/loket-2/open", headers=headers),
                staff.post("/api/tickets", json={"service_id": "ktp-el"}, headers=headers),
            ]

        _fuzz_value(server, HEADER_VALUES, send, "\xe9", "\xe2\x82\xac", "token\xff")


def test_fuzz_session_cookie(server: ServerProcess) -> None:
    with httpx.Client(base_url=server.base_url, timeout=10) as client:

        def send(value: str) -> list[httpx.Response]:
            headers = {"Cookie": f"antrian_session={value}"}
            return [
                client.get("/api/catalog", headers=headers),
                client.get("/api/me", headers=headers),
                client.post("/api/tickets", json={"service_id": "ktp-el"}, headers=headers),
            ]

        _fuzz_value(server, COOKIE_VALUES, send, "%ff", "%e2%82%ac", "%00")


def test_fuzz_authorization_header(server: ServerProcess) -> None:
    with httpx.Client(base_url=server.base_url, timeout=10) as client:

        def send(value: str) -> list[httpx.Response]:
            raw = value.encode("latin-1")
            values = [raw, b"Bearer " + raw] if raw else [raw]
            return [client.get("/api/floor", headers={"Authorization": auth}) for auth in values]

        _fuzz_value(server, HEADER_VALUES, send, "\xe9", "Bearer", "demo-display-tv-1\xff")
