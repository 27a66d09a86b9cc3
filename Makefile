# Mooring — the two commands are `make run` and `make test`.
SWIFT ?= swift
BIN_PATH = $$($(SWIFT) build --show-bin-path)

.PHONY: all deps build run test bench install install-check demo clean

PREFIX ?= /usr/local
# Extra options for the release build of `make install`, e.g.
# SWIFT_RELEASE_FLAGS="--scratch-path .build-release" keeps it apart from the debug build.
SWIFT_RELEASE_FLAGS ?=
# The replica log stamper is plain C. SwiftPM links every executable it builds with the
# Swift runtime (libswiftCore, libstdc++), which the stamper never calls but pays for at
# every start: about 1.5 ms of loading, once per replica started. `make install` and
# `make bench` compile it with the C compiler alone (docs/supervisor.md); the one SwiftPM
# builds, which `swift test` uses, does the same work and only starts slower.
CC ?= cc
STAMPER_SOURCE = Sources/mooring-stamp-log/main.c
STAMPER_CFLAGS = -O2 -Wall -Werror

all: build

deps:
	@./scripts/install-deps.sh

build: deps
	$(SWIFT) build --product mooring

# The main job on its embedded default: a controller deploying this repository's own
# manifests/ (current branch), state in .mooring/. Ctrl-C stops the controller and leaves
# the models running; `mooring down` stops them.
run: build
	"$(BIN_PATH)/mooring" validate manifests
	"$(BIN_PATH)/mooring" run

# Every suite runs one test at a time: the end-to-end tests each start their own
# controllers and model servers, and on a two-core machine tests run side by side starve
# each other's timers and probes. One run, one summary line.
test: deps
	$(SWIFT) build --build-tests
	MOORING_BIN="$(BIN_PATH)/mooring" $(SWIFT) test --skip-build --no-parallel

# Release build, then the supervisor's figures (mooring-bench) and the controller's side
# by side with a `git fetch` shell loop and supervisord (Benchmarks/controller-bench.py);
# both write their sections of BENCHMARKS.md, which also says how long the whole run took
# (11.3 minutes on a fresh clone after `make test`, 2 cores: 5.6 of them the release build).
bench:
	@mkdir -p .build && date +%s > .build/bench-started
	@./scripts/install-deps.sh --bench
	$(SWIFT) build -c release --product mooring
	$(SWIFT) build -c release --product mooring-bench
	$(CC) $(STAMPER_CFLAGS) -o "$$($(SWIFT) build -c release --show-bin-path)/mooring-stamp-log" $(STAMPER_SOURCE)
	"$$($(SWIFT) build -c release --show-bin-path)/mooring-bench"
	python3 Benchmarks/controller-bench.py "$$($(SWIFT) build -c release --show-bin-path)/mooring" BENCHMARKS.md .build/bench-venv --make-started="$$(cat .build/bench-started)"

# A narrated walkthrough of the three flows on a scratch repository (about two minutes);
# removes what it made. See scripts/demo.sh.
demo: build
	MOORING="$(BIN_PATH)/mooring" ./scripts/demo.sh

# A release build of the binary, installed as $(DESTDIR)$(PREFIX)/bin/mooring, with the
# replica log stamper it starts per replica (mooring-stamp-log, a small C program) beside it.
install: deps
	$(SWIFT) build -c release $(SWIFT_RELEASE_FLAGS) --product mooring
	install -D -m 0755 "$$($(SWIFT) build -c release $(SWIFT_RELEASE_FLAGS) --show-bin-path)/mooring" "$(DESTDIR)$(PREFIX)/bin/mooring"
	$(CC) $(STAMPER_CFLAGS) -o "$(DESTDIR)$(PREFIX)/bin/mooring-stamp-log" $(STAMPER_SOURCE)

# `make install` into a temporary prefix, then checks that the installed binary runs and
# is a release build (`mooring version`). Not part of `make test` (a release build takes
# many minutes on 2 cores); .ci/run calls it after `make test`. See scripts/install-check.sh.
install-check:
	MAKE="$(MAKE)" SWIFT_RELEASE_FLAGS="$(SWIFT_RELEASE_FLAGS)" ./scripts/install-check.sh

clean:
	rm -rf .build
