"""Schemathesis against the real server's OpenAPI document, as three kinds of caller.

Each mode gets a fresh server (the `server` fixture) and fuzzes every operation in
`/schema/openapi.json` with the credentials that caller has:

- anonymous: no credentials (a visitor's phone, or anyone on the network), `/api/login` included;
- kiosk: `Authorization: Bearer demo-kiosk-kiosk-1` (its rate limit makes 429 a legitimate answer);
- admin: a staff session (cookie + `X-CSRF-Token`) from `POST /api/login`; `/api/login` and
  `/api/logout` are left out, so the session is neither locked out nor ended mid-run.

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
`ticket_id` are sometimes swapped for ids that exist in tests/allday.toml (and tickets issued
before the run), so the fuzzer reaches the domain's real states and not only 404s.

The default run is short and repeatable (deterministic generation, a fixed seed, no example
database): `ANTRIAN_FUZZ_EXAMPLES` examples per operation in the fuzzing phase (default 20),
plus schemathesis' coverage phase. For a longer hunt:

    ANTRIAN_FUZZ_EXAMPLES=500 .venv/bin/python -m pytest tests/server/test_fuzz.py -q
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
import requests
import schemathesis
from hypothesis import note
from hypothesis import strategies as st
from schemathesis import Case, CheckContext, Response
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import content_type_conformance, response_schema_conformance

from tests.support import KIOSK, ServerProcess, login

EXAMPLES = int(os.environ.get("ANTRIAN_FUZZ_EXAMPLES", "20"))
SEED = 20240601

COUNTERS = ("loket-1", "loket-2", "loket-3")
KIOSKS = ("kiosk-1", "kiosk-imigrasi")
SERVICES = ("ktp-el", "akta-kelahiran", "paspor-baru", "penggantian-paspor")


def _config() -> schemathesis.Config:
    return schemathesis.Config.from_dict(
        {
            "seed": SEED,
            "suppress-health-check": ["all"],
            "generation": {
                "mode": "all",  # valid and invalid input
                "max-examples": EXAMPLES,
                "deterministic": True,
                "database": "none",  # no .hypothesis/ directory: every run starts the same
            },
            "phases": {"stateful": {"enabled": False}},
            "request-timeout": 10,
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


def _with_known_ids(schema: Any, tickets: list[str]) -> None:
    """Schema-scoped hooks: sometimes replace a generated id by one that exists."""

    @schema.hook
    def flatmap_path_parameters(context: Any, path_parameters: dict[str, Any]) -> st.SearchStrategy[Any]:
        options = [path_parameters]
        if isinstance(path_parameters.get("counter_id"), str):
            options += [{**path_parameters, "counter_id": c} for c in COUNTERS]
        if isinstance(path_parameters.get("ticket_id"), str):
            options += [{**path_parameters, "ticket_id": t} for t in tickets]
        return st.sampled_from(options)

    @schema.hook
    def flatmap_query(context: Any, query: dict[str, Any]) -> st.SearchStrategy[Any]:
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


@pytest.fixture
def api_schema(server: ServerProcess) -> Any:
    schema = schemathesis.openapi.from_url(f"{server.base_url}/schema/openapi.json", config=_config())
    _with_known_ids(schema, _issue_known_tickets(server))
    return schema


@pytest.fixture
def http() -> Iterator[requests.Session]:
    with requests.Session() as session:
        yield session


@pytest.fixture
def admin_credentials(server: ServerProcess) -> dict[str, Any]:
    """The admin's session cookie and CSRF header, sent explicitly on every fuzzed call."""
    with httpx.Client(base_url=server.base_url, timeout=10) as client:
        login(client, "admin")
        cookie = client.cookies.get("antrian_session")
        assert cookie, client.cookies
        return {"headers": {"X-CSRF-Token": client.headers["X-CSRF-Token"]}, "cookies": {"antrian_session": cookie}}


# --- checks -------------------------------------------------------------------------------


def error_body_conformance(ctx: CheckContext, response: Response, case: Case) -> bool | None:
    """Every 4xx, listed in the spec or not, is the API's JSON error body."""
    status = response.status_code
    if not 400 <= status < 500:
        return None
    try:
        body = response.json()
    except ValueError as exc:
        raise AssertionError(f"{status} without a JSON error body: {response.text[:300]!r}") from exc
    assert isinstance(body, dict), f"{status} error body is not an object: {body!r}"
    assert body.get("status_code") == status, f"error body says status_code={body.get('status_code')!r}, sent {status}"
    detail = body.get("detail")
    assert isinstance(detail, str) and detail.strip(), f"{status} error without a readable detail: {body!r}"
    if "code" in body:
        assert isinstance(body["code"], str) and body["code"], f"{status} error with a bad code: {body!r}"
    if status == 429:
        retry = response.headers.get("retry-after")
        value = retry[0] if isinstance(retry, list) else retry
        assert value and value.isdigit(), f"429 without a Retry-After in seconds: {response.headers!r}"
    return None


CHECKS = [not_a_server_error, response_schema_conformance, content_type_conformance, error_body_conformance]


def _call(case: Case, server: ServerProcess, http: requests.Session, refused: tuple[int, ...], **creds: Any) -> None:
    """Call and validate; on failure, attach the server's log (the traceback of a 500 is there)."""
    try:
        response = case.call_and_validate(session=http, checks=CHECKS, **creds)
        assert response.status_code not in refused, (
            f"{case.method} {case.formatted_path} with valid credentials got {response.status_code}: {response.text}"
        )
    except BaseException:
        log = server.output()
        start = log.rfind("Traceback (most recent call last)")
        note(f"server log (last traceback):\n{log[max(start, len(log) - 4000) if start < 0 else start :][-6000:]}")
        raise


schema = schemathesis.pytest.from_fixture("api_schema")


@schema.parametrize()
def test_fuzz_anonymous(case: Case, server: ServerProcess, http: requests.Session) -> None:
    _call(case, server, http, refused=())


@schema.exclude(path="/api/login").parametrize()
def test_fuzz_kiosk(case: Case, server: ServerProcess, http: requests.Session) -> None:
    _call(case, server, http, refused=(401,), headers=dict(KIOSK))


@schema.exclude(path=["/api/login", "/api/logout"]).parametrize()
def test_fuzz_admin(
    case: Case, server: ServerProcess, http: requests.Session, admin_credentials: dict[str, Any]
) -> None:
    _call(case, server, http, refused=(401, 403), **admin_credentials)
