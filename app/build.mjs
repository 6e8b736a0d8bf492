// Builds the person's app into webapp/dist/, which ships inside the Python package (an offline box needs
// no npm): every app/src/entries/*.js bundled and minified with esbuild, app/static/ copied, and
// asset-manifest.json listing each file with its SHA-256 (the service worker's precache list).
//
//   node app/build.mjs          (make runs it when app/ or package-lock.json changes)
import { build } from "esbuild";
import { createHash } from "node:crypto";
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";

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
