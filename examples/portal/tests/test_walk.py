"""Issue 21: every role walks every page it has, on a desktop and on a phone, in Chromium.

The portal runs on the demonstration data (``lapor_portal.seed``). Each role signs in as a person would (the
sign-in page's buttons, or the tracking form with a tracking ID and access key) and opens each of its pages at
1280x800 and at 390x844. On every page: the answer is not an error, nothing is logged to the console as an
error, the page does not scroll sideways on the phone, and no word of the fixed English list shows
(``test_indonesian_pages``). Each page is saved as ``build/screenshots/walk-<role>-<page>-<size>.png``.

The Swagger and ReDoc pages (``/docs``, ``/redoc``) are left out: they load their scripts from a CDN.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from fastapi.responses import HTMLResponse
from fastapi.routing import APIRoute

import lapor_core as lc
from lapor_core.stores.memory import InMemoryPollStore
from lapor_core.testing import FrozenClock
from lapor_portal import PortalSettings, create_app, portal_of, web
from lapor_portal.accounts import DEMO_ACCOUNTS
from lapor_portal.seed import SeedReport, seed
from portal_helpers import ADMIN, OPEN311_KEY, PEPPER, START, TOKENS, submission
from test_browser import CHROMIUM_ARGS, SCREENSHOTS, LiveServer, _chromium
from test_browser_layout import OVERFLOW
from test_indonesian_pages import english_words

SIZES = {"desktop": {"width": 1280, "height": 800}, "phone": {"width": 390, "height": 844}}


@dataclass(frozen=True)
class Visit:
    """One page of a role's walk.

    Attributes:
        name: The page's name in the screenshot's file name.
        path: The page's path; with ``follow``, the page whose link leads to it.
        follow: A CSS selector of links on ``path``: the walk opens the ``nth`` one's target.
        nth: Which of the ``follow`` links (0 is the first).
    """

    name: str
    path: str
    follow: str | None = None
    nth: int = 0


@dataclass(frozen=True)
class Role:
    """Who walks, and the pages they have.

    Attributes:
        account: The demonstration account signed in with the sign-in page's button; None for nobody.
        receipt_of: For a reporter: the status of the seeded complaint whose receipt signs them in.
        visits: The pages, in order.
    """

    account: str | None
    visits: tuple[Visit, ...]
    receipt_of: lc.Status | None = None


_PUBLIC = (
    Visit("beranda", "/"),
    Visit("lapor", "/lapor"),
    Visit("daftar", "/pengaduan"),
    Visit("aduan", "/pengaduan", follow="main a[href^='/pengaduan/']"),
    Visit("lacak", "/lacak"),
    Visit("jajak-pendapat", "/jajak-pendapat"),
    Visit("jajak-pendapat-1", "/jajak-pendapat", follow="main a[href^='/jajak-pendapat/']"),
    Visit("jajak-pendapat-2", "/jajak-pendapat", follow="main a[href^='/jajak-pendapat/']", nth=1),
)
_COMPLAINT_LINK = "main a[href^='/staf/pengaduan/']"
ROLES: dict[str, Role] = {
    "publik": Role(None, (*_PUBLIC, Visit("masuk", "/masuk"))),
    "warga": Role(
        "warga-demo",
        (
            *_PUBLIC,
            Visit("laporan-saya", "/laporan-saya"),
            Visit("laporan-saya-1", "/laporan-saya", follow="main a[href^='/laporan-saya/']"),
        ),
    ),
    "pelapor": Role(
        None,
        (Visit("laporan", "/lacak/{tracking_id}"), Visit("lapor", "/lapor"), Visit("beranda", "/")),
        receipt_of=lc.Status.FOLLOWED_UP,
    ),
    "pelapor-selesai": Role(None, (Visit("laporan", "/lacak/{tracking_id}"),), receipt_of=lc.Status.CLOSED),
    "instansi": Role(
        "pemkot-jakpus",
        (
            Visit("kotak-masuk", "/staf/kotak-masuk"),
            Visit("aduan", "/staf/kotak-masuk", follow=_COMPLAINT_LINK),
            Visit("jajak-pendapat", "/staf/jajak-pendapat"),
            Visit("daftar", "/pengaduan"),
        ),
    ),
    "unit": Role(
        "dinas-pu-jakpus",
        (
            Visit("kotak-masuk", "/staf/kotak-masuk"),
            Visit("aduan", "/staf/kotak-masuk", follow=_COMPLAINT_LINK),
        ),
    ),
    "admin": Role(
        "admin-demo",
        (
            Visit("verifikasi", "/staf/verifikasi"),
            Visit("aduan-baru", "/staf/verifikasi", follow=_COMPLAINT_LINK),
            Visit("pengawasan", "/staf/pengawasan"),
            Visit("aduan-di-instansi", "/staf/pengawasan", follow=_COMPLAINT_LINK),
            Visit("ombudsman", "/staf/ombudsman"),
            Visit("dasbor", "/staf/dasbor"),
        ),
    ),
    "ombudsman": Role(
        "ombudsman-demo",
        (
            Visit("pengawasan", "/staf/pengawasan"),
            Visit("aduan", "/staf/pengawasan", follow=_COMPLAINT_LINK),
            Visit("ombudsman", "/staf/ombudsman"),
            Visit("dasbor", "/staf/dasbor"),
        ),
    ),
}
"""Every role and its pages (routes in ``lapor_portal/web``; the API answers JSON and XML, not pages)."""


@dataclass(frozen=True)
class Site:
    """The seeded portal, served."""

    url: str
    report: SeedReport


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    folder = tmp_path_factory.mktemp("walk")
    url = f"sqlite:///{folder / 'portal.db'}"
    polls = InMemoryPollStore()
    report = seed(url, pepper=PEPPER, now=START, poll_store=polls)
    settings = PortalSettings(
        api_tokens=TOKENS, open311_api_keys={OPEN311_KEY}, sweep_seconds=None, tile_url=None
    )
    app = create_app(url, pepper=PEPPER, clock=FrozenClock(START), settings=settings, poll_store=polls)
    desk = portal_of(app).desk
    citizen = next(a for a in DEMO_ACCOUNTS if a.role is lc.Role.CITIZEN).principal()
    mine = desk.submit(submission(title="Trotoar rusak", location={"region": "31.71"}), citizen)
    desk.forward(ADMIN, mine.tracking_id, institution="31.71")  # the seed has no citizen's own report
    with LiveServer(app) as server:
        yield Site(server.url, report)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    executable = _chromium()
    from playwright.sync_api import sync_playwright

    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS, headless=True)
        try:
            yield launched
        finally:
            launched.close()


class Tab:
    """A browser page in a fresh context that records console errors and uncaught exceptions."""

    def __init__(self, browser: Any, size: dict[str, int]) -> None:
        self.context = browser.new_context(viewport=size, locale="id-ID")  # Accept-Language: id-ID
        self.context.set_default_timeout(15_000)
        self.page = self.context.new_page()
        self.errors: list[str] = []
        self.page.on("console", self._console)
        self.page.on("pageerror", lambda error: self.errors.append(f"uncaught: {error}"))

    def _console(self, message: Any) -> None:
        if message.type == "error":
            self.errors.append(f"console: {message.text} ({message.location.get('url', '')})")


@pytest.fixture
def tab_factory(browser: Any) -> Iterator[Any]:
    opened: list[Tab] = []

    def open_tab(size: str) -> Tab:
        tab = Tab(browser, SIZES[size])
        opened.append(tab)
        return tab

    yield open_tab
    for tab in opened:
        tab.context.close()


def sign_in(page: Any, site: Site, role: Role) -> str:
    """Sign in as ``role`` the way a person does; the reporter's tracking ID, or an empty string."""
    if role.account is not None:
        page.goto(f"{site.url}/masuk")
        page.click(f"button[data-account='{role.account}']")
        page.wait_for_load_state()
        return ""
    if role.receipt_of is None:
        return ""
    receipt = site.report.receipt(role.receipt_of)
    page.goto(f"{site.url}/lacak")
    page.fill("#reporter-id", receipt.tracking_id)
    page.fill("#access-key", receipt.access_key)
    page.click("#reporter-form button")
    page.wait_for_url(f"**/lacak/{receipt.tracking_id}")
    return receipt.tracking_id


def open_visit(page: Any, site: Site, visit: Visit, tracking_id: str) -> Any:
    """Open the page of ``visit`` (following its link if it has one); the HTTP answer."""
    answer = page.goto(site.url + visit.path.format(tracking_id=tracking_id))
    if visit.follow is not None:
        links = page.locator(visit.follow)
        assert links.count() > visit.nth, f"{visit.name}: no link {visit.follow} on {visit.path}"
        target = links.nth(visit.nth).get_attribute("href")
        answer = page.goto(site.url + target)
    page.wait_for_load_state("networkidle")  # the maps fetch their data after the load
    return answer


def walk(tab: Tab, site: Site, role_name: str) -> Iterator[tuple[Visit, Any]]:
    """Sign in as the role and open each of its pages; yields each visit and its HTTP answer."""
    role = ROLES[role_name]
    tracking_id = sign_in(tab.page, site, role)
    for visit in role.visits:
        tab.errors.clear()
        yield visit, open_visit(tab.page, site, visit, tracking_id)


@pytest.mark.parametrize("size", list(SIZES))
@pytest.mark.parametrize("role_name", list(ROLES))
def test_every_page_of_every_role_reads_well(site: Site, tab_factory: Any, role_name: str, size: str) -> None:
    """No error answer, no console error, no sideways scrolling on a phone, no English; a screenshot each."""
    tab = tab_factory(size)
    problems: dict[str, list[str]] = {}
    seen = 0
    for visit, answer in walk(tab, site, role_name):
        found: list[str] = []
        if answer is None or answer.status >= 400:
            found.append(f"HTTP {None if answer is None else answer.status}")
        found.extend(tab.errors)
        if size == "phone" and (overflow := tab.page.evaluate(OVERFLOW)) > 0:
            found.append(f"{overflow} px wider than the phone")
        if words := english_words(tab.page.content()):
            found.append(f"English: {sorted(words)}")
        if found:
            problems[visit.name] = found
        tab.page.screenshot(
            path=str(SCREENSHOTS / f"walk-{role_name}-{visit.name}-{size}.png"), full_page=True
        )
        seen += 1
    assert seen == len(ROLES[role_name].visits)
    assert problems == {}


def test_the_walk_covers_every_page_route() -> None:
    """Each page route of the portal's web modules (GET, answering HTML) is opened by a role of the walk."""
    modules = (
        importlib.import_module(f"lapor_portal.web.{m.name}") for m in pkgutil.iter_modules(web.__path__)
    )
    pages = {
        route.path
        for module in modules
        for route in getattr(getattr(module, "router", None), "routes", ())
        if isinstance(route, APIRoute)
        and "GET" in (route.methods or ())
        and route.response_class is HTMLResponse
    }
    walked = {visit.path for role in ROLES.values() for visit in role.visits}
    followed = {
        "/pengaduan/{tracking_id}",
        "/jajak-pendapat/{poll_id}",
        "/staf/pengaduan/{tracking_id}",
        "/laporan-saya/{tracking_id}",
        "/lacak/{tracking_id}",
    }
    assert len(pages) > 15
    assert pages - walked - followed == set()
