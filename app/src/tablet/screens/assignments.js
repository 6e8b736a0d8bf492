// Assignments: text, a photo from the camera and a voice note (MediaRecorder). Pressing "Send to my tutor" keeps
// it all on this tablet first (the files in IndexedDB, the submission in the outbox) and only then tries to send:
// the sender uploads the files in resumable chunks, then sends the submission (sync.js). No time limit anywhere.
import { store } from "../../shell/store.js";
import { call } from "../edge.js";
import { icon } from "../icons.js";
import { recordBody, whoAmI } from "../records.js";
import { refreshMe } from "../sync.js";
import { hold, mediaType } from "../uploads.js";
import { COURSES } from "./library.js";

const GENERAL = { id: "general", title: "General", items: [{ id: "general", title: "General" }] };

async function limits() {
  try {
    const found = await call("GET", "/v1/attachments/limits");
    await store.put("tablet", { ...found, id: "limits" });
    return found;
  } catch {
    return store.get("tablet", "limits");
  }
}

function field(el, id, label, control, hint) {
  const hintId = hint ? `${id}-hint` : null;
  if (hintId) control.setAttribute("aria-describedby", hintId);
  return el("div", { class: "field" }, el("label", { for: id, text: label }),
    hint ? el("p", { class: "hint", id: hintId, text: hint }) : null, control);
}

export async function renderAssignments(main, ctx) {
  const { el, t } = ctx;
  const me = (await whoAmI()) || (await refreshMe());
  if (!me || !me.learner) {
    main.append(el("p", { class: "lead", text: t("This tablet is not set up for you yet. Ask staff to set it up, then open this page again.") }));
    return;
  }
  const courses = (await store.all(COURSES)).sort((a, b) => a.title.localeCompare(b.title));
  const choices = courses.length ? courses : [GENERAL];
  const allowed = await limits();

  const course = el("select", { id: "a-course", name: "course" },
    ...choices.map((c) => el("option", { value: c.id, text: c === GENERAL ? t("General") : c.title })));
  const part = el("select", { id: "a-part", name: "part" });
  const fillParts = () => {
    const chosen = choices.find((c) => c.id === course.value) || choices[0];
    const parts = chosen.items.length ? chosen.items : GENERAL.items;
    part.replaceChildren(...parts.map((i) => el("option", { value: i.id, text: i === GENERAL.items[0] ? t("General") : i.title })));
  };
  course.addEventListener("change", fillParts);
  fillParts();
  const text = el("textarea", { id: "a-text", name: "text", rows: "8" });
  const photo = el("input", { id: "a-photo", name: "photo", type: "file", accept: "image/*", capture: "environment" });
  const photoNote = el("p", { class: "hint", id: "a-photo-note", role: "status" });
  photo.addEventListener("change", () => {
    photoNote.textContent = photo.files.length ? t("Photo ready: {name}", { name: photo.files[0].name }) : "";
  });

  let voice = null;  // the recorded Blob
  let recorder = null;
  const voiceNote = el("p", { class: "hint", id: "a-voice-note", role: "status" });
  const recordButton = el("button", { type: "button", class: "button secondary", id: "a-record" },
    icon("mic"), el("span", { text: t("Record a voice note") }));
  const canRecord = typeof MediaRecorder === "function" && navigator.mediaDevices && navigator.mediaDevices.getUserMedia;
  if (!canRecord) recordButton.hidden = true;
  recordButton.addEventListener("click", async () => {
    if (recorder && recorder.state === "recording") { recorder.stop(); return; }
    try {
      const stream = await navigator.mediaDevices.getUserMedia({ audio: true });
      const parts = [];
      recorder = new MediaRecorder(stream);
      recorder.ondataavailable = (e) => { if (e.data && e.data.size) parts.push(e.data); };
      recorder.onstop = () => {
        stream.getTracks().forEach((track) => track.stop());
        voice = new Blob(parts, { type: mediaType(recorder.mimeType || "audio/webm") });
        recordButton.lastChild.textContent = t("Record it again");
        voiceNote.textContent = voice.size ? t("Voice note ready.") : t("Nothing was recorded. Try again.");
        if (!voice.size) voice = null;
      };
      recorder.start();
      recordButton.lastChild.textContent = t("Stop recording");
      voiceNote.textContent = t("Recording. Press Stop recording when you have finished.");
    } catch (e) {
      voiceNote.textContent = t("The tablet could not use its microphone ({reason}).", { reason: e.message || e });
    }
  });

  const problemBox = el("div", { id: "a-problem", role: "alert" });
  const done = el("p", { id: "a-done", role: "status", class: "lead" });
  const form = el("form", { id: "assignment-form", novalidate: true },
    field(el, "a-course", t("Which course is it for?"), course),
    field(el, "a-part", t("Which part?"), part),
    field(el, "a-text", t("Your work"), text, t("Write as much as you like. There is no time limit.")),
    field(el, "a-photo", t("Take a photo"), photo, t("A photo of your work on paper, for example.")),
    photoNote,
    el("div", { class: "field" }, el("p", { class: "label", text: t("Voice note") }), recordButton, voiceNote),
    problemBox,
    el("button", { type: "submit", class: "button", id: "a-send" }, icon("send"), el("span", { text: t("Send to my tutor") })),
    done);

  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    problemBox.replaceChildren();
    problemBox.className = "";
    done.textContent = "";
    const say = (words) => {
      problemBox.className = "problem";
      problemBox.replaceChildren(el("p", { text: words }));
    };
    if (recorder && recorder.state === "recording") { say(t("Stop the recording first.")); return; }
    const file = photo.files[0] || null;
    if (!text.value.trim() && !file && !voice) {
      say(t("Write something, take a photo or record a voice note first."));
      return;
    }
    const types = allowed && Array.isArray(allowed.types) ? allowed.types : null;
    for (const blob of [file, voice]) {
      if (blob && types && !types.includes(mediaType(blob.type))) {
        say(t("This tablet cannot send files of this kind ({type}). Take the photo again as a JPEG or PNG.", { type: mediaType(blob.type) }));
        return;
      }
      if (blob && allowed && blob.size > allowed.max_bytes) {
        say(t("This file is too big to send. Take a smaller photo or a shorter voice note."));
        return;
      }
    }
    const attachments = [];
    if (file) attachments.push(await hold(file, file.name || "photo"));
    if (voice) attachments.push(await hold(voice, `voice-note.${mediaType(voice.type).split("/")[1] || "webm"}`));
    const payload = { assignment: part.value, course: course.value, text: text.value, attachments };
    await ctx.outbox.add({ kind: "assignment_submission", body: await recordBody(me.learner, payload) });
    form.reset();
    fillParts();
    voice = null;
    photoNote.textContent = "";
    voiceNote.textContent = "";
    recordButton.lastChild.textContent = t("Record a voice note");
    done.textContent = navigator.onLine === false
      ? t("Kept on this tablet. It will be sent to your tutor when the tablet is connected.")
      : t("Kept on this tablet and on its way to your tutor.");
  });
  main.append(el("p", { class: "lead", text: t("Send your work to your tutor: write it, take a photo, or record your voice.") }), form);
}
