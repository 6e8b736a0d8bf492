// The phone screens' icons: inline SVG in currentColor, hidden from screen readers (each sits beside words).
const wrap = (paths, size = 48) => `<svg viewBox="0 0 24 24" width="${size}" height="${size}" aria-hidden="true" focusable="false" fill="none" stroke="currentColor" stroke-width="2" stroke-linecap="round" stroke-linejoin="round">${paths}</svg>`;

export const ICONS = Object.freeze({
  messages: wrap('<path d="M4 5h16v11H9l-5 4z"/><path d="M8 9h8"/><path d="M8 12h5"/>'),
  appointments: wrap('<rect x="3" y="5" width="18" height="16" rx="2"/><path d="M3 10h18"/><path d="M8 3v4"/><path d="M16 3v4"/>'),
  health: wrap('<path d="M12 21s-8-5-8-11a4.5 4.5 0 0 1 8-2.8A4.5 4.5 0 0 1 20 10c0 6-8 11-8 11z"/><path d="M12 10v5"/><path d="M9.5 12.5h5"/>'),
  plan: wrap('<path d="M9 4h6v3H9z"/><path d="M7 5H5v16h14V5h-2"/><path d="M8 12l2 2 4-4"/><path d="M8 17h8"/>'),
  eye: wrap('<path d="M2 12s4-7 10-7 10 7 10 7-4 7-10 7S2 12 2 12z"/><circle cx="12" cy="12" r="3"/>'),
  voice: wrap('<rect x="9" y="3" width="6" height="11" rx="3"/><path d="M5 11a7 7 0 0 0 14 0"/><path d="M12 18v3"/>', 24),
  bell: wrap('<path d="M6 16V11a6 6 0 0 1 12 0v5l2 2H4z"/><path d="M10 20a2 2 0 0 0 4 0"/>', 24),
  course: wrap('<path d="M4 5a2 2 0 0 1 2-2h13v16H6a2 2 0 0 0-2 2z"/><path d="M4 21a2 2 0 0 1 2-2h13v2z"/><path d="M9 7h6"/><path d="M9 11h4"/>'),
  forms: wrap('<path d="M9 4h6v3H9z"/><path d="M7 5H5v16h14V5h-2"/><path d="M8 11h8"/><path d="M8 14h8"/><path d="M8 17h5"/>'),
  place: wrap('<path d="M12 21s-7-6.5-7-12a7 7 0 0 1 14 0c0 5.5-7 12-7 12z"/><circle cx="12" cy="9" r="2.5"/>', 24),
  key: wrap('<circle cx="8" cy="15" r="4"/><path d="M11 12l9-9"/><path d="M16 7l3 3"/>'),
  work: wrap('<rect x="3" y="7" width="18" height="13" rx="2"/><path d="M9 7V5a1 1 0 0 1 1-1h4a1 1 0 0 1 1 1v2"/><path d="M3 13h18"/><path d="M11 13v2h2v-2"/>'),
  checkin: wrap('<circle cx="12" cy="10" r="3"/><path d="M12 21s-7-6.5-7-11a7 7 0 0 1 14 0c0 4.5-7 11-7 11z"/><path d="M16.5 17.5l1.5 1.5 3-3"/>'),
  // message states, small, beside their words
  waiting: wrap('<circle cx="12" cy="12" r="9"/><path d="M12 7v5l3 2"/>', 20),
  sent: wrap('<path d="M5 12l5 5 9-10"/>', 20),
  read: wrap('<path d="M2 12l5 5 9-10"/><path d="M10 16l1 1 9-10"/>', 20),
  refused: wrap('<circle cx="12" cy="12" r="9"/><path d="M12 7v6"/><path d="M12 16.5v.5"/>', 20),
  received: wrap('<path d="M4 5h16v11H9l-5 4z"/>', 20),
  video: wrap('<rect x="3" y="6" width="13" height="12" rx="2"/><path d="M16 10l5-3v10l-5-3z"/>', 24),
  late: wrap('<circle cx="12" cy="13" r="8"/><path d="M12 9v4l2 2"/><path d="M9 3h6"/>', 24),
  move: wrap('<rect x="3" y="5" width="18" height="16" rx="2"/><path d="M3 10h18"/><path d="M9 15h6"/><path d="M13 13l2 2-2 2"/>', 24),
  camera: wrap('<path d="M4 8h3l2-3h6l2 3h3v11H4z"/><circle cx="12" cy="13" r="3.5"/>', 24),
  refresh: wrap('<path d="M20 11a8 8 0 1 0-2.3 5.7"/><path d="M20 4v7h-7"/>', 24),
  link: wrap('<path d="M10 14a4 4 0 0 0 6 0l3-3a4 4 0 0 0-6-6l-1 1"/><path d="M14 10a4 4 0 0 0-6 0l-3 3a4 4 0 0 0 6 6l1-1"/>', 24),
  stop: wrap('<circle cx="12" cy="12" r="9"/><path d="M8 8l8 8"/>', 24),
  warning: wrap('<path d="M12 3l10 18H2z"/><path d="M12 10v5"/><path d="M12 18v.5"/>', 32),
});
