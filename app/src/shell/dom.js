// Building the DOM: el("button", { class: "big", text: "Send", onclick: send }, child, ...). Text goes in as
// text (never as HTML), `on*` attributes become listeners, `true` an empty attribute, false or null none.
export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === "text") node.textContent = v;
    else if (k.startsWith("on")) node.addEventListener(k.slice(2), v);
    else if (v !== false && v != null) node.setAttribute(k, v === true ? "" : v);
  }
  node.append(...children.filter((c) => c != null));
  return node;
}
