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
	# 20 s per fuzz target; a 60 s per-input timeout here (10 s by default) so that a slow but finite input under ASan on a loaded CI machine cannot fail it (slow units are replayed before they count, see scripts/fuzz/README.md).
	SWIFT=$(SWIFT) FUZZ_TIMEOUT=60 bash scripts/fuzz/run.sh all 20
	# The cluster launcher against a real single-node Slurm (Debian's slurm-wlm + munge, started here): job array + merge, scancel + resubmit (~30 s).
	timeout 900 bash scripts/cluster/slurm-check.sh

# Peers (PyTorch; llama.cpp with PTQLAB_PEER_LLAMACPP=1) go into .venv-peers, not needed by tests.
bench: build
	bash scripts/setup-peers.sh
	.build/release/ptqlab bench

clean:
	rm -rf .build
