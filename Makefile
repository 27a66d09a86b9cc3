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

test: deps
	$(SWIFT) build --build-tests
	MOORING_BIN="$(BIN_PATH)/mooring" $(SWIFT) test --skip-build

bench: deps
	$(SWIFT) build -c release --product mooring-bench
	"$$($(SWIFT) build -c release --show-bin-path)/mooring-bench"

clean:
	rm -rf .build
