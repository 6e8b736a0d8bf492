// Setting the phone up: the code from the release letter, typed (one large field), or its square code scanned
// with the camera where the browser can read one (BarcodeDetector); else the typed code is the way.
import { activation } from "../device.js";
import { HubError, activate } from "../hub.js";
import { OfferError } from "../offer.js";
import { pull } from "../sync.js";
import { action, icon, problem } from "../ui.js";
import { N_ } from "../words.js";

const HELP = [
  N_("Check each letter and number. The letter O and the number 0 are the same here, and so are I, L and 1."),
  N_("A code works once, for 7 days. If it is too old or was used, ask your worker for a new one."),
  N_("If the square code will not scan, type the code under it."),
  N_("If it still does not work, call your worker. The number is on your letter."),
];

async function scanner(ctx, onText, status) {
  if (typeof BarcodeDetector !== "function" || !navigator.mediaDevices) return null;
  try {
    const formats = await BarcodeDetector.getSupportedFormats();
    if (!formats.includes("qr_code")) return null;
  } catch {
    return null;
  }
  const video = ctx.el("video", { class: "scan-view", playsinline: true, muted: true, hidden: true,
                                  "aria-label": ctx.t("What the camera sees") });
  let stream = null;
  const stop = () => {
    if (stream) for (const track of stream.getTracks()) track.stop();
    stream = null;
    video.hidden = true;
  };
  const button = action(ctx, "camera", ctx.t("Scan the square code on your letter"), async () => {
    if (stream) return;
    try {
      stream = await navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" } });
    } catch {
      status.textContent = ctx.t("The camera did not start. Type the code from your letter instead.");
      return;
    }
    video.srcObject = stream;
    video.hidden = false;
    await video.play();
    status.textContent = ctx.t("Hold the square code in front of the camera.");
    const detector = new BarcodeDetector({ formats: ["qr_code"] });
    const look = async () => {
      if (!stream || !video.isConnected) return stop();
      const found = await detector.detect(video).catch(() => []);
      if (found.length) {
        stop();
        onText(found[0].rawValue);
      } else {
        requestAnimationFrame(look);
      }
    };
    look();
  }, { class: "button secondary" });
  return [button, video];
}

export async function render(main, ctx) {
  const done = await activation();
  if (done) {
    main.append(ctx.el("p", { class: "lead", text: ctx.t("This phone is set up. Your messages and appointments come here.") }),
      ctx.el("a", { class: "button", href: ctx.href("messages") }, icon("messages"), ctx.el("span", { text: ctx.t("Messages") })));
    return;
  }
  const errors = ctx.el("div", { id: "activate-errors" });
  const status = ctx.el("p", { class: "note", role: "status" });
  const input = ctx.el("input", { id: "code", name: "code", class: "code-input", autocomplete: "one-time-code",
                                  autocapitalize: "characters", spellcheck: "false", "aria-describedby": "code-hint" });
  const form = ctx.el("form", { novalidate: true },
    ctx.el("label", { for: "code", class: "label-big", text: ctx.t("Code from your release letter") }),
    ctx.el("p", { id: "code-hint", class: "hint", text: ctx.t("12 letters and numbers, like ABCD-EFGH-JKMN. Capital or small letters are both fine.") }),
    input,
    ctx.el("p", {}, ctx.el("button", { type: "submit", class: "button" }, icon("key"),
                                       ctx.el("span", { text: ctx.t("Set up this phone") }))));
  const submit = async (text) => {
    errors.replaceChildren();
    input.removeAttribute("aria-invalid");
    status.textContent = ctx.t("Setting up this phone…");
    try {
      await activate(text, navigator.userAgent.includes("Mobile") ? "phone (app)" : "app");
    } catch (error) {
      status.textContent = "";
      if (!(error instanceof HubError || error instanceof OfferError)) throw error;
      errors.append(problem(ctx, ctx.t(error.msgid)));
      input.setAttribute("aria-invalid", "true");
      input.setAttribute("aria-describedby", "code-hint activate-errors");
      input.focus();
      return;
    }
    status.textContent = ctx.t("This phone is set up.");
    ctx.navigate("messages");
    pull();
  };
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    submit(input.value);
  });
  // The letter's link, opened by the phone's camera (#/activate?code=...&ca=...), or an address carrying a whole
  // offer (#/activate?offer=...), fills the code in: the person still says go, so a link alone sets nothing up.
  if (ctx.params.code || ctx.params.offer) {
    input.value = ctx.params.code || ctx.params.offer;
    history.replaceState(null, "", "#/activate");  // the code leaves the address bar (and what is shared of it)
  }
  main.append(ctx.el("p", { class: "lead", text: ctx.t("Your release letter has a code to set up this phone. It keeps your messages private.") }),
    errors, form, status);
  const scan = await scanner(ctx, (text) => {
    input.value = /^(throughgate-activate:|https?:)/i.test(text) ? "" : text;
    submit(text);
  }, status);
  if (scan) main.append(ctx.el("p", { text: ctx.t("Or scan the square code on your letter with the camera.") }), ...scan);
  main.append(ctx.el("h2", { text: ctx.t("If it does not work") }),
    ctx.el("ul", { class: "help" }, ...HELP.map((msgid) => ctx.el("li", { text: ctx.t(msgid) }))));
}
