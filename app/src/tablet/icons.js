// The tablet screens' icons: inline SVG in currentColor, hidden from screen readers (each sits beside its label).
const wrap = (paths) => `<svg viewBox="0 0 24 24" width="48" height="48" aria-hidden="true" focusable="false" fill="none" stroke="currentColor" stroke-width="2" stroke-linecap="round" stroke-linejoin="round">${paths}</svg>`;

export const ICONS = Object.freeze({
  library: wrap('<path d="M4 4h5v16H4z"/><path d="M9 4h5v16H9z"/><path d="M15 5l4-1 3 15-4 1z"/>'),
  assignment: wrap('<path d="M6 2h9l5 5v15H6z"/><path d="M14 2v6h6"/><path d="M9 13h8"/><path d="M9 17h6"/>'),
  feedback: wrap('<path d="M4 4h16v12H8l-4 4z"/><path d="M8 9h8"/><path d="M8 12h5"/>'),
  badge: wrap('<circle cx="12" cy="9" r="6"/><path d="M8.5 14l-2 8 5.5-3 5.5 3-2-8"/>'),
  plan: wrap('<rect x="3" y="5" width="18" height="16" rx="2"/><path d="M3 10h18"/><path d="M8 3v4"/><path d="M16 3v4"/>'),
  camera: wrap('<path d="M4 8h4l2-3h4l2 3h4v11H4z"/><circle cx="12" cy="13" r="3.5"/>'),
  mic: wrap('<rect x="9" y="3" width="6" height="11" rx="3"/><path d="M5 11a7 7 0 0 0 14 0"/><path d="M12 18v3"/>'),
  send: wrap('<path d="M3 11l18-8-8 18-2-8z"/>'),
  stop: wrap('<rect x="6" y="6" width="12" height="12" rx="1"/>'),
});

export function icon(name) {
  const span = document.createElement("span");
  span.className = "icon";
  span.innerHTML = ICONS[name];  // our own inline SVG, never data from outside
  return span;
}
