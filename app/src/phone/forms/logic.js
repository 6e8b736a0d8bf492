// A form's logic in the app, as the hub applies it (hub/forms/logic.py): which questions are asked (relevant,
// their own and their groups'), which must be answered (required, required_if), which constraint expressions
// fail, which choices a choice_filter offers, and each calculation's value. Pure functions over the field list
// and the answers kept so far (by field path, as the submission sends them), with expressions.js.
//
//   formState(fields, values, today) -> {
//     asked: Set of paths asked now (a question not asked must be left empty: the hub refuses an answer to it),
//     required: Set of paths that must be answered now,
//     calculated: {path: text} (what the hub will store for each calculate field),
//     offered: {path: [choice names]} for each select with a choice_filter,
//     problems: {path: {kind, expression}} kind "not_asked" | "required" | "constraint" | "not_offered",
//   }
import { evaluate, parse, references, toBoolean, toString } from "./expressions.js";

const trees = new Map();
function tree(text) {
  if (!trees.has(text)) trees.set(text, parse(text));
  return trees.get(text);
}

const empty = (v) => v === undefined || v === null || v === "" || (Array.isArray(v) && v.length === 0);

export function formState(fields, values, today) {
  const byPath = new Map(fields.map((f) => [f.path, f]));
  const calculatedFields = new Map(fields.filter((f) => f.type === "calculate").map((f) => [f.name, f]));
  const answers = {};
  for (const f of fields) {
    if (f.type !== "calculate" && !empty(values[f.path])) answers[f.name] = values[f.path];
  }
  const computing = new Set();
  const context = (current, item) => ({ today, current, item });

  function value(text, current, item) {
    const t = tree(text);
    for (const name of references(t)) {
      if (calculatedFields.has(name) && !Object.hasOwn(answers, name)) compute(name);
    }
    return evaluate(t, answers, context(current, item));
  }

  function isAsked(field) {
    const group = byPath.get(field.group || "");
    if (group && !isAsked(group)) return false;
    return !("relevant" in field) || toBoolean(value(field.relevant, answers[field.name]));
  }

  function compute(name) {
    if (!Object.hasOwn(answers, name)) {
      const field = calculatedFields.get(name);
      if (computing.has(name)) return ""; // a circle: publishing refuses these
      computing.add(name);
      answers[name] = isAsked(field) ? toString(value(field.calculation)) : "";
      computing.delete(name);
    }
    return answers[name];
  }

  const state = { asked: new Set(), required: new Set(), calculated: {}, offered: {}, problems: {} };
  for (const field of fields) {
    const { path, type } = field;
    if (type === "group" || type === "note") {
      if (isAsked(field)) state.asked.add(path);
      continue;
    }
    if (type === "calculate") {
      const v = compute(field.name);
      if (v !== "") state.calculated[path] = v;
      continue;
    }
    const answered = !empty(values[path]);
    if (!isAsked(field)) {
      if (answered) state.problems[path] = { kind: "not_asked", expression: field.relevant || "" };
      continue;
    }
    state.asked.add(path);
    if (field.required || ("required_if" in field && toBoolean(value(field.required_if)))) state.required.add(path);
    if ("choice_filter" in field) {
      state.offered[path] = (field.choices || [])
        .filter((c) => toBoolean(value(field.choice_filter, values[path], { ...(c.data || {}), name: c.name })))
        .map((c) => c.name);
    }
    if (!answered) {
      if (state.required.has(path)) state.problems[path] = { kind: "required", expression: field.required_if || "" };
      continue;
    }
    if ("constraint_expr" in field && !toBoolean(value(field.constraint_expr, values[path]))) {
      state.problems[path] = { kind: "constraint", expression: field.constraint_expr };
    } else if (path in state.offered) {
      const chosen = Array.isArray(values[path]) ? values[path] : [values[path]];
      if (chosen.some((name) => !state.offered[path].includes(name))) {
        state.problems[path] = { kind: "not_offered", expression: field.choice_filter };
      }
    }
  }
  return state;
}
