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

bench: deps
	$(SWIFT) build -c release --product mooring-bench
	"$$($(SWIFT) build -c release --show-bin-path)/mooring-bench"

clean:
	rm -rf .build
