// The shell's own icons: inline SVG (no fetch, works offline), drawn in currentColor and hidden from screen
// readers, since each sits beside its label.
const wrap = (paths) => `<svg viewBox="0 0 24 24" width="48" height="48" aria-hidden="true" focusable="false" fill="none" stroke="currentColor" stroke-width="2" stroke-linecap="round" stroke-linejoin="round">${paths}</svg>`;

export const ICONS = Object.freeze({
  home: wrap('<path d="M3 11l9-8 9 8"/><path d="M5 10v10h14V10"/><path d="M10 20v-6h4v6"/>'),
  outbox: wrap('<path d="M4 4h16v12H4z"/><path d="M4 16l4 4h8l4-4"/><path d="M12 14V7"/><path d="M9 10l3-3 3 3"/>'),
  speaker: wrap('<path d="M4 9h4l5-4v14l-5-4H4z"/><path d="M16 9a4 4 0 0 1 0 6"/><path d="M18.5 6.5a8 8 0 0 1 0 11"/>'),
});
