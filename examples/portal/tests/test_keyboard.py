"""Issue 21: the submit form, the sign-in and the staff's forward form work with the keyboard alone.

Nothing is clicked: focus moves with Tab and Shift+Tab, radio buttons and selects change with the arrow keys,
check boxes with Space, buttons and links act on Enter, and text is typed. Each element that takes focus on
the way must show it (an outline or a shadow around it, and a place on the page).
"""

from __future__ import annotations

from typing import Any

import lapor_core as lc
from portal_helpers import ADMIN, submission
from test_browser import LiveServer, browser_clock, live, page, shot

__all__ = ["browser_clock", "live", "page"]

_FOCUS = """() => {
    const el = document.activeElement;
    if (!el || el === document.body) return null;
    const style = getComputedStyle(el);
    const box = el.getBoundingClientRect();
    const outlined = style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) >= 2;
    const shadowed = style.boxShadow !== 'none';
    return {
        tag: el.tagName.toLowerCase(), id: el.id, name: el.getAttribute('name') || '',
        text: (el.textContent || '').trim().slice(0, 40),
        visible: (outlined || shadowed) && box.width > 0 && box.height > 0,
    };
}"""


def focused(page: Any) -> dict[str, Any]:
    """What has the focus, and whether it shows."""
    found: dict[str, Any] | None = page.evaluate(_FOCUS)
    assert found is not None, "nothing has the focus"
    return found


def tab_to(page: Any, selector: str, *, back: bool = False, limit: int = 80) -> None:
    """Press Tab (Shift+Tab with ``back``) until ``selector`` has the focus; every stop shows its focus."""
    for _ in range(limit):
        page.keyboard.press("Shift+Tab" if back else "Tab")
        stop = focused(page)
        assert stop["visible"], f"focus not visible on {stop}"
        if page.evaluate("s => document.activeElement.matches(s)", selector):
            return
    raise AssertionError(f"{selector} never took the focus")


def choose(page: Any, value: str) -> None:
    """Pick ``value`` in the focused select with the arrow keys."""
    values: list[str] = page.evaluate("() => [...document.activeElement.options].map(o => o.value)")
    assert value in values, (value, values[:10])
    now = page.evaluate("() => document.activeElement.selectedIndex")
    steps = values.index(value) - now
    for _ in range(abs(steps)):
        page.keyboard.press("ArrowDown" if steps > 0 else "ArrowUp")
    assert page.evaluate("() => document.activeElement.value") == value


def fill_the_form(page: Any) -> None:
    """Kind by arrows, texts typed (one corrected after Shift+Tab), selects by arrows, a flag by Space."""
    tab_to(page, "input[name=kind]:checked")
    first = page.evaluate("() => document.activeElement.value")
    page.keyboard.press("ArrowDown")
    assert page.evaluate("() => document.activeElement.value") != first
    page.keyboard.press("ArrowUp")
    assert page.evaluate("() => document.querySelector('input[name=kind]:checked').value") == first
    tab_to(page, "#title")
    page.keyboard.type("Saluran air tersumbat")
    tab_to(page, "#body")
    page.keyboard.type("Air meluap ke rumah warga setiap hujan.")
    tab_to(page, "#title", back=True)
    page.keyboard.press("End")
    page.keyboard.type(" parah")
    tab_to(page, "#topic")
    choose(page, "drainage-flooding")
    tab_to(page, "#province")
    choose(page, "31")
    page.wait_for_selector("#regency option[value='31.71']", state="attached")
    tab_to(page, "#regency")
    choose(page, "31.71")
    page.wait_for_selector("#district option[value='31.71.01']", state="attached")
    tab_to(page, "#district")
    choose(page, "31.71.01")
    tab_to(page, "#lat")
    page.keyboard.type("-6.1754")
    tab_to(page, "#lon")
    page.keyboard.type("106.8272")
    tab_to(page, "input[name=anonymous]")
    page.keyboard.press("Space")
    assert page.is_checked("input[name=anonymous]")
    tab_to(page, "#name")
    page.keyboard.type("Siti Rahayu")


def test_a_report_is_sent_with_the_keyboard_alone(
    live: tuple[LiveServer, lc.ComplaintDesk], page: Any
) -> None:
    """The whole form by keys, then the receipt: Space confirms the key is saved, Enter goes on."""
    server, desk = live
    page.goto(f"{server.url}/lapor")
    fill_the_form(page)
    shot(page, "21-keyboard-submit")
    tab_to(page, "#submit-form button.primary")
    page.keyboard.press("Enter")
    page.wait_for_selector("#tracking-id")
    tracking_id = page.text_content("#tracking-id") or ""
    tab_to(page, "#saved")
    page.keyboard.press("Space")
    tab_to(page, "#continue")
    page.keyboard.press("Enter")
    page.wait_for_url("**/lacak?**")
    stored = desk.view(ADMIN, tracking_id)
    assert stored.title == "Saluran air tersumbat parah"
    assert stored.category == "drainage-flooding"
    assert stored.location is not None
    assert stored.location.region == "31.71.01"
    assert stored.anonymous


def test_staff_sign_in_and_forward_with_the_keyboard_alone(
    live: tuple[LiveServer, lc.ComplaintDesk], page: Any
) -> None:
    """The admin signs in by Enter on their account, opens a complaint by Enter, forwards it by arrows."""
    server, desk = live
    tracking_id = desk.submit(submission(title="Lampu mati", location={"region": "31.71"})).tracking_id
    page.goto(f"{server.url}/masuk")
    tab_to(page, "button[data-account='admin-demo']")
    page.keyboard.press("Enter")
    page.wait_for_url("**/staf/verifikasi")
    tab_to(page, f"a[href='/staf/pengaduan/{tracking_id}']")
    page.keyboard.press("Enter")
    page.wait_for_url(f"**/staf/pengaduan/{tracking_id}")
    tab_to(page, "#institution")
    choose(page, "31.71")
    tab_to(page, "#forward button.primary")
    shot(page, "21-keyboard-forward")
    page.keyboard.press("Enter")
    page.wait_for_url("**/staf/verifikasi")
    forwarded = desk.view(ADMIN, tracking_id)
    assert forwarded.status is lc.Status.FORWARDED
    assert forwarded.institution == "31.71"


def test_the_focus_check_catches_a_hidden_outline(
    live: tuple[LiveServer, lc.ComplaintDesk], page: Any
) -> None:
    """The check is not empty: with outlines removed, the first Tab stop is reported as not visible."""
    server, _ = live
    page.goto(f"{server.url}/lacak")
    page.evaluate(
        """() => { const s = new CSSStyleSheet(); s.replaceSync('* { outline: none !important; }');
                   document.adoptedStyleSheets = [s]; }"""
    )
    page.keyboard.press("Tab")
    assert focused(page)["visible"] is False
