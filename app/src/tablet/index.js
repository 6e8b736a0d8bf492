// The tablet side of the person's app (on the edge's tablet HTTPS port, <html data-side="tablet">): its screens
// (Library, Assignments, Forms, Feedback and badges, My release plan), the outbox's sender to the edge, and the poll for
// down messages. Imported by app/src/entries/app.js before the shell starts.
import { screen } from "../shell/screens.js";
import { label, pending, setSender } from "../shell/outbox.js";
import { store } from "../shell/store.js";
import { ICONS as PHONE_ICONS } from "../phone/icons.js";
import { formScreens } from "../phone/screens/forms.js";
import { tablet as formsSide } from "./forms.js";
import { ICONS } from "./icons.js";
import { onInbox, send, startPulling } from "./sync.js";
import { renderAssignments } from "./screens/assignments.js";
import { renderFeedback } from "./screens/feedback.js";
import { renderLibrary, renderNoPlayer } from "./screens/library.js";
import { renderPlan } from "./screens/plan.js";
import "../scorm/screen.js";  // the course player's screen, "player" (P3's): the Library opens courses there

// this side's IndexedDB stores, made with the first open (one upgrade, not one per store as each is first used)
store.declare("tablet", "tablet-files", "tablet-inbox", "tablet-courses");

screen({ id: "library", side: "tablet", icon: ICONS.library, title: "Library", order: 10, render: renderLibrary });
screen({ id: "assignments", side: "tablet", icon: ICONS.assignment, title: "Assignments", order: 20, render: renderAssignments });
// Forms: the phone's screen, drawn for this side (./forms.js: forms from the edge, files uploaded to it, records out)
const forms = formScreens(formsSide);
const withOutbox = (render) => (main, ctx) => render(main, { ...ctx, outboxItems: pending });
screen({ id: "forms", side: "tablet", icon: PHONE_ICONS.forms, title: "Forms", order: 25, render: withOutbox(forms.renderList) });
screen({ id: "form", side: "tablet", icon: PHONE_ICONS.forms, title: "Forms", home: false, render: withOutbox(forms.renderForm) });
screen({ id: "feedback", side: "tablet", icon: ICONS.badge, title: "Feedback and badges", order: 30, render: renderFeedback });
screen({ id: "plan", side: "tablet", icon: ICONS.plan, title: "My release plan", order: 40, render: renderPlan });
screen({ id: "course", side: "tablet", icon: ICONS.library, title: "Course", home: false, render: renderNoPlayer });

label("assignment_submission", "Work for your tutor");
label("form_submission", "A form you filled in");
setSender(send);
startPulling();

// new feedback, a badge or a plan change while its screen is open: draw it again
onInbox(() => {
  const open = (location.hash.match(/^#\/([a-z-]+)/) || [])[1];
  if (open === "feedback" || open === "plan") dispatchEvent(new HashChangeEvent("hashchange"));
});
