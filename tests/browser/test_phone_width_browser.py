"""Every non-admin HTML page of the permission matrix, opened once at 390 px (a phone) by a role
that may open it, fits the screen: the document is no wider than the viewport, no element's right
edge lies beyond it, and nothing is hidden by overflow:hidden on html or body."""
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client

from tests.security.test_permission_matrix import ROLES, TABLE, _url, build_world

pytestmark = [pytest.mark.browser]
SHOTS = Path(__file__).resolve().parents[2] / "test-results" / "phone"
WIDTH = 390

# Run in the page: what sticks out of the viewport (a few examples are enough to find the culprit).
OVERFLOW = """(width) => {
  const root = document.documentElement, out = [];
  if (root.scrollWidth > width) out.push(`document scrollWidth ${root.scrollWidth}`);
  for (const node of [root, document.body]) {
    const style = getComputedStyle(node);
    if ([style.overflow, style.overflowX].includes("hidden")) out.push(`overflow hidden on ${node.tagName}`);
  }
  for (const el of document.body.querySelectorAll("*")) {
    const box = el.getBoundingClientRect();
    if (box.width > 0 && box.right > width + 0.5) {
      out.push(`${el.tagName.toLowerCase()}${el.id ? "#" + el.id : ""}.${String(el.className).trim().replace(/\\s+/g, ".")} right=${Math.round(box.right)}`);
    }
  }
  return out.slice(0, 8);
}"""


def _pages(world):
    """(url, role) for every non-admin URL of the matrix that some non-admin role opens with 200,
    the first such role and owner; only pages answering HTML."""
    chosen, seen = [], set()
    for r in TABLE:
        if r.name.startswith("admin:") or r.label in seen:
            continue
        for owner, cells in r.get.items():
            outcomes = cells.split()
            role = next((role for role, out in zip(ROLES, outcomes) if out == "200" and role not in ("admin",)), None)
            if role is None:
                continue
            url = _url(world, r, owner)
            client = Client()
            if role != "anon":
                client.force_login(world.users[role])
            response = client.get(url)
            if response.status_code == 200 and response["Content-Type"].startswith("text/html"):
                chosen.append((r.label, url, role))
                seen.add(r.label)
                break
    return chosen


def test_every_page_of_an_officer_reviewer_or_leader_fits_a_390_px_phone(transactional_db, live_server, page):
    world = build_world()
    pages = _pages(world)
    assert len(pages) >= 15, pages
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.set_viewport_size({"width": WIDTH, "height": 844})
    problems = {}
    for label, url, role in pages:
        page.context.clear_cookies()
        if role != "anon":
            client = Client()
            client.force_login(world.users[role])
            page.context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "url": live_server.url,
                                       "value": client.cookies[settings.SESSION_COOKIE_NAME].value}])
        page.goto(live_server.url + url)
        page.wait_for_load_state()
        found = page.evaluate(OVERFLOW, WIDTH)
        if found:
            problems[f"{label} as {role}"] = found
            page.screenshot(path=str(SHOTS / f"{label.replace(':', '-')}-{role}.png"), full_page=True)
    assert not problems, "\n".join(f"{k}: {v}" for k, v in problems.items())
