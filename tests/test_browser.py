"""The built site in a real browser: Debian's Chromium driven by Playwright (no browser
download) against the site served on localhost. Screenshots are kept in _build/screenshots/."""

import functools
import threading
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer

import pytest

from conftest import PHONE_CONTENT_PX, ROOT
from pcpbook.build import printing

sync_api = pytest.importorskip("playwright.sync_api")

pytestmark = [pytest.mark.slow,
              pytest.mark.skipif(printing.find_chromium() is None,
                                 reason=f"browser tests need Chromium: {printing.CHROMIUM_HINT}")]

SHOTS = ROOT / "_build" / "screenshots"
EDITIONS = {"2020-21-Q1": ("2016-2021", 7), "2020-21-Q4": ("2016-2021", 7), "2023-24-Q2": ("2021-2024", 12)}


class QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def base_url(site):
    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(QuietHandler, directory=str(site)))
    threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="module")
def browser():
    with sync_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=printing.find_chromium(),
                                              args=["--no-sandbox", "--disable-gpu"])
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser):
    """A page that records console errors and uncaught exceptions in ``page.problems``."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    tab = context.new_page()
    tab.problems = []
    tab.on("console", lambda message: message.type == "error" and tab.problems.append(
        f"{message.text} ({message.location.get('url')})"))
    tab.on("pageerror", lambda error: tab.problems.append(str(error)))
    yield tab
    context.close()


def shoot(page, name):
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=False)


def test_the_landing_page_lists_every_edition(page, base_url):
    asked = []
    page.on("request", lambda request: asked.append(request.url))
    page.goto(base_url + "/")
    links = page.locator("a").evaluate_all("links => links.map(a => a.textContent.trim())")
    for label in ("Quarterly update 2020/21 Q1", "Quarterly update 2020/21 Q4", "Quarterly update 2023/24 Q2"):
        assert label in links
    page.get_by_role("link", name="Quarterly update 2020/21 Q4").click()
    page.wait_for_url("**/2020-21-Q4/chapters/intro.html")  # the edition index redirects to its intro
    assert "quarterly update 2020/21 Q4" in page.title()
    shoot(page, "landing")
    assert not page.problems, "\n".join(page.problems)
    assert not [url for url in asked if url.endswith("/favicon.ico")]  # every page, redirects too, names its icon


def test_an_earlier_edition_says_in_plain_words_which_is_the_latest(page, base_url):
    page.goto(base_url + "/2020-21-Q1/chapters/intro.html")
    note = page.locator(".pcp-newer-edition")
    sync_api.expect(note).to_have_text("You are reading an earlier edition. The latest is the 2023/24 Q2 update of "
                                       "the Police and Crime Plan 2021-2024.")
    note.get_by_role("link").click()
    page.wait_for_url("**/2023-24-Q2/**")
    sync_api.expect(page.locator(".pcp-newer-edition")).to_have_count(0)  # the latest says nothing
    assert "stable version" not in page.content()
    assert not page.problems, "\n".join(page.problems)


def test_the_version_switcher_moves_between_two_editions_keeping_the_page(page, base_url):
    page.goto(base_url + "/2020-21-Q4/chapters/2016-2021/p03.html")
    switcher = page.locator("button.version-switcher__button").first
    # the theme's script names the version once switcher.json has loaded: wait for it, not just the button
    sync_api.expect(switcher).to_contain_text("2020/21 Q4")
    switcher.click()
    page.locator(".version-switcher__menu a", has_text="2020/21 Q1").first.click()
    page.wait_for_url("**/2020-21-Q1/chapters/2016-2021/p03.html")
    sync_api.expect(switcher).to_contain_text("2020/21 Q1")
    assert "2020/21 Q1" in page.locator("article").inner_text()
    shoot(page, "switched-to-2020-21-Q1")
    assert not page.problems, "\n".join(page.problems)


def opened(browser, address: str, width: int):
    """A tab of its own at ``width`` CSS pixels with ``address`` loaded (close its context after)."""
    tab = browser.new_context(viewport={"width": width, "height": 900}).new_page()
    tab.goto(address)
    tab.wait_for_load_state("load")
    return tab


READ_ON_A_PHONE_AND_A_DESKTOP = ["2020-21-Q4/chapters/intro.html", "2020-21-Q4/chapters/2016-2021/p01.html",
                                 "2020-21-Q4/chapters/compare.html", "closure-2016-2021/chapters/closure/2016-2021/summary.html"]


@pytest.mark.parametrize("width", [390, 1366])
@pytest.mark.parametrize("address", READ_ON_A_PHONE_AND_A_DESKTOP)
def test_nothing_scrolls_sideways_on_a_phone_or_a_desktop(browser, base_url, address, width):
    tab = opened(browser, f"{base_url}/{address}", width)
    overflow = tab.evaluate("""() => ({
        page: document.documentElement.scrollWidth - document.documentElement.clientWidth,
        tables: [...document.querySelectorAll('article table')].filter(table => {
            const frame = table.closest('.pst-scrollable-table-container') || table.parentElement;
            return table.scrollWidth > frame.clientWidth + 1;
        }).map(table => table.querySelector('th, td').textContent.trim()),
        count: document.querySelectorAll('article table').length})""")
    shoot(tab, f"{address.replace('/', '_').removesuffix('.html')}-{width}")
    tab.context.close()
    assert overflow["count"] > 0 and overflow["page"] <= 0 and overflow["tables"] == [], overflow


EVERY_KIND_OF_PAGE = ["index.html", "accessibility.html", "2020-21-Q4/chapters/intro.html",
                      "2020-21-Q4/chapters/changes.html", "2020-21-Q4/chapters/2016-2021/p01.html",
                      "2020-21-Q4/chapters/2016-2021/p07.html", "2020-21-Q4/chapters/compare.html",
                      "2020-21-Q4/chapters/methods.html", "2020-21-Q4/chapters/sources.html",
                      "2020-21-Q4/chapters/build.html",
                      "2020-21-Q1/chapters/intro.html",  # an earlier edition, with its note naming the latest
                      "closure-2016-2021/chapters/closure/2016-2021/summary.html",
                      "closure-2016-2021/chapters/closure/2016-2021/p01.html",
                      "closure-2016-2021/chapters/closure/2016-2021/register.html",
                      "closure-2016-2021/chapters/closure/2016-2021/sources.html"]
WCAG_22_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]


@pytest.mark.parametrize("width", [390, 1366])
@pytest.mark.parametrize("address", EVERY_KIND_OF_PAGE)
def test_no_page_has_a_serious_or_critical_accessibility_fault(browser, base_url, address, width):
    from axe_playwright_python.sync_playwright import Axe
    tab = opened(browser, f"{base_url}/{address}", width)
    found = Axe().run(tab, options={"runOnly": {"type": "tag", "values": WCAG_22_AA}}).response["violations"]
    tab.context.close()
    faults = [f"{v['impact']} {v['id']}: {v['nodes'][0]['html'][:120]}" for v in found]
    assert not [v for v in found if v["impact"] in ("serious", "critical")], "\n".join(faults)


# The images a reader of the page sees (a chart's other layout is hidden), each loaded now
# rather than when scrolled to: [class, loaded, natural width, natural height, shown width, alt].
SHOWN_IMAGES = """async () => {
    const shown = [...document.querySelectorAll('article img')].filter(image => image.checkVisibility());
    await Promise.all(shown.map(image => { image.loading = 'eager'; return image.decode().catch(() => null); }));
    return shown.map(i => [i.className, i.complete, i.naturalWidth, i.naturalHeight,
                           i.getBoundingClientRect().width, i.alt]);
}"""


@pytest.mark.parametrize("width, layout", [(390, "pcp-phone"), (1366, "pcp-wide")])
def test_a_phone_shows_each_chart_in_its_phone_layout_at_full_size(browser, base_url, width, layout):
    tab = opened(browser, f"{base_url}/2020-21-Q4/chapters/2016-2021/p01.html", width)
    charts = [image for image in tab.evaluate(SHOWN_IMAGES) if "pcp-" in image[0]]
    tab.context.close()
    assert len(charts) >= 4 and all(layout in image[0] and image[1] for image in charts), charts
    if layout == "pcp-phone":  # shown no smaller than test_phone_charts assumes, so its words are body-text size
        assert all(shown >= min(natural, PHONE_CONTENT_PX) for _, _, natural, _, shown, _ in charts), charts


@pytest.mark.parametrize("quarter", EDITIONS)
def test_every_chapter_shows_its_charts_and_commitments_table(page, base_url, quarter):
    plan, priorities = EDITIONS[quarter]
    for number in range(1, priorities + 1):
        page.goto(f"{base_url}/{quarter}/chapters/{plan}/p{number:02d}.html", wait_until="load")
        sizes = page.evaluate(SHOWN_IMAGES)
        assert sizes, (quarter, number)
        for _, complete, width, height, _, alt in sizes:
            assert complete and width > 0 and height > 0, (quarter, number, alt)
            assert alt.strip(), (quarter, number)
        table = page.locator("table.pcp-commitments")
        assert table.count() == 1 and table.locator("tbody tr").count() >= 1, (quarter, number)
        assert table.locator("thead th").count() == 5
        if number == 1:
            shoot(page, f"{quarter}-p01")
    assert not page.problems, "\n".join(page.problems)


def test_search_finds_a_measure_by_name(page, base_url):
    page.goto(base_url + "/2023-24-Q2/search.html?q=burglary")
    results = page.locator("#search-results ul.search li a")
    results.first.wait_for(state="attached", timeout=15_000)
    titles = results.evaluate_all("links => links.map(a => a.textContent)")
    assert any("Priority 1" in title for title in titles), titles
    shoot(page, "search-burglary")
    assert not page.problems, "\n".join(page.problems)
