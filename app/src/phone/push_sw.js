// The service worker's part of Web Push for the phone (app/src/entries/sw.js adds these as its `push` and
// `notificationclick` listeners). A push carries no personal data (docs/phone-sync.md): `{"kind":"sync"}` tells
// an open app to sync (it does, signed, with its own key) and, when no app is on screen, shows that something is
// new; a reminder (`{"kind":"reminder","appointment_id","when":"day"|"hour"}`) is shown from the appointment the
// phone synced: its time only, so a locked screen says no more; where and how to join are in the app. The words
// are the phone's msgids, in the person's language from the cached i18n/<lang>.json.
import * as db from "./db.js";
import { appointments } from "./feed.js";
import { N_ } from "./words.js";

const WORDS = {
  title: N_("Throughgate"),
  sync: N_("Something new is waiting for you. Open the app to see it."),
  day: N_("Appointment tomorrow"),
  hour: N_("Appointment in an hour"),
  at: N_("At {time}. Open the app to see where and how to join."),
  open: N_("Open the app to see it."),
};

async function words() {
  const lang = (await db.get("device", "lang").catch(() => null)) || "en";
  const scope = self.registration.scope;
  const found = await caches.match(new URL(`i18n/${lang}.json`, scope).href).catch(() => null);
  const strings = found ? await found.json().catch(() => ({})) : {};
  const t = (msgid, vars = {}) => (strings[msgid] || msgid).replace(/\{(\w+)\}/g, (w, n) => (n in vars ? vars[n] : w));
  return { t, lang };
}

async function show(data) {
  const windows = await self.clients.matchAll({ type: "window", includeUncontrolled: true });
  const { t, lang } = await words();
  if (data.kind === "reminder") {
    const found = appointments(await db.all("feed"), 0, true).find((a) => a.id === data.appointment_id);
    const time = found ? new Intl.DateTimeFormat(lang === "cy" ? "cy-GB" : "en-GB",
      { timeStyle: "short", timeZone: "Europe/London" }).format(new Date(found.starts_at)) : "";
    return self.registration.showNotification(t(data.when === "hour" ? WORDS.hour : WORDS.day), {
      body: time ? t(WORDS.at, { time }) : t(WORDS.open), tag: `reminder-${data.appointment_id}-${data.when}`,
      data: { screen: "appointments" } });
  }
  for (const client of windows) client.postMessage({ throughgate: "sync" });
  if (windows.some((w) => w.visibilityState === "visible")) return undefined;
  return self.registration.showNotification(t(WORDS.title), { body: t(WORDS.sync), tag: "sync", data: { screen: "messages" } });
}

export function onPush(event) {
  let data = {};
  try {
    data = event.data ? event.data.json() : {};
  } catch {
    data = {};
  }
  event.waitUntil(show(data));
}

export function onNotificationClick(event) {
  event.notification.close();
  const screen = (event.notification.data && event.notification.data.screen) || "home";
  const url = new URL(`#/${screen}`, self.registration.scope).href;
  event.waitUntil((async () => {
    const windows = await self.clients.matchAll({ type: "window", includeUncontrolled: true });
    const open = windows.find((w) => w.url.startsWith(self.registration.scope));
    if (open) {
      await open.focus();
      return open.navigate(url);
    }
    return self.clients.openWindow(url);
  })());
}
