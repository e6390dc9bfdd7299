// The dist/ build step: each page's entry module (every <script type="module">
// in dist/*.html) and each Web Worker (`new Worker(new URL('…', import.meta.url))`)
// becomes one minified file at its own path, with everything it imports inlined;
// every .css file is minified in place. A visitor then fetches a handful of
// files instead of ~50 modules, and gzip sees one text instead of fifty small
// ones. www/ stays plain ES modules for development; only `make dist` runs this.
//
// Modules find the site from their own URL (`new URL('../', import.meta.url)`).
// Inlined into a bundle, `import.meta.url` would be the bundle's URL, so each
// module's `import.meta.url` is rewritten to the URL the module had in www/,
// derived from the bundle's: the paths they compute stay what they were.
//
//   node tools/bundle.mjs dist
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';

const require = createRequire(new URL('./bundle/package.json', import.meta.url));
const esbuild = require('esbuild');

const site = path.resolve(process.argv[2] || 'dist');

/** Files under `dir` (recursively) whose names end with `ext`. */
function filesUnder(dir, ext) {
  return fs.readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((d) => d.isFile() && d.name.endsWith(ext))
    .map((d) => path.join(d.parentPath ?? d.path, d.name));
}

/** Entry modules: the pages' module scripts and the workers the modules start. */
function entries() {
  const found = new Set();
  for (const html of fs.readdirSync(site).filter((f) => f.endsWith('.html'))) {
    const text = fs.readFileSync(path.join(site, html), 'utf8');
    for (const m of text.matchAll(/<script\s+type="module"\s+src="([^"]+)"/g)) found.add(path.join(site, m[1]));
  }
  for (const js of filesUnder(site, '.js')) {
    const text = fs.readFileSync(js, 'utf8');
    for (const m of text.matchAll(/new Worker\(new URL\('([^']+)', import\.meta\.url\)/g)) found.add(path.join(path.dirname(js), m[1]));
  }
  return [...found].filter((f) => fs.existsSync(f)).sort();
}

/** Rewrites `import.meta.url` in each inlined module to that module's own URL. */
function ownUrlPlugin(entry) {
  return {
    name: 'own-import-meta-url',
    setup(build) {
      build.onLoad({ filter: /\.js$/ }, (args) => {
        const text = fs.readFileSync(args.path, 'utf8');
        if (!text.includes('import.meta.url')) return { contents: text, loader: 'js' };
        const rel = path.relative(path.dirname(entry), args.path).split(path.sep).join('/');
        const own = `new URL(${JSON.stringify(rel)}, import.meta.url).href`;
        return { contents: text.replaceAll('import.meta.url', own), loader: 'js' };
      });
    },
  };
}

const bundles = [];
for (const entry of entries()) {
  const result = await esbuild.build({
    entryPoints: [entry],
    bundle: true,
    format: 'esm',
    minify: true,
    legalComments: 'none',
    write: false,
    outfile: entry,
    logLevel: 'warning',
    plugins: [ownUrlPlugin(entry)],
  });
  bundles.push([entry, result.outputFiles[0].contents]);
}
// Written only after every bundle is built: each one reads the original modules.
for (const [entry, contents] of bundles) fs.writeFileSync(entry, contents);
for (const css of filesUnder(site, '.css')) {
  const { code } = await esbuild.transform(fs.readFileSync(css, 'utf8'), { loader: 'css', minify: true });
  fs.writeFileSync(css, code);
}
console.log(`bundled ${bundles.length} entry modules: ${bundles.map(([e]) => path.relative(site, e)).join(', ')}`);
