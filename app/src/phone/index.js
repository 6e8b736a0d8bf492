// The phone side's screens (P2 replaces this placeholder): imported by app/src/entries/app.js when the page's
// <html data-side="phone">; register screens with screen() and the sender with setSender().
export {};
