// The screen registry. Each side's module registers its screens when it is imported (app/src/phone/index.js,
// app/src/tablet/index.js); the shell draws the home screen from it and the router renders one by id.
//
//   import { screen } from "../shell/screens.js";
//   screen({ id: "messages", side: "phone", icon: "<svg ...>", title: "Messages",
//            render: async (main, ctx) => { main.append(...) } });
//
// ctx = { t(msgid, vars), speak(text), navigate(id, params), params, side,
//         store: { get(storeName, key), put(storeName, value), all(storeName), del(storeName, key) },
//         outbox: { add({kind, body}) -> id, pending() -> [items], onChange(fn) -> unsubscribe } }
// `home: false` keeps a screen off the home screen (a detail page reached with ctx.navigate); `order` sorts
// the home screen's buttons (lower first, then by registration).

const SIDES = new Set(["phone", "tablet", "both"]);
const registry = new Map();

export function screen({ id, side, icon, title, render, home = true, order = 100 }) {
  if (!id || !/^[a-z][a-z0-9-]*$/.test(id)) throw new Error(`screen id ${JSON.stringify(id)}: use lower-case letters, digits and -`);
  if (!SIDES.has(side)) throw new Error(`screen ${id}: side must be "phone", "tablet" or "both"`);
  if (typeof render !== "function") throw new Error(`screen ${id}: render must be an async function (main, ctx)`);
  if (registry.has(id)) throw new Error(`screen ${id} is registered twice`);
  const def = Object.freeze({ id, side, icon: icon || "", title: title || id, render, home, order, seq: registry.size });
  registry.set(id, def);
  return def;
}

/** The screen with this id, or undefined. */
export function getScreen(id) {
  return registry.get(id);
}

/** The screens shown on this side's home screen, in order. */
export function homeScreens(side) {
  return [...registry.values()]
    .filter((s) => s.home && (s.side === side || s.side === "both"))
    .sort((a, b) => a.order - b.order || a.seq - b.seq);
}

/** Whether a screen may be opened on this side. */
export function onSide(def, side) {
  return def.side === side || def.side === "both";
}
