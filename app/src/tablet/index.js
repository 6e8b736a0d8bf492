// The tablet side's screens (P4 replaces this placeholder): imported by app/src/entries/app.js when the page's
// <html data-side="tablet">; register screens with screen() and the sender with setSender().
export {};
