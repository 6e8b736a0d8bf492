// The XPath expressions of an XLSForm (relevant, required, constraint, calculation, choice_filter), the subset
// the hub takes: the same parser and evaluator as hub/forms/expressions.py (read that file's docstring for the
// rules), so the app shows, skips and computes what the hub will check. tests/hub/test_forms_expressions_node.py
// runs both on one table of cases. No eval: a small parser and a walk over its tree.
//
//   parse(text) -> tree (JSON lists, the hub's shape), or throws an ExpressionError {text, reason}
//   evaluate(tree, answers, context) -> a boolean, a number, a string or an XDate
//     answers: {question name: the value as the hub stores it} (left out: not answered)
//     context: {current: the value "." stands for, today: "YYYY-MM-DD", item: {choice columns}}
//   references(tree) -> a Set of the ${name}s it reads
//   toBoolean, toNumber, toString: XPath's conversions of a value

export const MAX_LENGTH = 2000;
export const MAX_DEPTH = 64;

export const FUNCTIONS = {
  true: [0, 0], false: [0, 0], not: [1, 1], boolean: [1, 1], string: [0, 1], number: [0, 1],
  int: [1, 1], round: [1, 2], floor: [1, 1], ceiling: [1, 1], abs: [1, 1], pow: [2, 2],
  sqrt: [1, 1], exp: [1, 1], log: [1, 1], log10: [1, 1], sin: [1, 1], cos: [1, 1], tan: [1, 1],
  asin: [1, 1], acos: [1, 1], atan: [1, 1], atan2: [2, 2], pi: [0, 0],
  "string-length": [0, 1], concat: [0, null], contains: [2, 2], "starts-with": [2, 2],
  "ends-with": [2, 2], substr: [2, 3], "normalize-space": [0, 1], selected: [2, 2],
  "count-selected": [1, 1], regex: [2, 2], today: [0, 0], date: [1, 1], if: [3, 3], coalesce: [2, 2],
};

const BINARY = { or: 1, and: 2, "=": 3, "!=": 3, "<": 4, "<=": 4, ">": 4, ">=": 4, "+": 5, "-": 5,
                 "*": 6, div: 6, mod: 6 };
const TOKEN = /(\s+)|(\$\{([^}]*)\})|(\d+(?:\.\d*)?|\.\d+)|('[^']*'|"[^"]*")|(!=|<=|>=|=|<|>|\+|-|\*|\(|\)|,)|(\.\.|\.)|([A-Za-z_][A-Za-z0-9_.-]*(?::[A-Za-z_][A-Za-z0-9_.-]*)?)/y;
const REF_NAME = /^[A-Za-z_][A-Za-z0-9_.-]*$/;
const XPATH_NUMBER = /^\s*-?(?:\d+(?:\.\d*)?|\.\d+)\s*$/;
const DAY = /^\s*(\d{4})-(\d{2})-(\d{2})(?:T[0-9:.]+(?:Z|[+-]\d{2}:?\d{2})?)?\s*$/;
const MS_PER_DAY = 86_400_000;
const FIRST_DAY = -719162; // 0001-01-01
const LAST_DAY = 2932896; // 9999-12-31: a date outside them is written as ""

export class ExpressionError extends Error {
  constructor(text, reason) {
    super(`'${text}': ${reason}`);
    this.text = text;
    this.reason = reason;
  }
}

// A day, as XPath's date type: days since 1970-01-01 (NaN for a text that is not a day).
export class XDate {
  constructor(days) { this.days = days; }
}

function tokens(text) {
  const found = [];
  let at = 0;
  while (at < text.length) {
    TOKEN.lastIndex = at;
    const m = TOKEN.exec(text);
    if (!m) {
      const c = text[at];
      if ("‘’“”".includes(c)) {
        throw new ExpressionError(text, `'${c}' at character ${at + 1} is a typographic quote: write a text between straight quotes, like 'other'`);
      }
      const what = c === "|" ? "'|' (a union of node-sets)" : c === "/" ? "'/' (a path)" : `'${c}'`;
      throw new ExpressionError(text, `${what} at character ${at + 1} is not supported: refer to a question as \${name}`);
    }
    if (m[2] !== undefined) {
      const name = m[3].trim();
      if (!REF_NAME.test(name)) throw new ExpressionError(text, `'\${${m[3]}}' is not a question's name`);
      found.push(["ref", name]);
    } else if (m[4] !== undefined) found.push(["num", m[4]]);
    else if (m[5] !== undefined) found.push(["str", m[5]]);
    else if (m[6] !== undefined) found.push(["op", m[6]]);
    else if (m[7] !== undefined) {
      if (m[7] === "..") throw new ExpressionError(text, "'..' (a path) is not supported: refer to a question as ${name}");
      found.push(["dot", "."]);
    } else if (m[8] !== undefined) found.push(["word", m[8]]);
    at = TOKEN.lastIndex;
  }
  return found;
}

const REFUSED = {
  now: "now() gives another time on the phone and at the hub; use the type 'start' or 'end'",
  once: "once() keeps the phone's first value, which the hub cannot know",
  random: "random() differs between the phone and the hub",
  uuid: "uuid() differs between the phone and the hub",
  pulldata: "pulldata() reads a CSV file attached to the form, which the hub does not take",
  "jr:choice-name": "jr:choice-name() is not supported yet: compare the choice's name instead",
  "indexed-repeat": "repeats are not supported",
  position: "repeats are not supported",
  count: "count() counts a repeat's entries; repeats are not supported",
  sum: "sum() adds a repeat's entries; repeats are not supported",
};

class Parser {
  constructor(text) {
    this.text = text;
    this.tokens = tokens(text);
    this.at = 0;
    this.depth = 0;
  }

  peek() { return this.at < this.tokens.length ? this.tokens[this.at] : null; }

  is(kind, value) {
    const t = this.peek();
    return t !== null && t[0] === kind && t[1] === value;
  }

  take(value) {
    const t = this.peek();
    if (t === null || (value !== undefined && t[1] !== value)) {
      const want = value !== undefined ? `'${value}'` : "more";
      throw new ExpressionError(this.text, `expected ${want} ${t === null ? "at the end" : `before '${t[1]}'`}`);
    }
    this.at += 1;
    return t;
  }

  binary() {
    const t = this.peek();
    if (t && (t[0] === "op" || t[0] === "word") && Object.hasOwn(BINARY, t[1])) return t[1];
    return null;
  }

  expression(least = 1) {
    this.depth += 1;
    if (this.depth > MAX_DEPTH) throw new ExpressionError(this.text, `it nests deeper than ${MAX_DEPTH}`);
    let left = this.unary();
    for (let op = this.binary(); op !== null && BINARY[op] >= least; op = this.binary()) {
      this.at += 1;
      left = ["op", op, left, this.expression(BINARY[op] + 1)];
    }
    this.depth -= 1;
    return left;
  }

  unary() {
    if (this.is("op", "-")) {
      this.at += 1;
      this.depth += 1;
      if (this.depth > MAX_DEPTH) throw new ExpressionError(this.text, `it nests deeper than ${MAX_DEPTH}`);
      const inner = this.unary();
      this.depth -= 1;
      return ["neg", inner];
    }
    return this.primary();
  }

  primary() {
    const [kind, value] = this.take();
    if (kind === "num") return ["num", Number(value)];
    if (kind === "str") return ["str", value.slice(1, -1)];
    if (kind === "ref") return ["ref", value];
    if (kind === "dot") return ["cur"];
    if (kind === "op" && value === "(") {
      const inner = this.expression();
      this.take(")");
      return inner;
    }
    if (kind === "word") return this.is("op", "(") ? this.call(value) : ["name", value];
    throw new ExpressionError(this.text, `'${value}' cannot start a value here`);
  }

  call(name) {
    if (Object.hasOwn(REFUSED, name)) throw new ExpressionError(this.text, REFUSED[name]);
    if (!Object.hasOwn(FUNCTIONS, name)) {
      throw new ExpressionError(this.text, `the function ${name}() is not supported: the hub takes ${Object.keys(FUNCTIONS).sort().join(", ")}`);
    }
    this.take("(");
    const args = [];
    if (!this.is("op", ")")) {
      args.push(this.expression());
      while (this.is("op", ",")) {
        this.at += 1;
        args.push(this.expression());
      }
    }
    this.take(")");
    const [fewest, most] = FUNCTIONS[name];
    if (args.length < fewest || (most !== null && args.length > most)) {
      const wanted = fewest === most ? `${fewest}` : most === null ? `${fewest} or more` : `${fewest} to ${most}`;
      throw new ExpressionError(this.text, `${name}() takes ${wanted} argument${wanted === "1" ? "" : "s"}, not ${args.length}`);
    }
    if (name === "regex" && args[1][0] === "str") {
      try { new RegExp(args[1][1]); } catch (error) {
        throw new ExpressionError(this.text, `the pattern '${args[1][1]}' is not a regular expression (${error.message})`);
      }
    }
    return ["call", name, args];
  }
}

export function parse(text) {
  text = String(text);
  if (text.length > MAX_LENGTH) throw new ExpressionError(`${text.slice(0, 60)}…`, `it is longer than ${MAX_LENGTH} characters`);
  if (!text.trim()) throw new ExpressionError(text, "it is empty");
  const parser = new Parser(text);
  const tree = parser.expression();
  if (parser.peek() !== null) throw new ExpressionError(text, `'${parser.peek()[1]}' is not expected there`);
  return tree;
}

export function* walk(tree) {
  yield tree;
  if (tree[0] === "neg") yield* walk(tree[1]);
  else if (tree[0] === "op") { yield* walk(tree[2]); yield* walk(tree[3]); }
  else if (tree[0] === "call") for (const arg of tree[2]) yield* walk(arg);
}

export function references(tree) {
  const found = new Set();
  for (const node of walk(tree)) if (node[0] === "ref") found.add(node[1]);
  return found;
}

// --- values ---

function dayOf(text) {
  const m = DAY.exec(text);
  if (!m) return NaN;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  if (y < 1) return NaN;
  const back = new Date(0);
  back.setUTCFullYear(y, mo - 1, d); // not Date.UTC, which reads years 0-99 as 1900-1999
  if (back.getUTCFullYear() !== y || back.getUTCMonth() !== mo - 1 || back.getUTCDate() !== d) return NaN;
  return back.getTime() / MS_PER_DAY;
}

export function toNumber(value) {
  if (typeof value === "boolean") return value ? 1 : 0;
  if (typeof value === "number") return value;
  if (value instanceof XDate) return value.days;
  const text = String(value);
  if (XPATH_NUMBER.test(text)) return Number(text.trim());
  return dayOf(text);
}

export function toBoolean(value) {
  if (typeof value === "boolean") return value;
  if (typeof value === "number") return !(value === 0 || Number.isNaN(value));
  if (value instanceof XDate) return !Number.isNaN(value.days);
  return String(value).length > 0;
}

export function numberText(n) {
  if (Number.isNaN(n)) return "NaN";
  if (!Number.isFinite(n)) return n > 0 ? "Infinity" : "-Infinity";
  if (Number.isInteger(n) && Math.abs(n) < 1e21) return (Object.is(n, -0) ? 0 : n).toFixed(0);
  return String(n);
}

export function toString(value) {
  if (typeof value === "boolean") return value ? "true" : "false";
  if (typeof value === "number") return numberText(value);
  if (value instanceof XDate) {
    if (!(value.days >= FIRST_DAY && value.days <= LAST_DAY)) return ""; // NaN too
    return new Date(Math.floor(value.days) * MS_PER_DAY).toISOString().slice(0, 10);
  }
  return String(value);
}

const numeric = (v) => typeof v === "number" || v instanceof XDate;

function equal(a, b) {
  if (typeof a === "boolean" || typeof b === "boolean") return toBoolean(a) === toBoolean(b);
  if (numeric(a) || numeric(b)) return toNumber(a) === toNumber(b);
  return toString(a) === toString(b);
}

function arithmetic(op, x, y) {
  if (op === "+") return x + y;
  if (op === "-") return x - y;
  if (op === "*") return x * y;
  if (op === "div") return x / y;
  return x % y; // XPath's mod is JavaScript's %: the sign of the dividend
}

function round(x, places = 0) {
  if (!Number.isFinite(x) || Number.isNaN(places) || Math.abs(places) > 300) return x;
  if (places === 0) return Math.floor(x + 0.5);
  const digits = Math.trunc(places); // whole powers of ten, exact in both Python and JavaScript
  const r = digits >= 0 ? Math.floor(Math.abs(x) * 10 ** digits + 0.5) / 10 ** digits
    : Math.floor(Math.abs(x) / 10 ** -digits + 0.5) * 10 ** -digits;
  return x < 0 || Object.is(x, -0) ? -r : r;
}

const MATH = { floor: Math.floor, ceiling: Math.ceil, abs: Math.abs, sqrt: Math.sqrt, exp: Math.exp,
               log: Math.log, log10: Math.log10, sin: Math.sin, cos: Math.cos, tan: Math.tan,
               asin: Math.asin, acos: Math.acos, atan: Math.atan };

function toDate(value) {
  if (value instanceof XDate) return value;
  if (typeof value === "number") return new XDate(value);
  return new XDate(dayOf(toString(value)));
}

function pattern(text, source) {
  try { return new RegExp(source).test(text); } catch { return false; }
}

function substr(text, start, end) {
  const chars = [...text];
  if (Number.isNaN(start) || start === Infinity) return "";
  const first = start === -Infinity ? 0 : Math.max(0, Math.trunc(start));
  let last;
  if (end === undefined || end === Infinity) last = chars.length;
  else last = Number.isNaN(end) || end === -Infinity ? 0 : Math.max(0, Math.trunc(end));
  return chars.slice(first, last).join("");
}

function call(name, args, answers, context) {
  const arg = (i) => evaluate(args[i], answers, context);
  if (name === "if") return toBoolean(arg(0)) ? arg(1) : arg(2);
  if (name === "true") return true;
  if (name === "false") return false;
  if (name === "pi") return Math.PI;
  if (name === "today") return new XDate(dayOf(String(context.today || "")));
  const values = args.map((_, i) => arg(i));
  if (name === "not") return !toBoolean(values[0]);
  if (name === "boolean") return toBoolean(values[0]);
  if (["string", "string-length", "normalize-space", "number"].includes(name)) {
    const value = values.length ? values[0] : answerValue(context.current);
    if (name === "number") return toNumber(value);
    const text = toString(value);
    if (name === "string-length") return [...text].length;
    return name === "normalize-space" ? text.split(/\s+/).filter(Boolean).join(" ") : text;
  }
  if (name === "int") {
    const x = toNumber(values[0]);
    return Number.isFinite(x) ? Math.trunc(x) : x;
  }
  if (name === "round") return round(toNumber(values[0]), values.length > 1 ? toNumber(values[1]) : 0);
  if (Object.hasOwn(MATH, name)) return MATH[name](toNumber(values[0]));
  if (name === "pow") return toNumber(values[0]) ** toNumber(values[1]);
  if (name === "atan2") return Math.atan2(toNumber(values[0]), toNumber(values[1]));
  if (name === "concat") return values.map(toString).join("");
  if (name === "contains") return toString(values[0]).includes(toString(values[1]));
  if (name === "starts-with") return toString(values[0]).startsWith(toString(values[1]));
  if (name === "ends-with") return toString(values[0]).endsWith(toString(values[1]));
  if (name === "substr") return substr(toString(values[0]), toNumber(values[1]), values.length > 2 ? toNumber(values[2]) : undefined);
  if (name === "selected") return toString(values[0]).split(/\s+/).filter(Boolean).includes(toString(values[1]).trim());
  if (name === "count-selected") return toString(values[0]).split(/\s+/).filter(Boolean).length;
  if (name === "regex") return pattern(toString(values[0]), toString(values[1]));
  if (name === "date") return toDate(values[0]);
  if (name === "coalesce") return toString(values[0]) !== "" ? values[0] : values[1];
  throw new ExpressionError(name, "this function is not supported");
}

export function evaluate(tree, answers = {}, context = {}) {
  const kind = tree[0];
  if (kind === "num") return tree[1];
  if (kind === "str") return tree[1];
  if (kind === "ref") return answerValue(Object.hasOwn(answers, tree[1]) ? answers[tree[1]] : undefined);
  if (kind === "cur") return answerValue(context.current);
  if (kind === "name") {
    const item = context.item || {};
    return answerValue(Object.hasOwn(item, tree[1]) ? item[tree[1]] : undefined);
  }
  if (kind === "neg") return -toNumber(evaluate(tree[1], answers, context));
  if (kind === "call") return call(tree[1], tree[2], answers, context);
  const op = tree[1];
  const left = evaluate(tree[2], answers, context);
  if (op === "or") return toBoolean(left) || toBoolean(evaluate(tree[3], answers, context));
  if (op === "and") return toBoolean(left) && toBoolean(evaluate(tree[3], answers, context));
  const right = evaluate(tree[3], answers, context);
  if (op === "=") return equal(left, right);
  if (op === "!=") return !equal(left, right);
  if (op === "<") return toNumber(left) < toNumber(right);
  if (op === "<=") return toNumber(left) <= toNumber(right);
  if (op === ">") return toNumber(left) > toNumber(right);
  if (op === ">=") return toNumber(left) >= toNumber(right);
  return arithmetic(op, toNumber(left), toNumber(right));
}

// A kept answer as XPath sees it: not answered is "", a list of choices their names joined by spaces, a
// geopoint "lat lon altitude accuracy", a file its SHA-256.
export function answerValue(value) {
  if (value === undefined || value === null) return "";
  if (typeof value === "boolean") return value ? "true" : "false";
  if (typeof value === "number" || typeof value === "string" || value instanceof XDate) return value;
  if (Array.isArray(value)) return value.map(String).join(" ");
  if (typeof value === "object") {
    if ("lat" in value) return ["lat", "lon", "altitude", "accuracy"].map((k) => numberText(Number(value[k] || 0))).join(" ");
    return String(value.sha256 || "");
  }
  return String(value);
}
