"""XLSForms read into the field list the app renders from (pyxform's XForm beside it), forms the hub cannot
check refused with the row and the type named, and every field type's values checked: a bad value is refused
with the field named, a doubtful GPS fix accepted and flagged. Pure functions: no server."""

from __future__ import annotations

import io
import zipfile
from datetime import date

import pytest
from formkit import xlsform

from hub.forms import fields
from hub.forms import xlsform as reader

TODAY = date(2027, 1, 20)
SHA = "a" * 64


@pytest.fixture(scope="module")
def form():
    return reader.read(xlsform())


def by_path(definition) -> dict:
    return {f["path"]: f for f in definition.fields}


def test_an_xlsform_becomes_an_xform_and_a_field_list_in_english_and_welsh(form):
    assert (form.form_id, form.version, form.title, form.languages) == ("interview_feedback", "2027010101",
                                                                        "Interview feedback", ["cy", "en"])
    assert '<data id="interview_feedback" version="2027010101">' in form.xform
    assert 'orx:max-pixels="1024"' in form.xform and 'accuracyThreshold="10"' in form.xform
    found = by_path(form)
    assert [f["type"] for f in form.fields] == ["text", "group", "select_one", "select_multiple", "integer",
                                                "decimal", "date", "image", "signature", "audio", "geopoint"]
    assert found["interview/went"]["label"] == {"en": "How did it go?", "cy": "Sut aeth hi?"}
    assert found["interview/went"]["choices"][1] == {"name": "badly", "label": {"en": "Badly", "cy": "Yn wael"}}
    assert found["interview/went"]["group"] == "interview" and found["interview/went"]["required"] is True
    assert found["employer"]["constraint"] == {"max_length": 80}
    assert found["interview/minutes"]["constraint"] == {"ge": 1, "le": 480}
    assert found["interview/day"]["constraint"] == {"le": "today"}
    assert found["interview/help"]["constraint"] == {"max_selected": 2}
    assert found["photo"]["max_pixels"] == 1024 and found["signature"]["type"] == "signature"
    assert (found["where"]["capture_accuracy"], found["where"]["warning_accuracy"]) == (10.0, 25.0)


def test_a_form_id_given_replaces_the_settings_one_in_the_xform_too():
    other = reader.read(xlsform(), form_id="job_interview")
    assert other.form_id == "job_interview" and '<data id="job_interview"' in other.xform


@pytest.mark.parametrize(("row", "said"), [
    (["begin repeat", "jobs", "Jobs", "Swyddi", "", "", "", ""], "survey row 2 ('jobs'): the type 'begin repeat' is "
     "not supported"),
    (["calculate", "total", "", "", "", "", "", ""], "survey row 2 ('total'): a calculate row needs a calculation"),
    (["select_one colours", "colour", "Colour", "Lliw", "", "", "", ""], "the choices sheet has no list 'colours'"),
    (["integer", "age", "Age", "Oed", "", ". <= ${other}", "", ""], "field 'age': the constraint '. <= ${other}' "
     "refers to ${other}, which is not a question of this form"),
    (["text", "why", "Why?", "Pam?", "${went} = 'badly'", "", "", ""], "field 'why': the required "
     "'${went} = 'badly'' refers to ${went}"),
    (["text", "why", "Why?", "Pam?", "", "now() > 1", "", ""], "survey row 2 ('why'): the constraint 'now() > 1' "
     "cannot be checked by the hub: now() gives another time"),
])
def test_a_form_the_hub_cannot_check_is_refused_naming_the_row_and_what(row, said):
    with pytest.raises(reader.FormRefused) as refused:
        reader.read(xlsform(survey=[row]))
    assert any(said in problem for problem in refused.value.problems), refused.value.problems


def test_every_problem_is_said_at_once_each_with_its_row():
    header = [*["type", "name", "label::English (en)", "label::Welsh (cy)"], "relevant"]
    survey = [["text", "a", "A", "A", ""], ["geotrace", "route", "Route", "Llwybr", ""],
              ["text", "b", "B", "B", "${a} | ${route}"]]
    with pytest.raises(reader.FormRefused) as refused:
        reader.read(xlsform(survey=survey, header=header, version="x" * 65))
    problems = refused.value.problems
    assert len(problems) == 3, problems
    assert problems[0].startswith(f"the version '{'x' * 65}' is too long")
    assert problems[1].startswith("survey row 3 ('route'): the type 'geotrace' is not supported: the hub takes text")
    assert problems[2].startswith("survey row 4 ('b'): the relevant '${a} | ${route}' cannot be checked by the hub: "
                                  "'|' (a union of node-sets)")


def test_a_form_without_a_version_is_named_by_what_it_asks():
    """Most XLSForms in the wild name no version (the spec makes it optional): the same questions get the same
    version, so publishing again changes nothing, and a changed question a new one."""
    first = reader.read(xlsform(version=""))
    again = reader.read(xlsform(version=""))
    assert first.version == again.version and first.version.startswith("auto-")
    changed = reader.read(xlsform(survey=[["text", "employer", "Who was it with?", "Gyda phwy?", "yes", "", "", ""]],
                                  version=""))
    assert changed.version != first.version and changed.version.startswith("auto-")


def test_a_file_that_is_not_a_workbook_is_refused_saying_what_to_save():
    with pytest.raises(reader.FormRefused) as refused:
        reader.read(b"type,name,label\ntext,a,A\n")
    assert refused.value.problems == ["this is not an .xlsx workbook: save the XLSForm as Excel (.xlsx) and publish "
                                      "that"]
    bomb = io.BytesIO()
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/worksheets/sheet1.xml", b"0" * (reader.MAX_UNPACKED + 1))
    with pytest.raises(reader.FormRefused, match="the workbook unpacks to over 33554432 bytes"):
        reader.read(bomb.getvalue())


GOOD = {"employer": "Greggs", "interview/went": "well", "interview/help": ["travel", "clothes"],
        "interview/minutes": 45, "interview/pay": 11.44, "interview/day": "2027-01-19",
        "photo": {"sha256": SHA, "type": "image/jpeg", "bytes": 120_000},
        "signature": {"sha256": "b" * 64, "type": "image/png", "bytes": 4000},
        "voice": {"sha256": "c" * 64, "type": "audio/ogg", "bytes": 30_000},
        "where": {"lat": 51.4816, "lon": -3.1791, "altitude": 12.5, "accuracy": 8.0, "mock": False}}


def test_every_field_type_takes_a_good_value_and_names_the_files_to_find(form):
    checked = fields.check(form.fields, GOOD, TODAY)
    assert checked.values == GOOD and checked.flags == {}
    assert sorted(checked.attachments) == ["photo", "signature", "voice"]


@pytest.mark.parametrize(("path", "value", "said"), [
    ("employer", 42, "send text"),
    ("employer", "x" * 81, "the most here is 80"),
    ("interview/went", "brilliant", "'brilliant' is not one of its choices: well, badly"),
    ("interview/help", ["travel", "travel"], "each once"),
    ("interview/help", ["travel", "clothes", "practice"], "choose at most 2"),
    ("interview/help", ["lunch"], "'lunch' is not one of its choices"),
    ("interview/minutes", 45.5, "send a whole number"),
    ("interview/minutes", True, "send a whole number"),
    ("interview/minutes", 0, "0 must be at least 1"),
    ("interview/pay", "11.44", "send a number"),
    ("interview/pay", -1, "-1 must be at least 0"),
    ("interview/day", "19/01/2027", "send a date as YYYY-MM-DD"),
    ("interview/day", "2027-02-30", "2027-02-30 is not a day of the calendar"),
    ("interview/day", "2027-01-21", "2027-01-21 must be at most today"),
    ("photo", {"sha256": SHA, "type": "application/pdf", "bytes": 10}, "send a photo (JPEG, PNG or WebP)"),
    ("signature", {"sha256": "short", "type": "image/png", "bytes": 10}, "a signature as a picture"),
    ("voice", {"sha256": SHA, "type": "image/png", "bytes": 10}, "send a voice note"),
    ("where", {"lat": 91, "lon": 0, "accuracy": 5, "mock": False}, "'lat' must be a number from -90 to 90"),
    ("where", {"lat": 51, "lon": -3, "mock": False}, "'accuracy' must be a number from 0"),
    ("where", {"lat": 51, "lon": -3, "accuracy": 5}, "'mock' must be true or false"),
])
def test_a_bad_value_is_refused_with_its_field_named(form, path, value, said):
    with pytest.raises(fields.FieldRefused) as refused:
        fields.check(form.fields, {**GOOD, path: value}, TODAY)
    assert refused.value.path == path and said in refused.value.reason, refused.value.reason
    assert str(refused.value).startswith(f"field '{path}': ")


def test_a_required_field_left_out_and_an_unknown_field_are_refused_by_name(form):
    without = {k: v for k, v in GOOD.items() if k != "interview/went"}
    with pytest.raises(fields.FieldRefused, match="field 'interview/went': this question must be answered"):
        fields.check(form.fields, without, TODAY)
    with pytest.raises(fields.FieldRefused, match="field 'salary': this form version has no such field"):
        fields.check(form.fields, {**GOOD, "salary": 1}, TODAY)
    optional = {k: v for k, v in GOOD.items() if k in ("employer", "interview/went", "interview/day")}
    assert fields.check(form.fields, optional, TODAY).values == optional


def test_a_gps_fix_worse_than_the_warning_accuracy_or_mocked_is_accepted_and_flagged(form):
    poor = {**GOOD, "where": {"lat": 51.48, "lon": -3.17, "accuracy": 60.0, "mock": True}}
    checked = fields.check(form.fields, poor, TODAY)
    assert checked.values["where"]["accuracy"] == 60.0
    assert checked.flags == {"where": ["poor_accuracy", "mock_location"]}
    between = {**GOOD, "where": {"lat": 51.48, "lon": -3.17, "accuracy": 20.0, "mock": False}}  # capture < 20 < warning
    assert fields.check(form.fields, between, TODAY).flags == {}


def test_a_photo_over_max_pixels_on_its_longest_side_is_refused(form):
    photo = by_path(form)["photo"]
    assert fields.too_many_pixels(photo, 1024, 768) is None
    assert fields.too_many_pixels(photo, 768, 1025) == ("the photo is 768 x 1025 pixels; the most here is 1024 on its "
                                                        "longest side: make it smaller")
    assert fields.too_many_pixels(by_path(form)["signature"], 5000, 5000) is None  # no max-pixels: any size

