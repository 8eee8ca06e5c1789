# PTQLab: `make run` installs everything and runs the main job; `make test` installs and tests.
SWIFT ?= swift
.PHONY: setup build run test bench clean

setup:
	bash scripts/setup.sh

build: setup
	$(SWIFT) build -c release --product ptqlab

run: build
	.build/release/ptqlab study

test: setup
	$(SWIFT) test -c release
	SWIFT=$(SWIFT) bash scripts/fuzz/run.sh all 20

# Peers (PyTorch; llama.cpp with PTQLAB_PEER_LLAMACPP=1) go into .venv-peers, not needed by tests.
bench: build
	bash scripts/setup-peers.sh
	.build/release/ptqlab bench

clean:
	rm -rf .build
