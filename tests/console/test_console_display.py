"""What staff read on the pages: times and sizes as people write them, empty states that say what to
do next, a title per page, a label for every field, and error pages in plain words."""

from __future__ import annotations

import re
from dataclasses import replace
from html.parser import HTMLParser

import pytest

from edge.console import accounts
from edge.console.app import create_app
from tests.console.consolekit import Visitor, submission

TIME = re.compile(r'<time datetime="(\d{4}-\d\d-\d\dT[\d:.]+Z)" title="\1">(\d{1,2} \w{3} \d{4}, \d\d:\d\d)</time>')


class _Fields(HTMLParser):
    """The page's form fields (but hidden ones) with whether each has a label, and its <title>."""

    def __init__(self):
        super().__init__()
        self.fields: list[tuple[str, bool]] = []
        self.label_for: set[str] = set()
        self.in_label = 0
        self.title, self._in_title = "", False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "label":
            self.in_label += 1
            if attrs.get("for"):
                self.label_for.add(attrs["for"])
        elif tag in ("input", "select", "textarea") and attrs.get("type") != "hidden":
            self.fields.append((attrs.get("id") or attrs.get("name", "?"), self.in_label > 0))
        elif tag == "title":
            self._in_title = True

    def handle_endtag(self, tag):
        if tag == "label":
            self.in_label -= 1
        elif tag == "title":
            self._in_title = False

    def handle_data(self, data):
        if self._in_title:
            self.title += data

    def unlabelled(self) -> list[str]:
        return [name for name, wrapped in self.fields if not wrapped and name not in self.label_for]


def _parsed(page: str) -> _Fields:
    parser = _Fields()
    parser.feed(page)
    return parser


def test_the_queue_shows_received_times_as_staff_read_them_oldest_first(app, staff):
    older = submission("L-A1", received="2026-11-20T08:05:00.000Z")
    newer = submission("L-A1", received="2026-11-26T14:30:59.999Z")
    page = staff["tina"].get("/submissions/").get_data(as_text=True)
    shown = TIME.findall(page)
    assert ("2026-11-20T08:05:00.000Z", "20 Nov 2026, 08:05") in shown
    assert ("2026-11-26T14:30:59.999Z", "26 Nov 2026, 14:30") in shown
    assert page.index(older) < page.index(newer) and "oldest first" in page
    assert "Times are shown in UTC." in page and "days" in page  # how long the older one has waited


def test_times_are_shown_in_the_zone_the_edge_is_set_to(kit, app):
    london = create_app(replace(kit.config, console=replace(kit.config.console, time_zone="Europe/London")))
    summer = submission("L-A1", received="2026-07-01T12:00:00.000Z")  # British Summer Time: UTC+1
    visitor = Visitor(london)
    assert visitor.login("tina").status_code == 302
    page = visitor.get(f"/submissions/{summer}").get_data(as_text=True)
    assert ("2026-07-01T12:00:00.000Z", "1 Jul 2026, 13:00") in TIME.findall(page)
    assert "Times are shown in Europe/London." in page


def test_a_submission_whose_time_cannot_be_converted_still_opens_and_can_be_marked(app, staff):
    """An older edge took `created = 0001-01-01T00:00:00.000+01:00` from a tablet (intake now refuses it);
    its page gave a 500, so the tutor could neither read nor mark it."""
    odd = submission("L-A1", created="0001-01-01T00:00:00.000+01:00")
    tutor = staff["tina"]
    assert odd in tutor.get("/submissions/").get_data(as_text=True)

    page = tutor.get(f"/submissions/{odd}")

    assert page.status_code == 200
    assert "0001-01-01T00:00:00.000+01:00" in page.get_data(as_text=True)
    marked = tutor.post(f"/submissions/{odd}/mark", {"grade": "Merit", "feedback": "Well argued."})
    assert marked.status_code == 302
    assert odd in tutor.get("/submissions/?state=marked").get_data(as_text=True)


def test_health_shows_the_outbox_in_mib_not_bytes(app, staff):
    page = staff["ivan"].get("/health/").get_data(as_text=True)
    assert re.search(r"<td>[\d.]+ (bytes|KiB|MiB) of 256 MiB \((under 1|\d+) % full\)</td>", page), page


def test_a_tutor_without_a_class_is_told_how_to_get_one(app):
    visitor = Visitor(app, address="10.8.0.1")
    accounts.add_staff("nell", "tutor", "a long staff passphrase", [])
    assert visitor.login("nell", "a long staff passphrase").status_code == 302
    for path in ("/submissions/", "/progress/"):
        page = visitor.get(path).get_data(as_text=True)
        assert "not a tutor of any class yet" in page and "classes assign" in page and "--tutor nell" in page


def test_empty_lists_say_what_happens_next(app, staff):
    marked = staff["tom"].get("/submissions/?state=marked").get_data(as_text=True)
    assert "No marked submissions from your learners yet" in marked and "waiting list" in marked


@pytest.mark.parametrize(("user", "paths"), [
    ("mary", ("/submissions/", "/submissions/?state=marked", "/progress/", "/progress/class/A",
              "/progress/learner/L-A1", "/courses/", "/rewards/", "/tablets/", "/health/")),
    ("tina", ("/submissions/", "/progress/", "/rewards/"))])
def test_every_page_has_its_own_title_and_every_field_a_label(app, staff, user, paths):
    pages = [staff[user].get(path).get_data(as_text=True) for path in paths]
    pages.append(staff[user].get(f"/submissions/{submission('L-A1')}").get_data(as_text=True))
    titles = [_parsed(page).title for page in pages]
    assert len(set(titles)) == len(titles), titles
    for path, page in zip((*paths, "submission"), pages, strict=True):
        assert _parsed(page).unlabelled() == [], path
    login = Visitor(app, address="10.8.0.2").get("/login").get_data(as_text=True)
    assert _parsed(login).unlabelled() == []


def test_a_submissions_title_names_the_assignment_and_learner(app, staff):
    page = staff["tina"].get(f"/submissions/{submission('L-A1')}").get_data(as_text=True)
    assert re.search(r"<title>essay-\w+ from L-A1 · Throughgate console</title>", page)


@pytest.mark.parametrize(("user", "path", "status", "said"), [
    ("tina", "/submissions/no-such-record", 404, "Go back, or start again from the menu above."),
    ("tina", "/progress/learner/L-B1", 403, "ask the education manager"),
    ("ivan", "/submissions/", 403, "Your role does not give access to this page")])
def test_error_pages_say_what_happened_and_what_to_do(app, staff, user, path, status, said):
    response = staff[user].get(path)
    page = response.get_data(as_text=True)
    assert response.status_code == status and said in page and f"Error {status}" in page
    assert "Log out" in page  # the staff member still sees they are logged in, with the menu


def test_a_refused_form_says_nothing_was_saved_and_to_reload(app, staff):
    response = staff["tina"].post(f"/submissions/{submission('L-A1')}/mark", {"grade": "A", "feedback": "Fine."},
                                  csrf="stale")
    page = response.get_data(as_text=True)
    assert response.status_code == 400 and "This form has expired" in page and "Nothing was saved" in page
    assert "reload the page" in page and "tina (tutor)" in page


def test_a_form_too_large_is_refused_in_plain_words(app, staff):
    response = staff["tina"].post(f"/submissions/{submission('L-A1')}/mark",
                                  {"grade": "A", "feedback": "x" * 70_000})
    page = response.get_data(as_text=True)
    assert response.status_code == 413 and "Too long to send" in page and "shorten the text" in page


def test_the_stylesheet_wraps_long_words_and_shows_keyboard_focus(app, staff):
    css = staff["tina"].get("/static/console.css").get_data(as_text=True)
    assert "overflow-wrap: anywhere" in css and ":focus-visible" in css


def test_a_refused_mark_shows_the_feedback_typed_so_it_is_not_lost(app, staff):
    feedback = "A careful answer.\nNext time, show each step <b>of</b> the working."
    page = staff["tina"].post(f"/submissions/{submission('L-A1')}/mark", {"grade": "Merit", "feedback": feedback},
                              csrf="stale").get_data(as_text=True)
    assert "What you typed" in page and "A careful answer.\nNext time, show each step &lt;b&gt;of&lt;/b&gt;" in page
    assert ">Merit</textarea>" in page and "stale" not in page
    anonymous = Visitor(app, address="10.8.0.3").post("/login", {"username": "tina", "password": "secret words"},
                                                      csrf="stale").get_data(as_text=True)
    assert "What you typed" not in anonymous and "secret words" not in anonymous


def test_a_refused_enrolment_or_rule_keeps_what_was_typed(app, staff):
    page = staff["mary"].post("/tablets/code", {"device": "Tab 9", "learner": "L-A1"}).get_data(as_text=True)
    assert 'name="device" value="Tab 9"' in page and 'name="learner" value="L-A1"' in page
    page = staff["mary"].post("/rewards/rules", {"badge": "Ace", "measure": "score", "threshold": "120",
                                                 "course": "maths-1"}).get_data(as_text=True)
    assert "Score: a percentage above 0, at most 100." in page and 'name="badge" maxlength="60" value="Ace"' in page
    assert '<option value="score" selected>' in page and 'value="120"' in page and 'value="maths-1"' in page


def test_an_unexpected_failure_says_to_try_again_and_tell_it_staff(app):
    with app.test_request_context("/health/", base_url="https://console.test"):
        response = app.handle_exception(RuntimeError("the disk went away"))
    page = response.get_data(as_text=True)
    assert response.status_code == 500 and "Something went wrong" in page and "tell IT staff" in page
    assert "the disk went away" not in page  # the detail goes to the log, not to the page
