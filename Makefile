# RingBot: `make run` opens the local chat, `make test` runs every test.
# Both install what is missing first (system headers via apt-get when possible).

SWIFT          ?= swift
CACHE_DIR      ?= $(HOME)/.cache/ringbot
SYNAPSE_VENV   ?= $(CACHE_DIR)/synapse-venv
ZULIP_VENV     ?= $(CACHE_DIR)/zulip-venv
BUILD_FLAGS    ?=
export RINGBOT_SYNAPSE_VENV := $(SYNAPSE_VENV)
export RINGBOT_ZULIP_VENV := $(ZULIP_VENV)

.PHONY: run test bench build release deps synapse zulip-client check-kb clean fuzz

run: deps
	@$(SWIFT) build $(BUILD_FLAGS) --product ringbot >&2
	@"$$($(SWIFT) build $(BUILD_FLAGS) --show-bin-path)/ringbot" repl

test: deps synapse zulip-client
	$(SWIFT) build $(BUILD_FLAGS) --build-tests
	$(SWIFT) test $(BUILD_FLAGS) --skip-build

# Speed and memory, measured on the release binary as deployed (static Swift runtime):
# the core's figures, then the end-to-end Matrix figures against a throw-away Synapse and the
# Zulip figures against the fake Zulip server (each next to the server's own round trip).
RELEASE := -c release --static-swift-stdlib
DEV_TSV ?= Tests/Data/dev.tsv

bench: deps synapse
	$(SWIFT) build $(RELEASE) --product ringbot
	$(SWIFT) build $(RELEASE) --product ringbot-bench
	"$$($(SWIFT) build $(RELEASE) --show-bin-path)/ringbot-bench" \
		--ringbot "$$($(SWIFT) build $(RELEASE) --show-bin-path)/ringbot" --data $(DEV_TSV)
	"$(SYNAPSE_VENV)/bin/python" Tests/Support/synapse/matrix-bench.py \
		--ringbot "$$($(SWIFT) build $(RELEASE) --show-bin-path)/ringbot" --data $(DEV_TSV)
	python3 Tests/Support/zulip/zulip-bench.py \
		--ringbot "$$($(SWIFT) build $(RELEASE) --show-bin-path)/ringbot" --data $(DEV_TSV)

build: deps
	$(SWIFT) build $(BUILD_FLAGS)

check-kb: build
	"$$($(SWIFT) build $(BUILD_FLAGS) --show-bin-path)/ringbot" kb check

# libFuzzer on the core (Tests/Fuzz, a separate package): classify, a 3-turn dialogue and every
# renderer on each input, trapping on a broken invariant. Runs on a copy of the seed corpus in
# .build/fuzz-corpus (git-ignored); crashes and slow units are written to .build/fuzz-artifacts/.
FUZZ_SECONDS ?= 300
FUZZ_FLAGS   ?=
FUZZ_BUILD   := -c release -Xswiftc -sanitize=fuzzer,address -Xswiftc -parse-as-library

fuzz: deps
	cd Tests/Fuzz && $(SWIFT) build $(FUZZ_BUILD)
	mkdir -p .build/fuzz-corpus .build/fuzz-artifacts
	cp Tests/Fuzz/corpus/* .build/fuzz-corpus/
	SWIFT_BACKTRACE=enable=no "$$(cd Tests/Fuzz && $(SWIFT) build $(FUZZ_BUILD) --show-bin-path)/ringbot-fuzz" \
		-max_total_time=$(FUZZ_SECONDS) -max_len=65536 -timeout=60 -print_final_stats=1 \
		-artifact_prefix=.build/fuzz-artifacts/ $(FUZZ_FLAGS) .build/fuzz-corpus

# System libraries: libcurl (HTTP), SQLite (state store) and libedit (chat line editing).
deps:
	@Tests/Support/install-deps.sh

# A cached virtualenv with Zulip's own Python client, which checks the fake Zulip server.
zulip-client:
	@Tests/Support/install-zulip-client.sh "$(ZULIP_VENV)"

# A cached virtualenv with Synapse, for the Matrix integration tests.
synapse:
	@Tests/Support/install-synapse.sh "$(SYNAPSE_VENV)"

clean:
	rm -rf .build
