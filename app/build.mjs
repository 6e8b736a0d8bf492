// Builds the person's app into webapp/dist/, which ships inside the Python package (an offline box needs
// no npm): every app/src/entries/*.js bundled and minified with esbuild, app/static/ copied, and
// asset-manifest.json listing each file with its SHA-256 (the service worker's precache list).
//
//   node app/build.mjs          (make runs it when app/ or package-lock.json changes)
import { build } from "esbuild";
import { createHash } from "node:crypto";
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";
import { mergeDomains } from "./po.mjs";

const root = new URL("..", import.meta.url).pathname;
const src = join(root, "app", "src", "entries");
const out = join(root, "webapp", "dist");

rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });
const entryPoints = readdirSync(src).filter((name) => name.endsWith(".js")).map((name) => join(src, name));
await build({
  entryPoints, outdir: out, bundle: true, minify: true, format: "esm", target: ["chrome90", "firefox90", "safari15"],
  legalComments: "none", logLevel: "warning",
});
if (existsSync(join(root, "app", "static"))) cpSync(join(root, "app", "static"), out, { recursive: true });

// Translations: every domain file app/i18n/<lang>/*.po merged into webapp/dist/i18n/<lang>.json (app/po.mjs);
// each language on top of English, so a string missing in Welsh shows in English.
const i18n = join(root, "app", "i18n");
if (existsSync(i18n)) {
  const read = (lang) => mergeDomains(readdirSync(join(i18n, lang)).filter((n) => n.endsWith(".po")).sort()
    .map((n) => ({ name: `app/i18n/${lang}/${n}`, text: readFileSync(join(i18n, lang, n), "utf8") })));
  const english = existsSync(join(i18n, "en")) ? read("en") : {};
  mkdirSync(join(out, "i18n"), { recursive: true });
  for (const lang of readdirSync(i18n).filter((n) => statSync(join(i18n, n)).isDirectory()).sort()) {
    const strings = lang === "en" ? english : { ...english, ...read(lang) };
    writeFileSync(join(out, "i18n", `${lang}.json`), JSON.stringify(strings));
  }
}

function files(dir) {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? files(path) : [path];
  });
}
const assets = files(out).filter((path) => !path.endsWith("asset-manifest.json")).sort().map((path) => ({
  path: relative(out, path), bytes: statSync(path).size,
  sha256: createHash("sha256").update(readFileSync(path)).digest("hex"),
}));
writeFileSync(join(out, "asset-manifest.json"), JSON.stringify({ assets }, null, 1) + "\n");
console.log(`app: ${assets.length} files in webapp/dist (${assets.reduce((n, a) => n + a.bytes, 0)} bytes)`);
