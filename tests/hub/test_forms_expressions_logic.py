"""A form's logic at the hub (hub/forms/logic.py through fields.check): skip logic on a question and a group, a
required-if, a constraint on another answer, a calculation the hub computes itself, filtered choices,
or_other and a phone number, from an XLSForm made as a designer would (formkit.LOGIC_SURVEY); and what cannot
work refused at publishing with its row. Pure functions: no server."""

from __future__ import annotations

from datetime import date

import pytest
from formkit import logic_xlsform, xlsform

from hub.forms import fields
from hub.forms import xlsform as reader

TODAY = date(2027, 1, 20)
WELL = {"went": "well", "job/hours": 37, "job/pay": 11.44, "job/starts": "2027-02-01", "region": "wales",
        "town": "cardiff", "phone": "07700900123"}


@pytest.fixture(scope="module")
def form():
    return reader.read(logic_xlsform())


def check(form, values: dict) -> fields.Checked:
    return fields.check(form.fields, values, TODAY)


def refused(form, values: dict) -> str:
    with pytest.raises(fields.FieldRefused) as said:
        check(form, values)
    return str(said.value)


def test_the_field_list_carries_each_expression_as_written_for_the_app(form):
    found = {f["path"]: f for f in form.fields}
    assert found["job"]["relevant"] == "selected(${went}, 'well')"
    assert found["job/pay"]["constraint_expr"] == ". >= 10.42 or ${hours} < 16"
    assert found["job/weekly"] == {"name": "weekly", "path": "job/weekly", "group": "job", "type": "calculate",
                                   "label": {}, "required": False, "calculation": "round(${hours} * ${pay}, 2)"}
    assert (found["job/starts"]["required"], found["job/starts"]["required_if"]) == (False, "${hours} >= 16")
    assert found["town"]["choice_filter"] == "region = ${region}"
    assert found["town"]["choices"][2] == {"name": "bristol", "label": {"en": "Bristol", "cy": "Bryste"},
                                           "data": {"region": "england"}}
    assert "data" not in found["region"]["choices"][0]  # only a filtered list carries its columns
    assert found["went"]["choices"][-1] == {"name": "other", "label": {"cy": "Other", "en": "Other"}}
    assert found["went_other"]["relevant"] == "selected(${went}, 'other')"  # as pyxform adds it
    assert (found["phone"]["type"], found["phone"]["inputmode"], found["phone"]["constraint"]) == (
        "text", "tel", {"pattern": "^\\d*$"})
    assert '<bind nodeset="/data/job" relevant="selected( /data/went , \'well\')"/>' in form.xform  # pyxform's


def test_a_submission_that_follows_the_logic_is_stored_with_the_hubs_calculation(form):
    checked = check(form, WELL)
    assert checked.values == {**WELL, "job/weekly": "423.28"} and checked.flags == {}
    badly = check(form, {"went": "badly", "why": "Late bus"})  # the job group is not asked: hours not required
    assert badly.values == {"went": "badly", "why": "Late bus"}
    other = check(form, {"went": "other", "went_other": "It was cancelled"})
    assert other.values["went_other"] == "It was cancelled"
    part_time = check(form, {**WELL, "job/hours": 10, "job/pay": 9.5, "job/starts": None})
    assert part_time.values["job/weekly"] == "95" and "job/starts" not in part_time.values


def test_a_calculation_the_phone_got_otherwise_is_replaced_and_flagged(form):
    checked = check(form, {**WELL, "job/weekly": "400"})
    assert checked.values["job/weekly"] == "423.28"
    assert checked.flags == {"job/weekly": ["calculation_differs"]}
    assert check(form, {**WELL, "job/weekly": 423.28}).flags == {}


@pytest.mark.parametrize(("values", "said"), [
    ({"went": "badly", "job/hours": 37}, "field 'job/hours': this question is not asked for the answers given "
     "(relevant: selected(${went}, 'well')), so leave it empty"),
    ({**WELL, "why": "It was fine"}, "field 'why': this question is not asked"),
    ({**WELL, "went_other": "x"}, "field 'went_other': this question is not asked"),
    ({"went": "well"}, "field 'job/hours': this question must be answered"),
    ({**WELL, "job/starts": None}, "field 'job/starts': this question must be answered"),
    ({**WELL, "job/pay": 9.5}, "field 'job/pay': 9.5 does not meet this question's rule '. >= 10.42 or ${hours} "
     "< 16'"),
    ({**WELL, "region": "england"}, "field 'town': 'cardiff' is not one of the choices offered for the answers "
     "given: bristol"),
    ({**WELL, "region": None}, "field 'town': this question is not asked"),
    ({**WELL, "phone": "07700 900123"}, "field 'phone': the text is not in the form this question asks for"),
    ({**WELL, "job/starts": "2027-01-19"}, "field 'job/starts': 2027-01-19 must be at least today"),
])
def test_an_answer_against_the_logic_is_refused_naming_the_field(form, values, said):
    assert refused(form, values).startswith(said)


def _refused_form(rows: list[list[str]]) -> list[str]:
    with pytest.raises(reader.FormRefused) as said:
        reader.read(logic_xlsform(survey=[["text", "name", "Name", "Enw", "", "", "", "", ""], *rows]))
    return said.value.problems


@pytest.mark.parametrize(("row", "said"), [
    (["text", "a", "A", "A", "", "${nobody} = 1", "", "", ""], "field 'a': the relevant '${nobody} = 1' refers to "
     "${nobody}, which is not a question of this form"),
    (["text", "a", "A", "A", "", "${name} = ‘x’", "", "", ""], "survey row 3 ('a'): the relevant '${name} = ‘x’' "
     "cannot be checked by the hub: '‘' at character 11 is a typographic quote"),
    (["calculate", "a", "", "", "", "", "", "pulldata('f', 'a', 'b', ${name})", ""], "pulldata() reads a CSV file"),
    (["calculate", "a", "", "", "", "", "", "", ""], "survey row 3 ('a'): a calculate row needs a calculation"),
    (["text", "a", "A", "A", "", "", "", "concat(${name}, '!')", ""], "survey row 3 ('a'): a calculation is for "
     "calculate rows: move it to one"),
    (["text", "a", "A", "A", "", "", ". > name", "", ""], "the constraint '. > name' names 'name': refer to a "
     "question as ${name}"),
    (["select_one town", "a", "A", "A", "", "", "", "", "county = ${name}"], "field 'a': the choice_filter "
     "'county = ${name}' reads 'county', which is not a column of its choices (they have name, region"),
    (["begin repeat", "jobs", "Jobs", "Swyddi", "", "", "", "", ""], "the type 'begin repeat' is not supported"),
])
def test_logic_the_hub_cannot_check_is_refused_at_publishing_with_its_row(row, said):
    problems = _refused_form([row, *([["end repeat", "", "", "", "", "", "", "", ""]] if "repeat" in row[0] else [])])
    assert any(said in problem for problem in problems), problems


def test_a_reference_to_a_name_two_questions_have_is_refused():
    problems = _refused_form([["begin group", "g", "G", "G", "", "", "", "", ""],
                              ["text", "name", "Name", "Enw", "", "", "", "", ""],
                              ["end group", "", "", "", "", "", "", "", ""],
                              ["text", "a", "A", "A", "", "${name} != 'x'", "", "", ""]])
    assert problems == ["field 'a': the relevant '${name} != 'x'' refers to ${name}, and the form has more than one "
                        "question named name (name, g/name): rename one"]


def test_calculations_in_a_circle_are_refused():
    problems = _refused_form([["calculate", "a", "", "", "", "", "", "${b} + 1", ""],
                              ["calculate", "b", "", "", "", "${a} > 0", "", "2", ""]])
    assert problems == ["the calculations depend on each other in a circle (a -> b -> a): break it"]


def test_a_form_id_with_spaces_publishes_as_pyxform_and_odk_central_take_it():
    spaced = reader.read(xlsform(form_id="Spec test"))
    assert spaced.form_id == "Spec test" and '<data id="Spec test"' in spaced.xform
    with pytest.raises(reader.FormRefused, match="the form id 'a/b' is missing or not a name"):
        reader.read(xlsform(form_id="a/b"))
