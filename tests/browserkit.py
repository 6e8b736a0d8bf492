"""Debian's Chromium for tests (driven by playwright), and axe-core's accessibility checks.

    @pytest.fixture(scope="module")          # tests/conftest.py's `browser` is this: one Chromium a file
    def browser():
        with browserkit.chromium() as chromium:
            yield chromium

    context = browserkit.new_context(browser)    # HTTPS on a test certificate; pages' CSP bypassed, for axe
    page = context.new_page()
    page.goto(url)
    browserkit.assert_accessible(page)           # fails listing each violation: rule, impact, help, where
    found = browserkit.axe_violations(page)      # or the violations themselves, as axe reports them

- chromium(): /usr/bin/chromium (Debian's package; `make test` installs it) with no network but
  loopback (CHROMIUM_ARGS). Skips the test where playwright or Chromium is not installed, as before.
- axe-core comes from npm, at the version package-lock.json names (`make test` runs `npm ci`), from
  node_modules/axe-core/axe.min.js. Where it is missing the test fails (never skips): run `make test`.
- The checks are WCAG 2.1 A and AA (WCAG_TAGS). Fix the page; do not turn rules off.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path

import pytest

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run",
                 "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1"]  # no name resolves: loopback only
AXE = Path(__file__).resolve().parent.parent / "node_modules" / "axe-core" / "axe.min.js"
WCAG_TAGS = ("wcag2a", "wcag2aa", "wcag21a", "wcag21aa")
SHOWN_TARGETS = 3  # selectors listed per violation in a failure


@contextlib.contextmanager
def chromium(args: list[str] | None = None) -> Iterator:
    """A headless Chromium (playwright's Browser) started with `args` (CHROMIUM_ARGS by default), closed afterwards
    with its driver; the test is skipped, saying why, where playwright or Debian's chromium is missing."""
    try:
        from playwright.sync_api import Error, sync_playwright
    except ImportError:
        pytest.skip("playwright's Python package is not installed: pip install -e '.[test]'")
    if not Path(CHROMIUM).exists():
        pytest.skip(f"{CHROMIUM} is missing: Debian's chromium package (make installs it)")
    driver = sync_playwright().start()
    try:
        try:
            browser = driver.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS if args is None else args,
                                            headless=True)
        except Error as exc:
            pytest.skip(f"{CHROMIUM} did not start under playwright: {str(exc).splitlines()[0]}")
        try:
            yield browser
        finally:
            browser.close()
    finally:
        driver.stop()


def new_context(browser, **options):
    """A browser context for axe checks: the test servers' certificates are accepted, and the pages'
    Content-Security-Policy is bypassed, since axe is injected as a script tag and the consoles' strict
    policy (default-src 'none') would block it. Test what a CSP enforces elsewhere, in a context without this."""
    return browser.new_context(**{"ignore_https_errors": True, "bypass_csp": True, **options})


def axe_violations(page, tags: tuple[str, ...] = WCAG_TAGS) -> list[dict]:
    """axe-core's violations on the page as it is now (each a dict: id, impact, help, helpUrl, nodes)."""
    if not AXE.exists():
        pytest.fail(f"axe-core is missing ({AXE.relative_to(AXE.parents[2])}): "
                    "run make test (it installs axe-core from package-lock.json)", pytrace=False)
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.add_script_tag(path=str(AXE))
        if not page.evaluate("() => typeof window.axe === 'object'"):
            pytest.fail("axe-core did not load in the page: its Content-Security-Policy blocked it? "
                        "Open the page in browserkit.new_context(browser) (bypass_csp=True).", pytrace=False)
    result = page.evaluate("tags => axe.run(document, {runOnly: {type: 'tag', values: tags},"
                           " resultTypes: ['violations']})", list(tags))
    return result["violations"]


def describe(violations: list[dict]) -> str:
    """One line a violation: rule id, impact, what to fix, the first few elements it found."""
    lines = []
    for v in violations:
        targets = [" ".join(map(str, node["target"])) for node in v["nodes"]]
        more = f" and {len(targets) - SHOWN_TARGETS} more" if len(targets) > SHOWN_TARGETS else ""
        lines.append(f"- {v['id']} ({v['impact']}): {v['help']}: {', '.join(targets[:SHOWN_TARGETS])}{more}"
                     f" ({v['helpUrl'].split('?')[0]})")
    return "\n".join(lines)


def assert_accessible(page, tags: tuple[str, ...] = WCAG_TAGS) -> None:
    """Fails, listing each violation (describe), when axe finds any on the page."""
    violations = axe_violations(page, tags)
    assert not violations, f"axe-core found {len(violations)} problem(s) on {page.url}:\n{describe(violations)}"
