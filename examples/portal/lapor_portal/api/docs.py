"""The API's documentation pages: Swagger UI at ``/docs`` and ReDoc at ``/redoc``, over ``/openapi.json``.

Both pages load their viewer from a CDN (jsDelivr), so each is sent with a Content-Security-Policy of its own
that allows that origin, and Swagger UI's one inline start-up script by its hash; every other page keeps the
portal's strict policy. A deployment without internet access still serves ``/openapi.json`` itself.
"""

from __future__ import annotations

import base64
import hashlib
import re
from typing import Final

from fastapi import APIRouter
from fastapi.openapi.docs import get_redoc_html, get_swagger_ui_html
from starlette.responses import HTMLResponse

__all__ = ["CDN", "router"]

CDN: Final = "https://cdn.jsdelivr.net"
"""Where the viewers' scripts and styles come from."""
OPENAPI_URL: Final = "/openapi.json"
_INLINE_SCRIPT: Final = re.compile(r"<script>(.*?)</script>", re.DOTALL)
_INLINE_STYLE: Final = re.compile(r"<style>(.*?)</style>", re.DOTALL)

router = APIRouter(include_in_schema=False)


def _hashes(pattern: re.Pattern[str], html: str) -> str:
    """The CSP source expressions allowing exactly the inline blocks ``pattern`` finds in ``html``."""
    digests = (hashlib.sha256(block.encode("utf-8")).digest() for block in pattern.findall(html))
    return " ".join(f"'sha256-{base64.b64encode(d).decode('ascii')}'" for d in digests)


def _with_policy(page: HTMLResponse, *, extra_styles: str = "") -> HTMLResponse:
    """``page`` with a policy allowing the CDN and its own inline blocks, nothing else from elsewhere."""
    html = bytes(page.body).decode("utf-8")
    scripts = " ".join(filter(None, (CDN, _hashes(_INLINE_SCRIPT, html))))
    styles = " ".join(filter(None, (CDN, _hashes(_INLINE_STYLE, html), extra_styles)))
    page.headers["content-security-policy"] = (
        f"default-src 'self'; script-src {scripts}; style-src {styles}; img-src 'self' data: {CDN}; "
        "font-src 'self' data:; worker-src blob:; connect-src 'self'; frame-ancestors 'none'; "
        "base-uri 'none'; object-src 'none'; form-action 'none'"
    )
    return page


@router.get("/docs", response_class=HTMLResponse)
def swagger_ui() -> HTMLResponse:
    """Swagger UI: try the JSON API and Open311 from the browser."""
    page = get_swagger_ui_html(openapi_url=OPENAPI_URL, title="LAPOR! API", swagger_favicon_url="data:,")
    return _with_policy(page)


@router.get("/redoc", response_class=HTMLResponse)
def redoc() -> HTMLResponse:
    """ReDoc: the same schema as a readable reference."""
    page = get_redoc_html(
        openapi_url=OPENAPI_URL, title="LAPOR! API", redoc_favicon_url="data:,", with_google_fonts=False
    )
    # ReDoc sets its styles at run time (styled-components), which a policy can only allow as inline styles.
    return _with_policy(page, extra_styles="'unsafe-inline'")
