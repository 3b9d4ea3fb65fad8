"""The API's documentation pages, Swagger UI at /docs and ReDoc at /redoc, working offline.

Their scripts and styles come from the `fastapi-offline` distribution and are served by this
service under /docs-assets/, so the pages load nothing from any other host (no CDN, no fonts,
no validator badge); both honour the root path the service runs under behind a proxy.
"""
from __future__ import annotations

from pathlib import Path

import fastapi_offline
from fastapi import FastAPI, Request
from fastapi.openapi.docs import get_redoc_html, get_swagger_ui_html
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

ASSETS = Path(fastapi_offline.__file__).parent / "static"
PREFIX = "/docs-assets"
# What the pages may load: this origin only (their bootstrap scripts are inline; ReDoc searches in a
# blob: worker). It also keeps ReDoc's "by Redocly" logo, an image on another host, from loading.
POLICY = ("default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; "
          "img-src 'self' data:; font-src 'self' data:; connect-src 'self'; worker-src 'self' blob:; "
          "frame-ancestors 'none'; base-uri 'none'")
# Swagger UI's options: no online validator, and the token typed into Authorize is kept in the tab only.
SWAGGER = {"validatorUrl": None, "persistAuthorization": False, "displayRequestDuration": True,
           "docExpansion": "list", "defaultModelsExpandDepth": 0}


def mount(app: FastAPI) -> None:
    """Serve /docs, /redoc and their assets; outside the OpenAPI document, public like it."""
    app.mount(PREFIX, StaticFiles(directory=ASSETS), name="docs-assets")
    app.add_route("/docs", swagger_ui, methods=["GET"], name="swagger_ui_html", include_in_schema=False)
    app.add_route("/redoc", redoc, methods=["GET"], name="redoc_html", include_in_schema=False)


def _root(request: Request) -> str:
    return str(request.scope.get("root_path", "")).rstrip("/")


def _guarded(page: HTMLResponse) -> HTMLResponse:
    page.headers["Content-Security-Policy"] = POLICY
    page.headers["Referrer-Policy"] = "no-referrer"
    return page


def swagger_ui(request: Request) -> HTMLResponse:
    root = _root(request)
    return _guarded(get_swagger_ui_html(
        openapi_url=f"{root}{request.app.openapi_url}", title=f"{request.app.title} API (Swagger UI)",
        swagger_js_url=f"{root}{PREFIX}/swagger-ui-bundle.js", swagger_css_url=f"{root}{PREFIX}/swagger-ui.css",
        swagger_favicon_url=f"{root}{PREFIX}/favicon.png", swagger_ui_parameters=SWAGGER))


def redoc(request: Request) -> HTMLResponse:
    root = _root(request)
    return _guarded(get_redoc_html(
        openapi_url=f"{root}{request.app.openapi_url}", title=f"{request.app.title} API (ReDoc)",
        redoc_js_url=f"{root}{PREFIX}/redoc.standalone.js", redoc_favicon_url=f"{root}{PREFIX}/favicon.png",
        with_google_fonts=False))
