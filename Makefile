# Mooring — the two commands are `make run` and `make test`.
SWIFT ?= swift
BIN_PATH = $$($(SWIFT) build --show-bin-path)

.PHONY: all deps build run test bench clean

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

# Unit and integration suites run in parallel; the end-to-end suites (real controllers
# and model servers, each test its own fleet of processes) run one at a time after them,
# so none is starved of the machine's two cores by the others.
test: deps
	$(SWIFT) build --build-tests
	MOORING_BIN="$(BIN_PATH)/mooring" $(SWIFT) test --skip-build --skip MooringEndToEndTests
	MOORING_BIN="$(BIN_PATH)/mooring" $(SWIFT) test --skip-build --filter MooringEndToEndTests --no-parallel

# Release build, then the supervisor's figures (mooring-bench) and the controller's side
# by side with a `git fetch` shell loop and supervisord (Benchmarks/controller-bench.py);
# both write their sections of BENCHMARKS.md. About 10 minutes on 2 cores.
bench:
	@./scripts/install-deps.sh --bench
	$(SWIFT) build -c release --product mooring
	$(SWIFT) build -c release --product mooring-bench
	"$$($(SWIFT) build -c release --show-bin-path)/mooring-bench"
	python3 Benchmarks/controller-bench.py "$$($(SWIFT) build -c release --show-bin-path)/mooring" BENCHMARKS.md .build/bench-venv

clean:
	rm -rf .build
