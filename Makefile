# RingBot: `make run` opens the local chat, `make test` runs every test.
# Both install what is missing first (libcurl headers via apt-get when possible).

SWIFT          ?= swift
CACHE_DIR      ?= $(HOME)/.cache/ringbot
SYNAPSE_VENV   ?= $(CACHE_DIR)/synapse-venv
BUILD_FLAGS    ?=
export RINGBOT_SYNAPSE_VENV := $(SYNAPSE_VENV)

.PHONY: run test bench build release deps synapse check-kb clean

run: deps
	@$(SWIFT) build $(BUILD_FLAGS) --product ringbot >&2
	@"$$($(SWIFT) build $(BUILD_FLAGS) --show-bin-path)/ringbot" repl

test: deps synapse
	$(SWIFT) build $(BUILD_FLAGS) --build-tests
	$(SWIFT) test $(BUILD_FLAGS) --skip-build

bench: deps
	$(SWIFT) build -c release --static-swift-stdlib --product ringbot
	$(SWIFT) build -c release --static-swift-stdlib --product ringbot-bench
	"$$($(SWIFT) build -c release --static-swift-stdlib --show-bin-path)/ringbot-bench" \
		--ringbot "$$($(SWIFT) build -c release --static-swift-stdlib --show-bin-path)/ringbot" \
		--data ../shared/data/dev.tsv

build: deps
	$(SWIFT) build $(BUILD_FLAGS)

check-kb: build
	"$$($(SWIFT) build $(BUILD_FLAGS) --show-bin-path)/ringbot" kb check

# System libraries: libcurl (HTTP) and SQLite (state store) headers.
deps:
	@Tests/Support/install-deps.sh

# A cached virtualenv with Synapse, for the Matrix integration tests.
synapse:
	@Tests/Support/install-synapse.sh "$(SYNAPSE_VENV)"

clean:
	rm -rf .build
