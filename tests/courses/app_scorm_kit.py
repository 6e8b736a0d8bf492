"""Two SCORM packages for the player's browser test, made to the shape of real exports:

    scorm12_package(path)    SCORM 1.2 as Rustici's golf examples (and coursekit's scorm12 packages): a module of
                             two units, each a SCO with its own page, and a shared script that finds `API` the way
                             SCORM Driver and Rustici's scormfunctions.js do (up window.parent, at most 500 frames,
                             then the opener's)
    scorm2004_package(path)  SCORM 2004 3rd edition, golf's "simple remediation" manifest (scorm2004kit), its SCOs'
                             pages finding `API_1484_11` the same way

Each page is a small lesson of pages: it reads cmi.core.entry / cmi.entry and the location to start where the
learner stopped, and has buttons to answer a question (an interaction), go to the next page (location, suspend
data, exit suspend), save (Commit), give an answer whose id has a space (#odd) and finish (passed with a
score, then Finish/Terminate). `body[data-lms]` says whether it found its LMS; #page and #entry show where it is,
#shown what SCORM 2004's runtime says of the item from the manifest (scaled passing score, first objective).
"""

from __future__ import annotations

import importlib
import re
from pathlib import Path

from tests.courses.courses_kit import coursekit

scorm2004kit = importlib.import_module("scorm2004kit")  # tests/hub, on the path courses_kit sets

ELEMENTS = {
    "1.2": {"api": "API", "init": "LMSInitialize", "get": "LMSGetValue", "set": "LMSSetValue", "commit": "LMSCommit",
            "finish": "LMSFinish", "entry": "cmi.core.entry", "location": "cmi.core.lesson_location",
            "exit": "cmi.core.exit", "response": "student_response", "wrong": "wrong", "shown": [],
            "done": [["cmi.core.lesson_status", "passed"], ["cmi.core.score.raw", "80"],
                     ["cmi.core.session_time", "00:05:00"], ["cmi.core.exit", ""]]},
    "2004": {"api": "API_1484_11", "init": "Initialize", "get": "GetValue", "set": "SetValue", "commit": "Commit",
             "finish": "Terminate", "entry": "cmi.entry", "location": "cmi.location", "exit": "cmi.exit",
             "response": "learner_response", "wrong": "incorrect",
             "shown": ["cmi.scaled_passing_score", "cmi.objectives.0.id"],
             "done": [["cmi.completion_status", "completed"], ["cmi.success_status", "passed"],
                      ["cmi.score.scaled", "0.8"], ["cmi.score.raw", "80"], ["cmi.score.min", "0"],
                      ["cmi.score.max", "100"], ["cmi.session_time", "PT5M"], ["cmi.exit", "normal"]]},
}

SCRIPT = """// As SCORM Driver and Rustici's scormfunctions.js find their LMS.
var E = %(elements)s;
function findAPI(win) {
  var tries = 0;
  while (win[E.api] == null && win.parent != null && win.parent != win && tries < 500) { tries++; win = win.parent; }
  return win[E.api] || null;
}
function getAPI() {
  var api = findAPI(window);
  if (api == null && window.opener != null && typeof window.opener != "undefined") api = findAPI(window.opener);
  return api;
}
var api = null, page = 1, answered = 0;
function show() { document.getElementById("page").textContent = "page-" + page; }
window.addEventListener("load", function () {
  api = getAPI();
  if (api == null) { document.body.setAttribute("data-lms", "missing"); return; }
  api[E.init]("");
  var location = api[E.get](E.location);
  if (location) page = parseInt(location.split("-")[1], 10) || 1;
  document.getElementById("entry").textContent = api[E.get](E.entry) || "(none)";
  document.getElementById("shown").textContent = E.shown.map(function (n) { return api[E.get](n); }).join(" ");
  show();
  document.body.setAttribute("data-lms", "ready");
});
function set(name, value) { return api[E.set](name, value); }
function answer() {
  var n = answered++;
  set("cmi.interactions." + n + ".id", "page" + page + "_q" + n);
  set("cmi.interactions." + n + ".type", "choice");
  set("cmi.interactions." + n + "." + E.response, "b");
  set("cmi.interactions." + n + ".result", n %% 2 ? "correct" : E.wrong);
}
function odd() {  // an interaction id with a space: SCORM 1.2's runtime takes it, a CMIIdentifier has none
  var n = answered++;
  set("cmi.interactions." + n + ".id", "page" + page + " odd");
  set("cmi.interactions." + n + ".type", "choice");
  set("cmi.interactions." + n + "." + E.response, "a");
}
function next() {
  page += 1;
  set(E.location, "page-" + page);
  set("cmi.suspend_data", "seen=" + page);
  set(E.exit, "suspend");
  show();
}
function save() { api[E.commit](""); }
function finish() {
  for (var i = 0; i < E.done.length; i++) set(E.done[i][0], E.done[i][1]);
  api[E.commit]("");
  api[E.finish]("");
  document.body.setAttribute("data-lms", "finished");
}
"""


def page(title: str, script: str) -> bytes:
    return (f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{title}</title><script src="{script}"></script></head>
<body data-lms="waiting"><h1>{title}</h1>
<p>You are on <span id="page">page-1</span>. Started as <span id="entry"></span>. <span id="shown"></span></p>
<button id="answer" onclick="answer()">Answer</button> <button id="odd" onclick="odd()">Odd answer</button>
<button id="next" onclick="next()">Next page</button>
<button id="save" onclick="save()">Save</button> <button id="finish" onclick="finish()">Finish</button>
</body></html>
""").encode()


def script(version: str) -> bytes:
    import json

    return (SCRIPT % {"elements": json.dumps(ELEMENTS[version])}).encode()


def scorm12_package(path: Path) -> dict[str, bytes]:
    files = {1: ["unit1/index.html"], 2: ["unit2/index.html"]}
    members = {"imsmanifest.xml": coursekit.scorm12_manifest("com.example.workshop-safety", "Workshop safety", 2,
                                                              files),
               "shared/scorm_api.js": script("1.2"), "shared/style.css": b"body { font-family: sans-serif; }\n"}
    for n in (1, 2):
        members[f"unit{n}/index.html"] = page(f"Unit {n}", "../shared/scorm_api.js")
    coursekit.write_zip(path, members)
    return members


def scorm2004_package(path: Path) -> dict[str, bytes]:
    # as in Rustici's real export, the content wrapper cluster is hidden (isvisible="false"): its parts are not
    manifest = scorm2004kit.THIRD_MANIFEST.replace(b'<item identifier="content_wrapper">',
                                                   b'<item identifier="content_wrapper" isvisible="false">')
    assert b'isvisible="false"' in manifest
    members = {"imsmanifest.xml": manifest, "shared/scormfunctions.js": script("2004")}
    for name in re.findall(rb'<file href="([^"]+)"', manifest):
        name = name.decode()
        if name.endswith(".html"):
            depth = name.count("/")
            members[name] = page(Path(name).stem, "../" * depth + "shared/scormfunctions.js")
    coursekit.write_zip(path, members)
    return members
