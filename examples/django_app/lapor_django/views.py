"""Three pages in Indonesian: submit a complaint, track it with its key, and an institution's inbox.

No Django form validates what lapor_core validates: the form's fields go to
:meth:`lapor_core.Submission.from_dict` as they are, and every refusal comes back as the library's own
message in the page's language (one validation layer, one catalogue of rules).
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import get_language
from django.views.decorators.http import require_http_methods

import lapor_core as lc
from lapor_django.desk import get_desk
from lapor_django.principals import principal_for

__all__ = ["inbox", "submit", "track"]

_KINDS = ("pengaduan", "aspirasi", "permintaan_informasi")


def _locale() -> str:
    return "en" if (get_language() or "id").startswith("en") else "id"


def _submission(data: Any) -> dict[str, Any]:
    reporter = {key: data.get(key, "").strip() for key in ("name", "email") if data.get(key, "").strip()}
    submitted: dict[str, Any] = {
        "kind": data.get("kind", ""),
        "channel": "web",
        "title": data.get("title", ""),
        "body": data.get("body", ""),
        "anonymous": data.get("anonymous") == "on",
        "confidential": data.get("confidential") == "on",
    }
    if reporter:
        submitted["reporter"] = reporter
    return submitted


@require_http_methods(["GET", "POST"])
def submit(request: HttpRequest) -> HttpResponse:
    """The complaint form; on success the receipt (tracking ID and the access key, shown once)."""
    context: dict[str, Any] = {"kinds": _KINDS, "data": request.POST, "errors": []}
    if request.method == "POST":
        try:
            receipt = get_desk().submit(lc.Submission.from_dict(_submission(request.POST)))
        except lc.ValidationError as error:
            context["errors"] = error.messages(_locale())
            return render(request, "lapor_django/submit.html", context, status=422)
        response = render(request, "lapor_django/receipt.html", {"receipt": receipt})
        response["Cache-Control"] = "no-store"  # the access key is on the page
        return response
    return render(request, "lapor_django/submit.html", context)


@require_http_methods(["GET", "POST"])
def track(request: HttpRequest) -> HttpResponse:
    """Track a complaint with its tracking ID and access key; the same answer for a wrong key or ID."""
    if request.method != "POST":
        return render(request, "lapor_django/track.html", {})
    tracking_id = request.POST.get("tracking_id", "").strip()
    desk = get_desk()
    try:
        reporter = desk.authenticate(tracking_id, request.POST.get("access_key", "").strip())
        view = desk.view(reporter, tracking_id)
    except (lc.NotFound, lc.errors.InvalidTrackingId, lc.ValidationError, lc.errors.TooManyAttempts):
        return render(request, "lapor_django/track.html", {"not_found": True}, status=404)
    summary = view.summary.label(_locale())
    response = render(request, "lapor_django/complaint.html", {"view": view, "summary": summary})
    response["Cache-Control"] = "no-store"
    return response


@login_required
def inbox(request: HttpRequest) -> HttpResponse:
    """The complaints the signed-in officer may see, by their next deadline (a page of 50)."""
    principal = principal_for(request.user)
    page = get_desk().complaints(principal, lc.ComplaintQuery(limit=50))
    rows = [(view, view.summary.label(_locale())) for view in page.items]
    return render(request, "lapor_django/inbox.html", {"rows": rows, "principal": principal})
