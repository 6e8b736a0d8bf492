// Forms: the forms the person's organisations published (kept for offline use), and one
// form at a time drawn from its field list (docs/forms.md): text, choices, dates, numbers, a photo (made smaller to
// the form's max-pixels before it is kept), a voice note, a signature (drawn, or the name typed), a place (with
// how exact it is, in words). Each answer is checked here by the hub's rules before anything is kept, and a problem
// is said beside its question. "Send" keeps the files on the phone and the submission in the outbox (a
// form_submission with a UUID made here); the sender uploads the files, then the sync sends it (forms/send.js).
// The same screen runs on a tablet inside, through the edge: `formScreens(side)` draws it for a side, which says
// where the forms come from, how a file is kept and what the outbox sends (forms/side.js, app/src/tablet/forms.js).
import { language } from "../../shell/i18n.js";
import * as check from "../forms/check.js";
import { formState } from "../forms/logic.js";
import * as media from "../forms/media.js";
import { KIND } from "../forms/send.js";
import { phone } from "../forms/side.js";
import { action, icon } from "../ui.js";

const MAX_VALUES_BYTES = 60 * 1024; // hub/forms/submissions.py MAX_VALUES_BYTES
const RULES = `
.forms-list { list-style: none; padding: 0; margin: 1rem 0; display: grid; gap: .75rem; }
.forms-list .tile { min-height: 5rem; flex-direction: row; justify-content: flex-start; text-align: left; }
.fill .field { margin: 1.5rem 0; }
.fill .field[data-invalid] { border-left: .3rem solid var(--bad, #d4351c); padding-left: .75rem; }
.fill legend { font-weight: 700; font-size: 1.2rem; padding: 0; }
.fill .field > label:first-child { font-size: 1.2rem; }
.field-error { color: var(--bad-dark, #942514); font-weight: 700; margin: .25rem 0; }
.signature-pad { display: block; width: 100%; max-width: 30rem; height: auto; border: 2px solid var(--ink, #0b0c0c);
  background: #fff; touch-action: none; margin: .5rem 0; }
.form-photo { display: block; max-width: 100%; max-height: 14rem; margin: .5rem 0; border: 1px solid var(--line, #505a5f); }
.fill audio { display: block; width: 100%; max-width: 30rem; margin: .5rem 0; }
.form-group { font-size: 1.35rem; border-bottom: 2px solid var(--line, #505a5f); }
.sent-forms { list-style: none; padding: 0; }
`;
let styled = false;
function addFormStyle() {
  if (styled || typeof CSSStyleSheet !== "function" || !("adoptedStyleSheets" in document)) return;
  styled = true;
  const sheet = new CSSStyleSheet();
  sheet.replaceSync(RULES);
  document.adoptedStyleSheets = [...document.adoptedStyleSheets, sheet];
}

/** The Forms screens ({renderList, renderForm}) of a side (forms/side.js). */
export function formScreens(side) {
  return { renderList: (main, ctx) => renderList(main, ctx, side), renderForm: (main, ctx) => renderForm(main, ctx, side) };
}

export async function renderList(main, ctx, side = phone) {
  if (!(await side.ready(main, ctx))) return;
  addFormStyle();
  let offline = false;
  try {
    await side.forms.refresh();
  } catch (error) {
    if (!side.offline(error)) throw error;
    offline = true;
  }
  const forms = await side.forms.kept();
  if (ctx.params.sent) {
    main.append(ctx.el("div", { class: "note", role: "status" }, ctx.el("p", { text: ctx.t(side.words.kept) })));
  }
  if (offline) main.append(ctx.el("p", { class: "note", text: ctx.t(side.words.offline) }));
  main.append(action(ctx, "refresh", ctx.t("Check for new forms"), async () => ctx.navigate("forms"), { class: "button secondary" }));
  if (!forms.length) {
    main.append(ctx.el("p", { class: "lead", text: ctx.t("You have no forms to fill in yet. When your worker adds one, it shows here.") }));
  } else {
    main.append(ctx.el("p", { class: "lead", text: ctx.t("Choose a form to fill in.") }));
    const list = ctx.el("ul", { class: "forms-list" });
    for (const form of forms) {
      list.append(ctx.el("li", {}, ctx.el("a", { class: "tile", href: ctx.href("form", { form: form.form_id }), "data-form": form.form_id },
        icon("forms"), ctx.el("span", { class: "tile-label", text: form.title }))));
    }
    main.append(list);
  }
  const titles = Object.fromEntries(forms.map((f) => [f.form_id, f.title]));
  const later = side.refusedLater ? await side.refusedLater() : [];  // sent, then refused (a tablet's, by its edge)
  if (later.length) {
    main.append(ctx.el("h2", { text: ctx.t("Forms that were not accepted") }));
    const refusedList = ctx.el("ul", { class: "sent-forms" });
    for (const m of later) {
      refusedList.append(ctx.el("li", { class: "appointment", "data-id": m.id, "data-state": "refused" },
        ctx.el("h3", { text: m.title || titles[m.form_id] || m.form_id || "" }),
        ctx.el("p", { class: "state refused" }, icon("refused"), ctx.el("span", { text: ctx.t("Refused. Open the form again, check the answer named below and send it again. Ask staff if you need help.") })),
        ctx.el("p", { class: "hint", text: ctx.t("Why: {reason}", { reason: m.reason || "" }) })));
    }
    main.append(refusedList);
  }
  const waiting = (await ctx.outboxItems()).filter((item) => item.kind === KIND);
  if (!waiting.length) return;
  main.append(ctx.el("h2", { text: ctx.t("Forms not sent yet") }));
  const list = ctx.el("ul", { class: "sent-forms" });
  for (const item of waiting) {
    const formId = side.submission(item).form_id;
    const title = titles[formId] || formId;
    const li = ctx.el("li", { class: "appointment", "data-id": item.id, "data-state": item.state }, ctx.el("h3", { text: title }));
    if (item.state === "refused") {
      li.append(ctx.el("p", { class: "state refused" }, icon("refused"), ctx.el("span", { text: ctx.t(side.refused(item.error)) })));
      if (item.reason) li.append(ctx.el("p", { class: "hint", text: ctx.t("For your worker: {reason}", { reason: item.reason }) }));
    } else {
      li.append(ctx.el("p", { class: "state" }, icon("waiting"), ctx.el("span", { text: ctx.t(side.words.waiting) })));
    }
    list.append(li);
  }
  main.append(list);
}

// What the person typed or chose so far, per form version: held here while the app is open (a new language redraws
// the screen, and the answers stay) and kept in IndexedDB (kept.js), so closing the app loses nothing.
const drafts = new Map();
let saving = null; // the next write of the answers on screen (one form is on screen at a time)

function questionText(ctx, field, lang) {
  const text = check.words(field.label, lang, field.name);
  return field.required || field.required_if ? text : `${text} ${ctx.t("(optional)")}`;
}

// The parts every question has: its id, its hint and its error line (said beside the question).
function parts(ctx, field, id, lang) {
  const hintText = check.words(field.hint, lang, "");
  const hint = hintText ? ctx.el("p", { id: `${id}-hint`, class: "hint", text: hintText }) : null;
  const error = ctx.el("p", { id: `${id}-error`, class: "field-error", hidden: true });
  const describedBy = [hint ? `${id}-hint` : null, `${id}-error`].filter(Boolean).join(" ");
  return { hint, error, describedBy };
}

function widget(ctx, field, id, draft, lang, limits, extraHint, save, words) {
  const { hint, error, describedBy } = parts(ctx, field, id, lang);
  const path = field.path;
  const box = ctx.el("div", { class: "field", "data-path": path });
  const w = { field, box, error, value: () => draft.values[path], ready: () => Promise.resolve(), stop: () => {} };
  w.show = (words, control) => {
    error.hidden = !words;
    error.textContent = words || "";
    if (words) box.dataset.invalid = "1";
    else delete box.dataset.invalid;
    for (const c of control ? [control] : box.querySelectorAll("input, textarea")) {
      if (words) c.setAttribute("aria-invalid", "true");
      else c.removeAttribute("aria-invalid");
    }
  };
  const question = questionText(ctx, field, lang);
  const hints = [hint, extraHint ? ctx.el("p", { id: `${id}-more`, class: "hint", text: extraHint }) : null].filter(Boolean);
  const described = extraHint ? `${describedBy} ${id}-more` : describedBy;
  const keep = (value) => {
    draft.values[path] = value;
    save();
  };
  const type = field.type;

  if (["text", "integer", "decimal", "date"].includes(type)) {
    const multiline = type === "text" && String(field.appearance || "").includes("multiline");
    const attrs = { id, name: id, "aria-describedby": described, autocomplete: "off" };
    if (type === "integer") Object.assign(attrs, { type: "text", inputmode: "numeric", spellcheck: "false" });
    if (type === "decimal") Object.assign(attrs, { type: "text", inputmode: "decimal", spellcheck: "false" });
    if (type === "date") attrs.type = "date";
    if (type === "text" && !multiline) attrs.type = "text";
    const input = ctx.el(multiline ? "textarea" : "input", attrs);
    input.value = draft.values[path] ?? (field.default && type !== "date" ? String(field.default) : "");
    if (input.value) draft.values[path] = input.value;
    input.addEventListener("input", () => keep(input.value));
    box.append(ctx.el("label", { for: id, text: question }), ...hints, error, input);
    w.focus = () => input.focus();
    return w;
  }

  if (type === "select_one" || type === "select_multiple") {
    const many = type === "select_multiple";
    const set = ctx.el("fieldset", { "aria-describedby": described }, ctx.el("legend", { text: question }), ...hints, error);
    const chosen = new Set(many ? (draft.values[path] || []) : [draft.values[path]].filter(Boolean));
    const inputs = [];
    (field.choices || []).forEach((choice, n) => {
      const input = ctx.el("input", { type: many ? "checkbox" : "radio", id: `${id}-${n}`, name: id, value: choice.name });
      input.checked = chosen.has(choice.name);
      input.addEventListener("change", () => {
        keep(many ? inputs.filter((i) => i.checked).map((i) => i.value) : input.value);
      });
      inputs.push(input);
      set.append(ctx.el("label", { class: "choice", for: `${id}-${n}` }, input,
        ctx.el("span", { text: check.words(choice.label, lang, choice.name) })));
    });
    if (many) set.append(ctx.el("p", { class: "hint", text: ctx.t("Choose all that are true.") }));
    box.append(set);
    // A choice_filter offers some choices only (logic.js, with the other answers): the rest are hidden, unchosen.
    w.offer = (names) => {
      const offered = names ? new Set(names) : null;
      let changed = false;
      for (const input of inputs) {
        const shown = !offered || offered.has(input.value);
        input.closest("label").hidden = !shown;
        if (!shown && input.checked) {
          input.checked = false;
          changed = true;
        }
      }
      if (changed) keep(many ? inputs.filter((i) => i.checked).map((i) => i.value) : undefined);
    };
    w.focus = () => (inputs.find((i) => !i.closest("label").hidden) || inputs[0]).focus();
    return w;
  }

  if (type === "image") {
    const input = ctx.el("input", { type: "file", id, name: id, accept: "image/*", capture: "environment", "aria-describedby": described });
    const shown = ctx.el("div", { class: "preview" });
    const said = ctx.el("p", { class: "hint", role: "status" });
    const preview = (value) => {
      shown.replaceChildren(ctx.el("img", { class: "form-photo", src: URL.createObjectURL(value.blob), alt: ctx.t("The photo you chose") }));
      said.textContent = value.scaled ? ctx.t("Made smaller to {width} by {height} pixels, so it is quick to send.", value) : "";
    };
    if (draft.values[path]) preview(draft.values[path]);
    let working = Promise.resolve();
    input.addEventListener("change", () => {
      const file = input.files && input.files[0];
      if (!file) return;
      working = (async () => {
        said.textContent = ctx.t("Getting the photo ready…");
        const made = await media.photoFor(file, field.max_pixels, limits.photo_bytes);
        if (made.problem) {
          delete draft.values[path];
          save();
          shown.replaceChildren();
          said.textContent = "";
          w.show(ctx.t(made.problem, { size: check.megabytes(limits.photo_bytes) }));
          return;
        }
        w.show(null);
        keep(made);
        preview(made);
      })();
    });
    w.ready = () => working;
    box.append(ctx.el("label", { for: id, text: question }), ...hints, error, input, said, shown);
    w.focus = () => input.focus();
    return w;
  }

  if (type === "audio") {
    const set = ctx.el("fieldset", { "aria-describedby": described }, ctx.el("legend", { text: question }), ...hints, error);
    const said = ctx.el("p", { class: "hint", role: "status" });
    const played = ctx.el("div");
    const show = (value) => played.replaceChildren(ctx.el("audio", { src: URL.createObjectURL(value.blob), controls: true,
      "aria-label": ctx.t("Your voice note") }));
    if (draft.values[path]) show(draft.values[path]);
    if (!media.canRecord()) {
      set.append(ctx.el("p", { text: ctx.t(words.noRecording) }));
      box.append(set);
      w.focus = () => {};
      return w;
    }
    const rec = media.recorder();
    const button = ctx.el("button", { type: "button", class: "button secondary", id }, icon("voice"),
      ctx.el("span", { text: draft.values[path] ? ctx.t("Record it again") : ctx.t("Record a voice note") }));
    let finished = Promise.resolve();
    const finish = () => {
      finished = rec.stop().then((blob) => {
        if (blob) {
          keep({ blob, type: blob.type, bytes: blob.size });
          show(draft.values[path]);
          const p = check.problem(field, draft.values[path], { lang, limits });
          w.show(p ? ctx.t(p.msgid, p.vars) : null);
        }
        said.textContent = blob ? ctx.t("Voice note ready. It is sent with the form.") : ctx.t("Nothing was recorded. Try again.");
        button.lastChild.textContent = ctx.t("Record it again");
      });
      return finished;
    };
    button.addEventListener("click", async () => {
      if (rec.recording) {
        finish();
        return;
      }
      try {
        await rec.start();
        button.lastChild.textContent = ctx.t("Stop recording");
        said.textContent = ctx.t("Recording. Press Stop recording when you have finished.");
      } catch {
        said.textContent = ctx.t(words.noMicrophone);
      }
    });
    w.ready = () => (rec.recording ? finish() : finished);
    set.append(button, said, played);
    box.append(set);
    w.focus = () => button.focus();
    return w;
  }

  if (type === "signature") {
    const set = ctx.el("fieldset", { "aria-describedby": described }, ctx.el("legend", { text: question }), ...hints, error);
    const canvas = ctx.el("canvas", { class: "signature-pad", width: "600", height: "200", "aria-hidden": "true", "data-pad": path });
    const typed = ctx.el("input", { type: "text", id, name: id, autocomplete: "name", "aria-describedby": `${id}-sign-hint` });
    const held = draft.values[path] || {};
    typed.value = held.typed || "";
    const pad = media.signaturePad(canvas, () => {
      keep({ image: canvas.getContext("2d").getImageData(0, 0, canvas.width, canvas.height), typed: typed.value });
    });
    if (held.image) pad.restore(held.image);
    typed.addEventListener("input", () => {
      keep({ ...(draft.values[path] || {}), typed: typed.value });
    });
    const clear = ctx.el("button", { type: "button", class: "button secondary" }, icon("stop"), ctx.el("span", { text: ctx.t("Clear the signature") }));
    clear.addEventListener("click", () => {
      pad.clear();
      keep({ typed: typed.value });
    });
    set.append(ctx.el("p", { class: "hint", text: ctx.t("Draw your signature in the box with your finger.") }), canvas, clear,
      ctx.el("label", { for: id, text: ctx.t("Or type your full name instead") }),
      ctx.el("p", { id: `${id}-sign-hint`, class: "hint", text: ctx.t("If you cannot draw, your typed name is sent as your signature.") }), typed);
    box.append(set);
    // The signature as the hub takes it: the drawing as a PNG, else the typed name drawn as one; or nothing.
    w.value = async () => {
      if (pad.drawn()) return media.canvasPng(canvas, field.max_pixels);
      const name = typed.value.trim();
      if (name) return media.canvasPng(media.typedSignature(name, canvas.width, canvas.height), field.max_pixels);
      return undefined;
    };
    w.focus = () => typed.focus();
    return w;
  }

  if (type === "geopoint") {
    const set = ctx.el("fieldset", { "aria-describedby": described }, ctx.el("legend", { text: question }), ...hints, error);
    const said = ctx.el("p", { role: "status", class: "lead" });
    const warning = ctx.el("p", { class: "warning", hidden: true });
    const capture = Number(field.capture_accuracy) || 0;
    const warn = Number(field.warning_accuracy) || 0;
    let stopWatching = null;
    const describe = (fix, looking) => {
      const metres = Math.max(1, Math.round(fix.accuracy));
      said.textContent = ctx.t("Found where you are, to within {metres} metres.", { metres })
        + (looking ? ` ${ctx.t("Still looking for a closer fix. You can send the form now, or wait.")}` : "");
      warning.hidden = !(warn && fix.accuracy > warn);
      warning.textContent = warning.hidden ? "" : ctx.t("This is not very exact. If you can, go outside or near a window and wait. You can also send it as it is.");
    };
    const stop = () => {
      if (stopWatching) stopWatching();
      stopWatching = null;
      button.lastChild.textContent = ctx.t("Find where I am again");
    };
    const button = ctx.el("button", { type: "button", class: "button secondary", id }, icon("place"),
      ctx.el("span", { text: draft.values[path] ? ctx.t("Find where I am again") : ctx.t("Find where I am") }));
    button.addEventListener("click", () => {
      if (stopWatching) {
        stop();
        return;
      }
      said.textContent = ctx.t("Looking for where you are…");
      button.lastChild.textContent = ctx.t("Stop looking");
      addEventListener("hashchange", () => stopWatching && stop(), { once: true }); // the person left the form
      let first = true; // a new look replaces the place found before; then only a closer fix does
      stopWatching = media.watchPlace((fix) => {
        if (!box.isConnected) return stop();
        const best = draft.values[path];
        if (first || !best || fix.accuracy <= best.accuracy) keep(fix);
        first = false;
        const held = draft.values[path];
        const done = capture && held.accuracy <= capture;
        describe(held, !done);
        if (done) stop();
        w.show(null);
      }, (code) => {
        stop();
        said.textContent = code === 1
          ? ctx.t("This phone did not let the app know where you are. Allow location for this app in the phone's settings, then try again.")
          : ctx.t("Where you are could not be found. Try again outside or near a window.");
      });
    });
    if (draft.values[path]) describe(draft.values[path], false);
    set.append(ctx.el("p", { class: "hint", text: ctx.t("The app uses your phone's location. Nothing is sent until you send the form.") }),
      button, said, warning);
    box.append(set);
    w.stop = () => stopWatching && stop();
    w.focus = () => button.focus();
    return w;
  }
  return null;
}

function localDay(now) {
  const pad = (n) => String(n).padStart(2, "0");
  return `${now.getFullYear()}-${pad(now.getMonth() + 1)}-${pad(now.getDate())}`;
}

export async function renderForm(main, ctx, side = phone) {
  if (!(await side.ready(main, ctx))) return;
  addFormStyle();
  const { one, limits: keptLimits, loadDraft, saveDraft, dropDraft } = side.forms;
  const form = await one(ctx.params.form || "");
  if (!form) {
    main.append(ctx.el("p", { class: "lead", text: ctx.t(side.words.missing) }),
      ctx.el("a", { class: "button", href: ctx.href("forms") }, icon("forms"), ctx.el("span", { text: ctx.t("Back to forms") })));
    return;
  }
  const lang = language();
  const limits = await keptLimits();
  const key = `${form.form_id}|${form.version}`;
  const earlier = drafts.has(key) ? null : await loadDraft(form);
  const draft = drafts.get(key) || earlier || { started: new Date().toISOString(), values: {} };
  drafts.set(key, draft);
  // Every change is kept on the phone (a moment later), so a form closed half-filled opens again as it was.
  const save = () => {
    showLogic();
    clearTimeout(saving);
    saving = setTimeout(() => saveDraft(form, draft).catch((error) => console.warn(error)), 300);
  };
  main.append(ctx.el("h2", { text: form.title }),
    ctx.el("p", { class: "lead", text: ctx.t("Take as long as you need. Nothing is sent until you send the form.") }));
  if (Object.keys(draft.values).length) {
    main.append(ctx.el("p", { class: "note", text: ctx.t(side.words.draft) }),
      action(ctx, "refresh", ctx.t("Clear my answers and start again"), async () => {
        clearTimeout(saving);
        drafts.delete(key);
        await dropDraft(form.form_id);
        ctx.navigate("form", { form: form.form_id });
      }, { class: "button secondary" }));
  }
  const summary = ctx.el("div", { class: "problem", role: "alert", tabindex: "-1", hidden: true });
  const fill = ctx.el("form", { class: "fill", novalidate: true, "data-form": form.form_id });
  const widgets = [];
  const shown = new Map(); // path -> what shows it (a question's box, a group's heading, a note)
  form.fields.forEach((field, n) => {
    const id = `q${n}`;
    if (field.type === "group") {
      const heading = ctx.el("h3", { class: "form-group", text: check.words(field.label, lang, field.name) });
      shown.set(field.path, heading);
      fill.append(heading);
      return;
    }
    if (field.type === "note") {
      const note = ctx.el("p", { class: "note", text: check.words(field.label, lang, "") });
      shown.set(field.path, note);
      fill.append(note);
      return;
    }
    if (check.AUTOMATIC.has(field.type)) return;
    const extra = field.type === "image" && field.max_pixels
      ? ctx.t(side.words.smaller) : null;
    const made = widget(ctx, field, id, draft, lang, limits, extra, save, side.words);
    if (!made) return;
    widgets.push(made);
    shown.set(field.path, made.box);
    fill.append(made.box);
  });

  // The answers so far as the submission sends them (a file as its type and size, before it is kept), for the
  // form's logic: which questions are asked now, which must be answered, which choices a filter offers.
  function answersNow() {
    const values = {};
    for (const w of widgets) {
      const raw = draft.values[w.field.path];
      if (check.isEmpty(raw)) continue;
      if (check.ATTACHED.has(w.field.type)) values[w.field.path] = { sha256: "", type: raw.type || "image/png", bytes: raw.bytes || 1 };
      else if (w.field.type === "geopoint") values[w.field.path] = raw;
      else if (check.answer(w.field, raw) !== undefined) values[w.field.path] = check.answer(w.field, raw);
    }
    return values;
  }
  const logicNow = () => {
    try {
      return formState(form.fields, answersNow(), check.today());
    } catch (error) { // an expression this app cannot read: every question asked, the hub decides the rest
      console.warn(error);
      return { asked: new Set(form.fields.map((f) => f.path)), offered: {}, problems: {},
               required: new Set(form.fields.filter((f) => f.required).map((f) => f.path)) };
    }
  };
  // Questions not asked (skip logic) are hidden, and left out of what is sent: the hub refuses an answer to them.
  function showLogic() {
    const state = logicNow();
    for (const [path, node] of shown) node.hidden = !state.asked.has(path);
    for (const w of widgets) if (w.offer) w.offer(state.offered[w.field.path] || null);
    return state;
  }
  const send = ctx.el("button", { type: "submit", class: "button" }, icon("sent"), ctx.el("span", { text: ctx.t("Send the form") }));
  fill.append(ctx.el("p", {}, send));
  main.append(summary, fill);
  showLogic();

  let busy = false;
  fill.addEventListener("submit", async (event) => {
    event.preventDefault();
    if (busy) return;
    busy = true;
    send.setAttribute("aria-busy", "true");
    try {
      await submit();
    } finally {
      busy = false;
      send.removeAttribute("aria-busy");
    }
  });

  const say = (p) => (p.own ? p.msgid : ctx.t(p.msgid, p.vars));
  function showSummary(found) {
    summary.replaceChildren(ctx.el("h2", { text: ctx.t("There is a problem") }),
      ctx.el("p", { text: ctx.t("Check the answers marked below.") }),
      ctx.el("ul", {}, ...found.map(([w, words]) => ctx.el("li", { text: `${check.words(w.field.label, lang, w.field.name)}: ${words}` }))));
    summary.hidden = false;
    summary.focus();
  }

  async function submit() {
    for (const w of widgets) w.stop();
    await Promise.all(widgets.map((w) => w.ready()));
    const found = [];
    const answers = new Map();
    const state = showLogic();
    for (const w of widgets) {
      const path = w.field.path;
      if (!state.asked.has(path)) {
        w.show(null);
        continue;
      }
      const value = await w.value();
      answers.set(w, value);
      const p = check.problem(w.field, value, { lang, limits, required: state.required.has(path) })
        || check.logicProblem(w.field, state.problems[path], lang);
      w.show(p ? say(p) : null);
      if (p) found.push([w, say(p)]);
    }
    if (found.length) return showSummary(found);
    const values = {};
    const files = []; // on a tablet: the uploads the edge must hold before it takes the submission
    for (const w of widgets) {
      let value = answers.get(w);
      if (!state.asked.has(w.field.path) || check.isEmpty(value)) continue;
      if (check.ATTACHED.has(w.field.type)) {
        const kept = await side.keepFile(value.blob, w.field.type === "audio"); // on this device before the outbox
        if (kept.problem) {
          w.show(ctx.t(kept.problem));
          return showSummary([[w, ctx.t(kept.problem)]]);
        }
        value = kept.value;
        if (kept.attachment && !files.some((f) => f.sha256 === kept.attachment.sha256)) files.push(kept.attachment);
      } else {
        value = check.answer(w.field, value);
      }
      values[w.field.path] = value;
    }
    const now = new Date();
    for (const field of form.fields) {
      if (field.type === "start") values[field.path] = draft.started;
      if (field.type === "end") values[field.path] = now.toISOString();
      if (field.type === "today") values[field.path] = localDay(now);
    }
    if (new TextEncoder().encode(JSON.stringify(values)).length > MAX_VALUES_BYTES) {
      summary.replaceChildren(ctx.el("p", { text: ctx.t("Your answers are too long to send. Make the longest answers shorter.") }));
      summary.hidden = false;
      summary.focus();
      return;
    }
    const submission = { form_id: form.form_id, version: form.version, filled_at: now.toISOString(), values };
    await ctx.outbox.add({ kind: KIND, body: await side.body(submission, files) });
    clearTimeout(saving);
    drafts.delete(key);
    await dropDraft(form.form_id);
    ctx.navigate("forms", { sent: form.form_id });
  }
}
