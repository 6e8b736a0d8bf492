// Reading aloud with the browser's own speech synthesis (no network, no time limit: the person can stop it).
import { language } from "./i18n.js";

const VOICE_LANG = { en: "en-GB", cy: "cy-GB" };

export function canSpeak() {
  return typeof speechSynthesis !== "undefined" && typeof SpeechSynthesisUtterance === "function";
}

/** Says the text in the chosen language (a Welsh voice where the device has one, else its default). */
export function speak(text) {
  if (!canSpeak() || !text) return;
  speechSynthesis.cancel();
  const u = new SpeechSynthesisUtterance(String(text));
  u.lang = VOICE_LANG[language()] || "en-GB";
  const voice = speechSynthesis.getVoices().find((v) => v.lang && v.lang.toLowerCase().startsWith(language()));
  if (voice) u.voice = voice;
  speechSynthesis.speak(u);
}

export function stop() {
  if (canSpeak()) speechSynthesis.cancel();
}

/** The words a screen shows, in reading order, as one text (hidden things and icons left out). */
export function screenText(el) {
  return (el.innerText || el.textContent || "").replace(/\s+\n/g, "\n").trim();
}
