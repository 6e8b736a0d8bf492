// Messages: a conversation for each of the person's workers and teams (the contacts feed), and in each the
// messages both ways with their state in words and an icon: waiting to send, not sent (why), sent, read.
// A worker's message shown on screen gets a read receipt, once (it goes through the outbox like the rest).
import * as db from "../db.js";
import { contacts, messages } from "../feed.js";
import { attachmentUrl, isPhoto } from "../files.js";
import { HubError, wordsFor } from "../hub.js";
import { pull } from "../sync.js";
import { keepPhoto } from "../uploads.js";
import { N_ } from "../words.js";
import { ROLES, action, activated, again, icon, shortWhen } from "../ui.js";

async function load(ctx) {
  return { changes: await db.all("feed"), waiting: await ctx.outboxItems() };
}

function contactName(ctx, contact) {
  if (!contact) return "";
  if (contact.team) return ctx.t("{name} (a team)", { name: contact.name });
  const role = ROLES[contact.role];
  return role ? `${contact.name} (${ctx.t(role)})` : contact.name;
}

function threadsOf(changes, waiting) {
  const people = contacts(changes);
  const shown = messages(changes, waiting);
  for (const message of shown) {
    if (!people.some((c) => c.to === message.thread)) {
      people.push({ to: message.thread, name: message.thread.replace(/^team:/, ""), team: message.thread.startsWith("team:"), gone: true });
    }
  }
  return { people, shown };
}

export async function renderList(main, ctx) {
  if (!(await activated(main, ctx))) return;
  const refresh = action(ctx, "refresh", ctx.t("Check for new messages"), async () => {
    const answer = await pull();
    if (answer && answer.error) ctx.say(ctx.t(wordsFor(answer.error.code)));
    again(ctx, "messages");
  }, { class: "button secondary" });
  const { changes, waiting } = await load(ctx);
  const { people, shown } = threadsOf(changes, waiting);
  main.append(refresh);
  if (!people.length) {
    main.append(ctx.el("p", { class: "lead", text: ctx.t("No one to write to yet. Your worker's name comes here once they add you to their list.") }));
    return;
  }
  const list = ctx.el("ul", { class: "threads" });
  for (const contact of people) {
    const mine = shown.filter((m) => m.thread === contact.to);
    const unread = mine.filter((m) => !m.mine && !ctx.receipted.has(m.id)).length;
    const last = mine[mine.length - 1];
    const link = ctx.el("a", { class: "tile thread-link", href: ctx.href("conversation", { to: contact.to }) },
      icon("messages"), ctx.el("span", { class: "tile-label", text: contactName(ctx, contact) }));
    if (unread) link.append(ctx.el("span", { class: "badge", text: ctx.t("{n} new", { n: unread }) }));
    if (last) link.append(ctx.el("span", { class: "preview", text: last.text.slice(0, 80) }));
    if (contact.team && contact.replyWithin) {
      link.append(ctx.el("span", { class: "hint", text: ctx.t("Someone answers within {time}", { time: contact.replyWithin }) }));
    }
    list.append(ctx.el("li", {}, link));
  }
  main.append(list);
}

const STATE_WORDS = {
  waiting: N_("Waiting to send"),
  sent: N_("Sent"),
  read: N_("Read"),
  refused: N_("Not sent"),
  received: "",
};

// A photo or voice note: a button saying what it is and its size; pressed, it is fetched (once) and shown.
function attachment(ctx, ref, from) {
  const size = `${Math.max(1, Math.round(ref.bytes / 1024))} KB`;
  const box = ctx.el("div", { class: "attachment" });
  const said = ctx.el("p", { role: "status" });
  const open = async () => {
    const url = await attachmentUrl(ref);
    box.replaceChildren(isPhoto(ref)
      ? ctx.el("img", { src: url, class: "photo", alt: ctx.t("Photo from {name}", { name: from }) })
      : ctx.el("audio", { src: url, controls: true, "aria-label": ctx.t("Voice note from {name}", { name: from }) }));
  };
  // One on this phone already (sent from it, or opened before) shows at once: it costs no data.
  db.get("files", ref.sha256).then((kept) => kept && open()).catch(() => {});
  box.append(action(ctx, isPhoto(ref) ? "camera" : "voice", isPhoto(ref) ? ctx.t("Show the photo ({size})", { size })
    : ctx.t("Play the voice note ({size})", { size }), async () => {
    try {
      await open();
    } catch (error) {
      if (!(error instanceof HubError)) throw error;
      said.textContent = ctx.t("It could not be fetched: {why}", { why: ctx.t(wordsFor(error.code)) });
    }
  }, { class: "button secondary" }), said);
  return box;
}

function bubble(ctx, message, contact) {
  const from = message.mine ? ctx.t("You") : (message.who || contact.name);
  const item = ctx.el("li", { class: `message ${message.mine ? "mine" : "theirs"}`, "data-id": message.id, "data-state": message.state },
    ctx.el("p", { class: "from" }, ctx.el("strong", { text: from }), ctx.el("span", { text: ` · ${shortWhen(message.at)}` })),
    ctx.el("p", { class: "text", text: message.text }));
  for (const ref of message.attachments) item.append(attachment(ctx, ref, from));
  if (message.mine) {
    let words = ctx.t(STATE_WORDS[message.state]);
    if (message.state === "read") words = ctx.t("Read by {name}", { name: contact.name });
    if (message.state === "sent") words = ctx.t("Sent. Not read yet.");
    if (message.state === "waiting") words = ctx.t("Waiting to send. It goes when you are online.");
    const state = ctx.el("p", { class: `state ${message.state}` }, icon(message.state), ctx.el("span", { text: words }));
    item.append(state);
    if (message.state === "refused") {
      item.append(ctx.el("p", { class: "reason", text: ctx.t(wordsFor(message.error)) }));
      if (message.reason) item.append(ctx.el("p", { class: "hint", text: ctx.t("For your worker: {reason}", { reason: message.reason }) }));
    }
  }
  return item;
}

export async function renderConversation(main, ctx) {
  if (!(await activated(main, ctx))) return;
  const to = ctx.params.to || "";
  const { changes, waiting } = await load(ctx);
  const { people, shown } = threadsOf(changes, waiting);
  const contact = people.find((c) => c.to === to) || { to, name: to.replace(/^team:/, ""), team: to.startsWith("team:") };
  main.append(ctx.el("h2", { text: ctx.t("Messages with {name}", { name: contactName(ctx, contact) }) }));
  const list = ctx.el("ol", { class: "conversation" });
  const mine = shown.filter((m) => m.thread === to);
  for (const message of mine) list.append(bubble(ctx, message, contact));
  if (!mine.length) main.append(ctx.el("p", { text: ctx.t("No messages yet.") }));
  main.append(list);
  // Shown: each worker's message not yet receipted gets a read receipt, through the outbox.
  for (const message of mine) {
    if (message.mine || ctx.receipted.has(message.id)) continue;
    ctx.receipted.add(message.id);
    await db.put("device", true, `read:${message.id}`);
    await ctx.outbox.add({ kind: "read", body: { message: message.id, read_at: new Date().toISOString() } });
  }
  if (contact.gone) {
    main.append(ctx.el("p", { class: "note", text: ctx.t("You cannot write here now: this person is not one of your workers any more.") }));
    return;
  }
  const text = ctx.el("textarea", { id: "message-text", name: "text", maxlength: "4000", "aria-describedby": "message-hint" });
  const saved = ctx.el("p", { role: "status", class: "note-quiet" });
  // A photo goes to a worker, not to a team (the hub refuses photos to teams).
  const photo = contact.team ? null : ctx.el("input", { type: "file", id: "message-photo", name: "photo",
    accept: "image/jpeg,image/png,image/webp", capture: "environment", "aria-describedby": "message-photo-hint" });
  // A voice note to a worker: recorded with the microphone (MediaRecorder), no time limit; kept with the message.
  let voice = null;
  let recorder = null;
  const voiceSaid = ctx.el("p", { class: "hint", role: "status" });
  const record = ctx.el("button", { type: "button", class: "button secondary" }, icon("voice"),
    ctx.el("span", { text: ctx.t("Record a voice note") }));
  const canRecord = !contact.team && typeof MediaRecorder === "function" && navigator.mediaDevices
    && navigator.mediaDevices.getUserMedia;
  record.addEventListener("click", async () => {
    if (recorder && recorder.state === "recording") {
      recorder.stop();
      return;
    }
    form.dataset.keep = "recording"; // a sync does not redraw the screen under the person's recording
    try {
      const stream = await navigator.mediaDevices.getUserMedia({ audio: true });
      const parts = [];
      recorder = new MediaRecorder(stream);
      recorder.ondataavailable = (event) => { if (event.data && event.data.size) parts.push(event.data); };
      recorder.onstop = () => {
        stream.getTracks().forEach((track) => track.stop());
        voice = parts.length ? new Blob(parts, { type: "audio/webm" }) : null;
        record.lastChild.textContent = ctx.t("Record it again");
        voiceSaid.textContent = voice ? ctx.t("Voice note ready. It is sent with your message.") : ctx.t("Nothing was recorded. Try again.");
      };
      recorder.start();
      record.lastChild.textContent = ctx.t("Stop recording");
      voiceSaid.textContent = ctx.t("Recording. Press Stop recording when you have finished.");
    } catch {
      delete form.dataset.keep;
      voiceSaid.textContent = ctx.t("This phone could not use its microphone.");
    }
  });
  const form = ctx.el("form", { class: "write", novalidate: true },
    ctx.el("label", { for: "message-text", class: "label-big", text: ctx.t("Write a message to {name}", { name: contact.name }) }),
    ctx.el("p", { id: "message-hint", class: "hint", text: ctx.t("It is kept on this phone first, and sent when you are online.") }),
    text,
    ...(photo ? [ctx.el("label", { for: "message-photo", class: "label-big", text: ctx.t("Add a photo (you can leave this empty)") }),
      ctx.el("p", { id: "message-photo-hint", class: "hint", text: ctx.t("A photo of a letter or a form, say. It uses data to send.") }), photo] : []),
    ...(canRecord ? [ctx.el("div", { class: "field" }, record, voiceSaid)] : []),
    ctx.el("p", {}, ctx.el("button", { type: "submit", class: "button" }, icon("sent"), ctx.el("span", { text: ctx.t("Send") }))),
    saved);
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const words = text.value.trim();
    const chosen = photo && photo.files && photo.files[0];
    if (!words && !chosen && !voice) {
      saved.textContent = ctx.t("Write something first.");
      text.focus();
      return;
    }
    const body = { to, text: words, written_at: new Date().toISOString() };
    if (chosen) {
      const kept = await keepPhoto(chosen); // on this phone before the message is in the outbox
      if (kept.problem) {
        saved.textContent = ctx.t(kept.problem);
        photo.focus();
        return;
      }
      body.attachments = [kept.ref];
    }
    if (voice) {
      const kept = await keepPhoto(voice, true);
      if (kept.problem) {
        voiceSaid.textContent = ctx.t(kept.problem);
        return;
      }
      body.attachments = [...(body.attachments || []), kept.ref];
    }
    await ctx.outbox.add({ kind: "message", body });
    text.value = "";
    delete form.dataset.keep;
    ctx.navigate("conversation", { to });
  });
  main.append(form);
}
