# Mooring — the two commands are `make run` and `make test`.
SWIFT ?= swift
BIN_PATH = $$($(SWIFT) build --show-bin-path)

.PHONY: all deps build run test bench clean

all: build

deps:
	@./scripts/install-deps.sh

build: deps
	$(SWIFT) build --product mooring

run: build
	"$(BIN_PATH)/mooring" validate manifests

test: deps
	$(SWIFT) build --build-tests
	MOORING_BIN="$(BIN_PATH)/mooring" $(SWIFT) test --skip-build

bench: deps
	$(SWIFT) build -c release --product mooring-bench
	"$$($(SWIFT) build -c release --show-bin-path)/mooring-bench"

clean:
	rm -rf .build
