// The phone screens' own few rules, added as a constructed style sheet (no inline <style>, so a strict
// Content-Security-Policy holds); the shell's app.css does the rest.
const RULES = `
.threads, .conversation, .appointments { list-style: none; padding: 0; margin: 1rem 0; }
.thread-link { align-items: flex-start; text-align: left; }
.thread-link .badge { background: var(--accent-dark, #1d70b8); color: #fff; padding: .1rem .5rem; border-radius: 1rem; font-weight: 700; }
.thread-link .preview, .hint { color: inherit; opacity: .85; }
.message { border: 2px solid currentColor; border-radius: .5rem; padding: .5rem 1rem; margin: .75rem 0; max-width: 36rem; }
.message.mine { margin-left: auto; background: var(--soft, #f3f2f1); }
.message .text { white-space: pre-wrap; font-size: 1.15rem; }
.message .state, .warning { display: flex; align-items: center; gap: .5rem; font-weight: 700; }
.message .state.refused, .reason { color: #8e1c0b; }
.appointment { border: 2px solid currentColor; border-radius: .5rem; padding: .5rem 1rem; margin: 1rem 0; }
.actions { display: flex; flex-wrap: wrap; gap: .75rem; }
.button { display: inline-flex; align-items: center; gap: .5rem; }
.code-input { font-size: 1.6rem; letter-spacing: .15em; text-transform: uppercase; max-width: 20rem; }
.label-big { display: block; font-size: 1.2rem; font-weight: 700; margin-top: 1rem; }
.warning { border: 4px solid var(--bad, #d4351c); padding: 1rem; margin: 1rem 0; }
.choice { display: flex; align-items: center; gap: .75rem; min-height: 44px; }
.choice input { width: 44px; height: 44px; min-height: 44px; flex: none; margin: 0; accent-color: var(--ok, #00703c); }
.message .photo { display: block; max-width: 100%; height: auto; margin: .5rem 0; }
.qr { display: block; background: #fff; margin: 1rem 0; }
.share-url a { word-break: break-all; }
.scan-view { width: 100%; max-width: 24rem; }
fieldset { border: 0; padding: 0; margin: 0; }
`;

export function addStyle() {
  if (typeof CSSStyleSheet !== "function" || !("adoptedStyleSheets" in document)) return;
  const sheet = new CSSStyleSheet();
  sheet.replaceSync(RULES);
  document.adoptedStyleSheets = [...document.adoptedStyleSheets, sheet];
}
