// Bundles src/widget.js, socket.io-client and src/widget.css (as a minified string)
// into one minified IIFE: ../static/wismo-widget.js. `npm run build` (or `make widget`).
import { mkdirSync, statSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import * as esbuild from "esbuild";

const here = dirname(fileURLToPath(import.meta.url));
const outfile = join(here, "..", "static", "wismo-widget.js");

// `import css from "./widget.css"`: the stylesheet, minified, as a JavaScript string.
const cssAsText = {
  name: "css-as-text",
  setup(build) {
    build.onLoad({ filter: /\.css$/ }, async (args) => {
      const source = await readFile(args.path, "utf8");
      const { code } = await esbuild.transform(source, { loader: "css", minify: true, target: "chrome100" });
      return { contents: `export default ${JSON.stringify(code.trim())};`, loader: "js" };
    });
  },
};

// The widget only ever uses the WebSocket transport (`transports: ["websocket"]`), so
// engine.io-client's transport table is cut down to it: long-polling and WebTransport
// (about 6 KB) stay out of the bundle.
const websocketOnly = {
  name: "websocket-only",
  setup(build) {
    build.onLoad({ filter: /engine\.io-client[\\/]build[\\/]esm[\\/]transports[\\/]index\.js$/ }, () => ({
      contents: 'import { WS } from "./websocket.js";\nexport const transports = { websocket: WS };\n',
      loader: "js",
    }));
    // engine.io-client's index still re-exports the other transports; unused, they go.
    build.onResolve({ filter: /^\.\/transports\/(polling|webtransport)/ }, async (args) => {
      if (args.pluginData === "websocket-only") return undefined;
      const found = await build.resolve(args.path, {
        importer: args.importer,
        resolveDir: args.resolveDir,
        kind: args.kind,
        pluginData: "websocket-only",
      });
      return { ...found, sideEffects: false };
    });
  },
};

mkdirSync(dirname(outfile), { recursive: true });
await esbuild.build({
  entryPoints: [join(here, "src", "widget.js")],
  outfile,
  bundle: true,
  format: "iife",
  platform: "browser",
  target: ["chrome92", "edge92", "firefox90", "safari15"],
  minify: true,
  legalComments: "none",
  banner: { js: "/*! wismo-widget | bundles socket.io-client (MIT, https://socket.io) */" },
  define: { "process.env.NODE_ENV": '"production"' },
  plugins: [cssAsText, websocketOnly],
  logLevel: "warning",
});
console.log(`built ${outfile} (${statSync(outfile).size} bytes)`);
