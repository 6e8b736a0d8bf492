// The person's app. The server says which side this page is (data-side on <html>: "phone" from the hub,
// "tablet" from the edge); that side's module registers its screens and its outbox sender when imported,
// then the shell starts. Both sides are in this one bundle, but only this side's module runs.
import { start } from "../shell/index.js";

async function main() {
  const side = document.documentElement.dataset.side === "tablet" ? "tablet" : "phone";
  if (side === "tablet") await import("../tablet/index.js");
  else await import("../phone/index.js");
  await start(side);
}

main().catch((e) => {
  console.error(e);
  document.documentElement.dataset.app = "failed";
});
