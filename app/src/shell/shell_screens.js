// The shell's own screens: home (a large labelled button for each of this side's screens) and the outbox list
// (every item still on this device, its state, and a refusal's reason).
import { screen } from "./screens.js";
import { ICONS } from "./icons.js";

let registered = false;

function svg(markup) {
  const span = document.createElement("span");
  span.className = "icon";
  span.innerHTML = markup;  // the registering module's own inline SVG, never data from outside
  return span;
}

export function registerShellScreens({ homeScreens, outbox, el, t, href, language }) {
  if (registered) return;
  registered = true;

  screen({
    id: "home", side: "both", home: false, icon: ICONS.home, title: "Start",
    render: async (main) => {
      const list = el("ul", { class: "home-grid" });
      for (const s of homeScreens()) {
        list.append(el("li", {}, el("a", { class: "tile", href: href(s.id), "data-screen": s.id },
          svg(s.icon), el("span", { class: "tile-label", text: t(s.title) }))));
      }
      list.append(el("li", {}, el("a", { class: "tile", href: href("outbox"), "data-screen": "outbox" },
        svg(ICONS.outbox), el("span", { class: "tile-label", text: t("Waiting to send") }))));
      main.append(list);
    },
  });

  screen({
    id: "outbox", side: "both", home: false, icon: ICONS.outbox, title: "Waiting to send",
    render: async (main) => {
      const items = await outbox.pending();
      const problem = outbox.lastSendError();
      if (problem) {
        main.append(el("p", { class: "note", text: t("Not sent yet. It will try again by itself.") }));
      }
      if (!items.length) {
        main.append(el("p", { class: "lead", text: t("Everything has been sent.") }));
        return;
      }
      main.append(el("p", { class: "lead", text: t("These are kept on this device until they are sent. Nothing is lost if you close the app.") }));
      const when = new Intl.DateTimeFormat(language() === "cy" ? "cy-GB" : "en-GB", { dateStyle: "medium", timeStyle: "short" });
      const list = el("ul", { class: "outbox-list" });
      for (const item of items) {
        const refused = item.state === "refused";
        const li = el("li", { class: `outbox-item ${refused ? "refused" : "waiting"}`, "data-id": item.id, "data-state": item.state },
          el("p", { class: "what", text: t(outbox.labelOf(item.kind)) }),
          el("p", { class: "when", text: t("Made {when}", { when: when.format(new Date(item.created)) }) }),
          el("p", { class: "state", text: refused ? t("Refused") : t("Waiting to send") }));
        if (refused) {
          li.append(el("p", { class: "reason", text: item.reason ? t("Why: {reason}", { reason: item.reason }) : t("Why: {reason}", { reason: item.error }) }));
          li.append(el("button", { type: "button", class: "button", text: t("Try again"), onclick: () => outbox.retry(item.id) }));
        }
        list.append(li);
      }
      main.append(list);
    },
  });
}
