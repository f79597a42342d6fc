# Thin wrapper around CMake. `make serve` and `make test` work on a fresh Debian 12 machine:
# both run scripts/setup first, which installs only what is missing.
.PHONY: setup serve web scorm desktop native test test-under-load test-native test-asan test-wasm test-browser bench models fuzz clean help

JOBS    ?= $(shell nproc)
PORT    ?= 8000
NATIVE  := build/native
ASAN    := build/asan
WEB     := build/web
# Debian's emcc runs node scripts that need Debian's node modules (acorn); see docs/building.md.
export NODE_PATH := /usr/share/nodejs

help:
	@echo "make serve    build the web app and serve it at http://localhost:$(PORT)"
	@echo "make test     every test: native unit + UI, sanitizers, wasm under node, browser, fuzz smoke"
	@echo "make test-under-load  the same with one busy process per core beside it (docs/testing.md)"
	@echo "make scorm    build/knobs-scorm12.zip and build/knobs-scorm2004.zip (LINK='#v=2&panel=quiz&mastery=80')"
	@echo "make desktop  the native app (GLFW + OpenGL 3)"
	@echo "make bench    benchmarks -> bench-results.json"
	@echo "make models   retrain the shipped model under web/models/"
	@echo "make fuzz     every libFuzzer target for FUZZ_SECONDS (default 60) each; crashes -> fuzz-out/"
	@echo "make clean"

setup:
	@scripts/setup

$(NATIVE)/CMakeCache.txt:
	cmake -S . -B $(NATIVE) -G Ninja -DCMAKE_BUILD_TYPE=Release

$(ASAN)/CMakeCache.txt:
	cmake -S . -B $(ASAN) -G Ninja -DCMAKE_BUILD_TYPE=Debug -DKNOBS_SANITIZE=ON -DKNOBS_BUILD_APP=ON

$(WEB)/CMakeCache.txt:
	emcmake cmake -S . -B $(WEB) -G Ninja -DCMAKE_BUILD_TYPE=Release

native: setup $(NATIVE)/CMakeCache.txt
	cmake --build $(NATIVE) -j $(JOBS)

web: setup $(WEB)/CMakeCache.txt
	cmake --build $(WEB) -j $(JOBS)

# SCORM 1.2 and 2004 packages of the built site for Moodle, Canvas, Open edX (docs/embedding.md).
# LINK picks the panels, hide=/lock= and mastery=; without it the quiz, with no mastery score.
scorm: web
	node scorm/package.mjs --site $(WEB)/site --out build $(if $(LINK),--link '$(LINK)') $(if $(TITLE),--title '$(TITLE)')

desktop: native
	@echo "Run it: $(NATIVE)/knobs_desktop"

serve: web
	@scripts/serve $(WEB)/site $(PORT)

test-native: native
	cd $(NATIVE) && ctest --output-on-failure -j $(JOBS)

test-asan: setup $(ASAN)/CMakeCache.txt
	cmake --build $(ASAN) -j $(JOBS)
	cd $(ASAN) && ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 ctest --output-on-failure -j $(JOBS)

test-wasm: web
	cd $(WEB) && ctest --output-on-failure -j $(JOBS)

test-browser: web
	node tests/browser/run.mjs $(WEB)/site

# Every level; scripts/test-summary prints one "N passed, N failed" line for the whole run.
test: setup
	@scripts/run-tests

# The whole suite while every core is kept busy at the suite's own priority: no test may depend on speed.
test-under-load: setup
	@scripts/run-tests --under-load

bench: native web
	node bench/run.mjs

models: native
	scripts/make-models

# clang + libFuzzer in build/fuzz; FUZZ_SECONDS=600 or FUZZ_RUNS=N, FUZZ_TARGETS="fuzz_text ...", FUZZ_FORK=2 (scripts/fuzz).
fuzz: setup
	scripts/fuzz

clean:
	rm -rf build artifacts bench-results.json
