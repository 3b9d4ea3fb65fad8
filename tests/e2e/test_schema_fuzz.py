"""Schema-driven fuzzing (schemathesis) of every operation in the app's own OpenAPI document,
as admin, on SQLite: no request, valid or not, gets a 500, every refusal is a problem, and every
answer is one the document promises (status, content type, headers and body schema)."""
from __future__ import annotations

from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from api.bootstrap import Services
from tests.e2e.calls import PROBLEM, Headers

schemathesis = pytest.importorskip("schemathesis")
from schemathesis import GenerationMode
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)
from schemathesis.python import asgi

EXAMPLES_PER_OPERATION = 12
DEADLINE = None  # request times vary with the store; this test asserts no time
# What the document promises about each answer. (Positive-data acceptance is not among them: the
# schema types geometry, holders and dates loosely on purpose, and the registry refuses what breaks a rule.)
CONFORMANCE = [not_a_server_error, status_code_conformance, content_type_conformance,
               response_headers_conformance, response_schema_conformance]


def operations(app: FastAPI) -> list[Any]:
    schema = schemathesis.openapi.from_dict(app.openapi())
    found = [result.ok() for result in schema.get_all_operations()]
    assert found, "the OpenAPI document has no operations"
    return found


def check(response: Any, where: str) -> None:
    assert response.status_code < 500, f"{where}: {response.status_code} {response.text[:500]}"
    if response.status_code >= 400:
        kind = (response.headers.get("content-type") or [""])[0].split(";")[0]
        assert kind == PROBLEM, f"{where}: {response.status_code} as {kind!r}"
        body = response.json()
        missing = {"type", "title", "status", "detail"} - body.keys()
        assert not missing, f"{where}: problem without {missing}: {body}"
        assert body["status"] == response.status_code, f"{where}: {body}"


def test_fuzzed_requests_get_no_server_error_and_refusals_are_problems(
    sqlite_services: Services, app: FastAPI, client: TestClient, titled_nib: str, admin: Headers,
) -> None:
    session = asgi.get_client(app)  # type: ignore[arg-type]  # the lifespan is the `client` fixture's
    token = admin["Authorization"]
    for operation in operations(app):
        strategy = st.one_of(operation.as_strategy(GenerationMode.POSITIVE),
                             operation.as_strategy(GenerationMode.NEGATIVE))

        @settings(max_examples=EXAMPLES_PER_OPERATION, deadline=DEADLINE, database=None, derandomize=True,
                  suppress_health_check=list(HealthCheck))
        @given(case=strategy, real_nib=st.booleans())
        def fuzz(case: Any, real_nib: bool) -> None:
            if real_nib and case.path_parameters and "nib" in case.path_parameters:
                case.path_parameters["nib"] = titled_nib
            headers = {k: v for k, v in (case.headers or {}).items() if k.lower() != "authorization"}
            case.headers = {**headers, "Authorization": token}
            try:
                response = case.call(session=session, base_url="http://testserver")
            except (UnicodeEncodeError, ValueError) as error:  # a header no HTTP client can send
                if "header" not in str(error).lower() and "latin-1" not in str(error):
                    raise
                return
            check(response, f"{case.method} {case.formatted_path}")
            case.validate_response(response, checks=CONFORMANCE)

        fuzz()
