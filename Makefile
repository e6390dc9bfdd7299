# Incident Replay build glue. Two commands matter (see README):
#   make serve   build the WASM core and serve the playground on http://localhost:8000
#   make test    run every test: Rust (unit, golden, property, CLI) and browser (headless Chromium)
# Both install what is missing on first use.

WASM_BINDGEN_VERSION := 0.2.130
PORT ?= 8000
CARGO ?= cargo
WASM := target/wasm32-unknown-unknown/fast/incident_replay.wasm
CHROMIUM ?= /usr/bin/chromium

CSP := default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; img-src 'self' data: blob:; media-src 'self' blob:; connect-src 'self'; worker-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'

.PHONY: build serve dist test test-rust test-browser bench bench-native bench-browser wasm-tools browser-tools clean

## Build the WASM core, its JS glue (www/pkg/), the scenario list (www/scenarios/index.json)
## and the gallery's card data (www/scenarios/gallery.json).
build: wasm-tools
	$(CARGO) build --profile fast --target wasm32-unknown-unknown --lib
	wasm-bindgen --target web --no-typescript --remove-name-section --remove-producers-section --out-dir www/pkg $(WASM)
	rm -rf www/scenarios && mkdir -p www/scenarios && cp scenarios/*.json www/scenarios/
	node -e "const fs=require('fs');const n=fs.readdirSync('scenarios').filter(f=>f.endsWith('.json')&&f!=='schema.json').map(f=>f.slice(0,-5)).sort();fs.writeFileSync('www/scenarios/index.json',JSON.stringify(n)+'\n')"
	node tools/gallery-index.mjs scenarios www/scenarios/gallery.json

## A self-contained static site in dist/ for any static host, with the CSP it runs under
## in dist/_headers (Netlify / Cloudflare Pages syntax; see www/embedding.html for others).
## Each page's entry module and the worker are bundled and minified in place
## (tools/bundle.mjs, esbuild pinned in tools/bundle/package.json), CSS minified.
dist: build
	rm -rf dist && mkdir -p dist && cp -R www/. dist/ && rm -rf dist/pkg-bench
	cd tools/bundle && npm ci --no-audit --no-fund --silent
	node tools/bundle.mjs dist
	printf '/*\n  Content-Security-Policy: %s\n' "$(CSP)" > dist/_headers

serve: build
	node tools/serve.mjs www $(PORT)

test: test-rust test-browser

test-rust:
	$(CARGO) test --release --workspace

test-browser: build browser-tools
	$(CARGO) build --release --bin incident-replay
	cd tests/browser && npm ci --no-audit --no-fund --silent
	node --test --test-concurrency=1 tests/browser/

## Events per second: natively (bench-native) or natively and in headless Chromium (bench).
bench: bench-browser

INCIDENTS := $(filter-out scenarios/schema.json,$(sort $(wildcard scenarios/*.json)))

bench-native:
	$(CARGO) build --profile fast --bin incident-replay
	target/fast/incident-replay bench $(INCIDENTS)

bench-browser: dist browser-tools
	$(CARGO) build --profile fast --bin incident-replay
	$(CARGO) build --profile fast --target wasm32-unknown-unknown --lib --features wasm-bench --target-dir target/bench
	wasm-bindgen --target web --no-typescript --out-dir www/pkg-bench target/bench/wasm32-unknown-unknown/fast/incident_replay.wasm
	cd tests/browser && npm ci --no-audit --no-fund --silent
	node tests/browser/bench.mjs
	node tests/browser/incident-bench.mjs
	node tests/browser/page-bench.mjs
	node tests/browser/size-bench.mjs
	node tests/browser/sweep-bench.mjs

## The wasm32 target comes with rust-toolchain.toml; wasm-bindgen-cli must match the crate exactly.
wasm-tools:
	@rustup target list --installed | grep -q wasm32-unknown-unknown || rustup target add wasm32-unknown-unknown
	@if [ "$$(wasm-bindgen --version 2>/dev/null)" != "wasm-bindgen $(WASM_BINDGEN_VERSION)" ]; then \
		echo "installing wasm-bindgen-cli $(WASM_BINDGEN_VERSION) (takes a few minutes, once)"; \
		$(CARGO) install wasm-bindgen-cli --version $(WASM_BINDGEN_VERSION); \
	fi

## Debian's Chromium for the headless browser tests (never a downloaded browser).
browser-tools:
	@if [ ! -x $(CHROMIUM) ]; then \
		echo "installing chromium from Debian (once)"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	fi

clean:
	rm -rf target www/pkg www/pkg-bench www/scenarios dist tests/browser/node_modules tools/bundle/node_modules
