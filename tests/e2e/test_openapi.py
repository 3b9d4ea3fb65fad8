"""The OpenAPI document tells the truth and the whole of it: a bearer scheme, a model for every
success, every problem type of the error table documented as problem+json, an example on every
request body; the docs pages load their assets from the service itself."""
from __future__ import annotations

import re
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from api import problems, schemas

PROBLEM_REF = "#/components/schemas/Problem"


@pytest.fixture
def backend() -> str:
    """SQLite only: the document does not depend on the store."""
    return "sqlite"


@pytest.fixture
def document(app: FastAPI) -> dict[str, Any]:
    return app.openapi()


def operations(document: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [(method.upper(), path, op) for path, ops in document["paths"].items() for method, op in ops.items()]


def test_routes_that_need_a_role_name_the_bearer_scheme_and_public_ones_do_not(document: dict[str, Any]) -> None:
    assert document["components"]["securitySchemes"]["bearer"] == {
        "type": "http", "scheme": "bearer", "bearerFormat": "lr_…",
        "description": "A token from `landreg tokens create --role ROLE --name NAME`."}
    public = {(m, p) for m, p, op in operations(document) if "security" not in op}
    assert public == {("GET", "/health"), ("GET", "/v1/public/certificates/{number}"),
                      ("GET", "/v1/public/announcements"),
                      ("POST", "/v1/public/announcements/{announcement_id}/objections"),
                      ("POST", "/v1/public/complaints"), ("GET", "/v1/public/complaints/{number}")}


def test_every_success_has_a_model(document: dict[str, Any]) -> None:
    for method, path, op in operations(document):
        success = [s for s in op["responses"] if s.startswith("2")]
        assert len(success) == 1, (method, path, success)
        content = op["responses"][success[0]]["content"]
        schema = (content.get("application/json") or content["application/geo+json"])["schema"]
        assert schema.get("$ref", "").startswith("#/components/schemas/"), (method, path, schema)


def test_every_refusal_is_a_documented_problem_with_examples(document: dict[str, Any]) -> None:
    for method, path, op in operations(document):
        for status, response in op["responses"].items():
            if int(status) < 400 or (path, status) == ("/health", "503"):
                continue
            content = response["content"]
            assert list(content) == [problems.PROBLEM], (method, path, status)
            assert content[problems.PROBLEM]["schema"] == {"$ref": PROBLEM_REF}
            for example in content[problems.PROBLEM]["examples"].values():
                assert example["value"]["status"] == int(status), (method, path, status, example)


def test_each_problem_type_of_the_error_table_is_documented_once_in_the_schema(document: dict[str, Any]) -> None:
    table = {kind.code for kind in problems.STATUS} | {code for code, _ in problems.HTTP.values()}
    documented = set(document["components"]["schemas"]["Problem"]["properties"]["type"]["enum"])
    assert documented == {f"/problems/{code}" for code in table}
    shown = {example["value"]["type"] for _, _, op in operations(document) for response in op["responses"].values()
             for example in response.get("content", {}).get(problems.PROBLEM, {}).get("examples", {}).values()}
    assert shown == documented - {"/problems/method_not_allowed"}  # no operation answers 405


def test_commands_document_every_conflict_and_the_busy_store(document: dict[str, Any]) -> None:
    conflicts = {kind.code for kind, (status, _) in problems.STATUS.items() if status == 409}
    transfer = document["paths"]["/v1/parcels/{nib}/transfers"]["post"]["responses"]
    assert set(transfer["409"]["content"][problems.PROBLEM]["examples"]) == conflicts
    assert transfer["503"]["headers"]["Retry-After"]
    assert transfer["200"]["headers"]["ETag"]
    assert set(document["paths"]["/v1/public/certificates/{number}"]["get"]["responses"]) == {"200", "422", "429"}


def test_every_request_body_has_an_example_its_own_schema_accepts(document: dict[str, Any]) -> None:
    bodies = {op["requestBody"]["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[1]
              for _, _, op in operations(document) if "requestBody" in op}
    assert bodies
    for name in bodies:
        model = getattr(schemas, name)
        examples = document["components"]["schemas"][name]["examples"]
        assert examples, name
        for example in examples:
            model.model_validate(example)


# Each example as "Try it out" sends it, in an order a land office could: (method, path, body schema).
# The term bodies (TermIn) are left out: the examples' right is hak milik, which has no term; so are
# the objection bodies: they are taken only while an announcement runs, which depends on the day
# (tests/e2e/test_procedures.py sends them in order).
EXAMPLE_SESSION = [
    ("/v1/parcels", "SurveyIn"), ("/v1/parcels/{nib}/boundary", "BoundaryIn"),
    ("/v1/parcels/{nib}/announcement", "AnnouncementIn"), ("/v1/parcels/{nib}/title", "TitleIn"),
    ("/v1/parcels/{nib}/transfers", "TransferIn"), ("/v1/parcels/{nib}/title/holders", "HoldersIn"),
    ("/v1/parcels/{nib}/dealings/{dealing}/annulment", "AnnulmentIn"),
    ("/v1/parcels/{nib}/mortgages", "MortgageIn"), ("/v1/parcels/{nib}/mortgages/HT1/release", "SourceIn"),
    ("/v1/parcels/{nib}/blocks", "BlockIn"), ("/v1/parcels/{nib}/blocks/BL1/lift", "SourceIn"),
    ("/v1/parcels/{nib}/title/replacement", "ReasonIn"), ("/v1/parcels/search", "SearchIn"),
    ("/v1/parcels/{nib}/subdivision", "SubdivisionIn"), ("/v1/parcels/merge", "MergeIn"),
    ("/v1/parcels/{merged}/separation", "SeparationIn"),
    ("/v1/parcels/{merged}/title/eligibility-loss", "EligibilityLossIn"),
    ("/v1/parcels/{merged}/title/cancellation", "ReasonIn"),
    ("/v1/public/complaints", "ComplaintIn"), ("/v1/complaints/{complaint}/replies", "ComplaintStepIn"),
]
NOT_IN_SESSION = {"TermIn", "PartIn", "ObjectionIn", "OfficeObjectionIn", "ResolutionIn"}


def test_request_body_examples_are_accepted_in_a_land_office_session(document: dict[str, Any], client: TestClient,
                                                                    admin: dict[str, str]) -> None:
    schemas_ = document["components"]["schemas"]
    used = {name for _, name in EXAMPLE_SESSION}
    assert used | NOT_IN_SESSION == {n for n, s in schemas_.items() if n.endswith("In") and "examples" in s}
    found: dict[str, str] = {}
    for path, name in EXAMPLE_SESSION:
        answer = client.post(path.format(**found), json=schemas_[name]["examples"][0], headers=admin)
        assert answer.status_code in (200, 201), f"{path} with the {name} example: {answer.text}"
        found.setdefault("nib", answer.json().get("nib", ""))
        if path == "/v1/parcels/merge":
            found["merged"] = answer.json()["nib"]
        if "dealing_id" in answer.json():
            found["dealing"] = answer.json()["dealing_id"]
        if "complaint_number" in answer.json():
            found["complaint"] = answer.json()["complaint_number"]


@pytest.mark.parametrize("page", ["/docs", "/redoc"])
def test_docs_pages_load_nothing_from_another_host(client: TestClient, page: str) -> None:
    html = client.get(page)
    assert html.status_code == 200
    assert "default-src 'self'" in html.headers["content-security-policy"]
    sources = re.findall(r'(?:src|href)="([^"]+)"', html.text)
    assert sources and all(s.startswith("/docs-assets/") for s in sources), sources
    for source in sources:
        assert client.get(source).status_code == 200, source


def test_docs_follow_the_root_path_behind_a_proxy(app: FastAPI) -> None:
    with TestClient(app, root_path="/landreg") as behind:
        html = behind.get("/docs").text
        assert ('"/landreg/openapi.json"' in html.replace("'", '"')
                and "/landreg/docs-assets/swagger-ui-bundle.js" in html)
