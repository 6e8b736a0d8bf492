// The app's "player" screen (the library opens a course with ctx.navigate("player", { course })): it hands over
// to the player page, /app/player.html, a bundle of its own so that scorm-again (about 110 KB compressed) is not
// in the app's first load. Import this from the side's index to register it.
import { screen } from "../shell/screens.js";

const ICON = '<svg viewBox="0 0 24 24" width="32" height="32" aria-hidden="true" focusable="false" fill="none" ' +
  'stroke="currentColor" stroke-width="2"><path d="M8 5v14l11-7z"/></svg>';

screen({ id: "player", side: "tablet", icon: ICON, title: "Course", home: false,
  render: async (main, ctx) => {
    const query = new URLSearchParams({ course: ctx.params.course || "", ...(ctx.params.item ? { item: ctx.params.item } : {}) });
    main.append(ctx.el("p", { class: "lead", text: ctx.t("Opening the course…") }));
    location.assign(`/app/player.html?${query}`);
  } });
