// Web Push on the phone (docs/phone-sync.md, "Waking the phone: Web Push"): the browser's subscription, made
// with the hub's application server key (from the activation, else GET /v1/phone/push), given to the hub with a
// signed PUT /v1/phone/push; DELETE stops it. The service worker's side is push_sw.js.
import { activation } from "./device.js";
import { signed } from "./hub.js";

export function canPush() {
  return typeof navigator !== "undefined" && "serviceWorker" in navigator && typeof PushManager === "function"
    && typeof Notification === "function";
}

function bytesOf(b64url) {
  const text = atob(b64url.replace(/-/g, "+").replace(/_/g, "/") + "=".repeat((4 - (b64url.length % 4)) % 4));
  return Uint8Array.from(text, (ch) => ch.charCodeAt(0));
}

async function registration() {
  return navigator.serviceWorker.ready;
}

// "off", "on", "blocked" (the person or the browser said no to notifications), or "none" (no Web Push here).
export async function pushState() {
  if (!canPush()) return "none";
  if (Notification.permission === "denied") return "blocked";
  const reg = await navigator.serviceWorker.getRegistration();
  const subscription = reg ? await reg.pushManager.getSubscription() : null;
  return subscription ? "on" : "off";
}

export async function turnOn() {
  if ((await Notification.requestPermission()) !== "granted") return "blocked";
  const done = await activation();
  let key = done && done.pushKey;
  if (!key) key = (await signed("GET", "/v1/phone/push")).data.application_server_key;
  const reg = await registration();
  const subscription = await reg.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: bytesOf(key) });
  const { endpoint, keys } = subscription.toJSON();
  await signed("PUT", "/v1/phone/push", { endpoint, keys: { p256dh: keys.p256dh, auth: keys.auth } });
  return "on";
}

export async function turnOff() {
  await signed("DELETE", "/v1/phone/push");
  const reg = await registration();
  const subscription = await reg.pushManager.getSubscription();
  if (subscription) await subscription.unsubscribe();
  return "off";
}
