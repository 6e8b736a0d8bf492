// A small gettext .po reader for the app's build (app/build.mjs): msgctxt, msgid, msgid_plural, msgstr and
// msgstr[N], strings split over several lines, the C escapes gettext writes, comments, and "#, fuzzy" entries
// (left out, as msgfmt leaves them out). It returns { key: text } (plural entries: { key: [forms] }), where key is
// the msgid, or msgctxt + "\u0004" + msgid as gettext keys it. Untranslated entries (empty msgstr) are left out,
// so the app falls back to the English msgid.
const ESCAPES = { n: "\n", t: "\t", r: "\r", '"': '"', "\\": "\\", a: "\x07", b: "\b", f: "\f", v: "\v" };

function unquote(text, where) {
  const m = /^"(.*)"\s*$/.exec(text.trim());
  if (!m) throw new Error(`${where}: expected a "quoted string", found ${text.trim()}`);
  return m[1].replace(/\\(.)/g, (whole, c) => {
    if (!(c in ESCAPES)) throw new Error(`${where}: unknown escape \\${c}`);
    return ESCAPES[c];
  });
}

export function parsePo(source, file = "<po>") {
  const out = {};
  let entry = null;
  let field = null;
  const finish = () => {
    if (!entry || entry.msgid === undefined) return;
    if (entry.msgid === "" && !entry.msgctxt) return;  // the header
    if (entry.fuzzy) return;
    const key = entry.msgctxt !== undefined ? `${entry.msgctxt}\u0004${entry.msgid}` : entry.msgid;
    if (entry.msgid_plural !== undefined) {
      const forms = Object.keys(entry.forms).sort((a, b) => a - b).map((i) => entry.forms[i]);
      if (forms.length && forms.every((f) => f !== "")) out[key] = forms;
    } else if (entry.msgstr) {
      out[key] = entry.msgstr;
    }
  };
  const lines = source.replace(/^\uFEFF/, "").split(/\r?\n/);
  lines.forEach((raw, i) => {
    const where = `${file}:${i + 1}`;
    const line = raw.trim();
    if (line === "") { finish(); entry = null; field = null; return; }
    if (line.startsWith("#")) {
      if (entry && entry.msgid !== undefined) { finish(); entry = null; field = null; }
      entry = entry || { forms: {} };
      if (line.startsWith("#,") && /\bfuzzy\b/.test(line)) entry.fuzzy = true;
      return;
    }
    if (line.startsWith('"')) {
      if (!entry || !field) throw new Error(`${where}: a continued string with nothing before it`);
      const more = unquote(line, where);
      if (typeof field === "number") entry.forms[field] += more;
      else entry[field] += more;
      return;
    }
    const m = /^(msgctxt|msgid_plural|msgid|msgstr)(?:\[(\d+)\])?\s+(.*)$/.exec(line);
    if (!m) throw new Error(`${where}: not a .po line: ${line}`);
    const [, keyword, index, rest] = m;
    if (entry && entry.msgid !== undefined && (keyword === "msgctxt" || keyword === "msgid")) {
      finish(); entry = null;  // a new entry with no blank line before it
    }
    entry = entry || { forms: {} };
    const value = unquote(rest, where);
    if (keyword === "msgstr" && index !== undefined) { field = Number(index); entry.forms[field] = value; }
    else { field = keyword; entry[keyword] = value; }
  });
  finish();
  return out;
}

/** Every .po file under dir/<lang>/ merged into one { key: text } (files in name order; a key translated
 *  differently in two files is an error, since one of them would be silently lost). */
export function mergeDomains(files) {
  const merged = {};
  for (const { name, text } of files) {
    for (const [key, value] of Object.entries(parsePo(text, name))) {
      if (key in merged && JSON.stringify(merged[key]) !== JSON.stringify(value)) {
        throw new Error(`${name}: ${JSON.stringify(key)} is translated differently in another domain file`);
      }
      merged[key] = value;
    }
  }
  return merged;
}
