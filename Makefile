# Incident Replay build glue. Two commands matter:
#   make serve   build the WASM core and serve the playground on http://localhost:8000
#   make test    run every test: Rust (unit, golden, property, CLI) and browser
# Both install what is missing on first use (see README).

WASM_BINDGEN_VERSION := 0.2.130
PORT ?= 8000
CARGO ?= cargo

.PHONY: build serve test test-rust test-browser bench tools wasm-tools browser-tools dist clean

test: test-rust

test-rust:
	$(CARGO) test --release --workspace

clean:
	rm -rf target www/pkg dist
