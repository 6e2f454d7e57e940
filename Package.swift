// swift-tools-version:6.1
import PackageDescription

/// RingBot: a support chat bot. The pure core (`RingBotCore`) holds the knowledge model,
/// text normalisation, the intent matcher and the dialogue; every other target is an
/// adapter at the edge (YAML loading, libcurl, Matrix, the terminal) or the thin
/// `ringbot` executable that wires them together.
let package = Package(
    name: "RingBot",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "ringbot", targets: ["ringbot"]),
        .library(name: "RingBotCore", targets: ["RingBotCore"]),
        // For the separate libFuzzer package in Tests/Fuzz, which depends on this one by path.
        .library(name: "RingBotKnowledge", targets: ["RingBotKnowledge"]),
        .library(name: "RingBotTerminal", targets: ["RingBotTerminal"]),
        .library(name: "RingBotEncoder", targets: ["RingBotEncoder"]),
        .library(name: "RingBotMatcherCache", targets: ["RingBotMatcherCache"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/jpsim/Yams.git", from: "6.2.2"),
        .package(url: "https://github.com/groue/GRDB.swift.git", from: "7.10.0"),
    ],
    targets: [
        // Pure core: no I/O, no clocks it is not given.
        .target(name: "RingBotCore"),
        // YAML -> knowledge model, with FILE:LINE errors.
        .target(name: "RingBotKnowledge", dependencies: [
            "RingBotCore",
            .product(name: "Yams", package: "Yams"),
        ]),
        // libcurl, as a system library with a tiny C shim for the variadic calls.
        .systemLibrary(
            name: "CCurl",
            pkgConfig: "libcurl",
            providers: [.apt(["libcurl4-openssl-dev"])]
        ),
        // The only importer of CCurl: a small HTTP client on dedicated threads.
        .target(name: "RingBotHTTP", dependencies: [
            "CCurl",
            .product(name: "Logging", package: "swift-log"),
        ]),
        // OpenSSL's libcrypto (a dependency of libcurl already), for SHA-256.
        .systemLibrary(
            name: "CCrypto",
            pkgConfig: "libcrypto",
            providers: [.apt(["libssl-dev"])]
        ),
        // SHA-256 through libcrypto: sender pseudonyms, transaction ids, cache keys.
        .target(name: "RingBotDigest", dependencies: ["CCrypto"]),
        // Chat-platform-neutral runtime: owns the loop every platform adapter (`ChatPlatform`) runs in,
        // the SQLite state store, flood control, fragments, retries, settings and shutdown.
        .target(name: "RingBotRuntime", dependencies: [
            "RingBotCore",
            "RingBotDigest",
            .product(name: "Logging", package: "swift-log"),
            .product(name: "GRDB", package: "GRDB.swift"),
            .product(name: "Yams", package: "Yams"),
        ]),
        // The Matrix adapter (a ChatPlatform) and its session tables.
        .target(name: "RingBotMatrix", dependencies: [
            "RingBotCore",
            "RingBotRuntime",
            "RingBotHTTP",
            .product(name: "Logging", package: "swift-log"),
            .product(name: "GRDB", package: "GRDB.swift"),
        ]),
        // The Telegram connector: the Bot API's getUpdates long poll and sendMessage over RingBotHTTP.
        .target(name: "RingBotTelegram", dependencies: [
            "RingBotCore",
            "RingBotRuntime",
            "RingBotHTTP",
            .product(name: "Logging", package: "swift-log"),
        ]),
        // The Zulip connector: event queue long-poll, gap filling, Markdown replies (Tests/Support/zulip has its fake server).
        .target(name: "RingBotZulip", dependencies: [
            "RingBotCore",
            "RingBotRuntime",
            "RingBotHTTP",
            .product(name: "Logging", package: "swift-log"),
        ]),
        // The sentence encoder (all-MiniLM-L6-v2): safetensors weights, WordPiece tokenizer and the
        // BERT forward pass in Swift. An adapter: it reads the model's files; the core sees `SentenceEmbedder`.
        .target(name: "RingBotEncoder", dependencies: ["RingBotCore", "CEncoderKernels", "RingBotCachePaths"]),
        // Where the rebuildable caches live ($RINGBOT_CACHE_DIR, else ~/.cache/ringbot): shared by the encoder and the matcher cache.
        .target(name: "RingBotCachePaths"),
        // The encoder's hot loops in C (AVX-512 BF16 when the CPU has it, else portable):
        // Swift cannot emit those instructions. Optimised in debug builds too, so that tests and
        // `swift run` compile the knowledge in seconds rather than minutes.
        .target(name: "CEncoderKernels", cSettings: [.unsafeFlags(["-O2"])]),
        // The compiled-knowledge cache: the hybrid matcher's trained weights and example embeddings,
        // keyed by a hash of the knowledge files, the model and the matcher version; written atomically.
        .target(name: "RingBotMatcherCache", dependencies: ["RingBotCore", "RingBotKnowledge", "RingBotDigest", "RingBotCachePaths"]),
        // libedit (BSD licence) for line editing and history in the chat.
        .systemLibrary(
            name: "CEditline",
            pkgConfig: "libedit",
            providers: [.apt(["libedit-dev"])]
        ),
        // The local chat: terminal I/O, line editing, sanitising and colour.
        .target(name: "RingBotTerminal", dependencies: ["RingBotCore", "CEditline"]),
        // The executable: argument parsing and wiring only.
        .executableTarget(name: "ringbot", dependencies: [
            "RingBotCore",
            "RingBotKnowledge",
            "RingBotEncoder",
            "RingBotMatcherCache",
            "RingBotRuntime",
            "RingBotMatrix",
            "RingBotTelegram",
            "RingBotZulip",
            "RingBotTerminal",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
            .product(name: "Logging", package: "swift-log"),
        ]),
        // `make bench`: latency, start-up and memory figures.
        .executableTarget(name: "ringbot-bench", dependencies: [
            "RingBotCore",
            "RingBotKnowledge",
            "RingBotEncoder",
            "RingBotMatcherCache",
        ]),
        .testTarget(name: "RingBotCoreTests", dependencies: ["RingBotCore", "RingBotKnowledge", "RingBotTerminal"]),
        .testTarget(name: "RingBotKnowledgeTests", dependencies: ["RingBotCore", "RingBotKnowledge"],
                    resources: [.copy("Fixtures")]),
        .testTarget(name: "RingBotHTTPTests", dependencies: [
            "RingBotHTTP", "RingBotTestSupport",
            .product(name: "Logging", package: "swift-log"),
        ], exclude: ["Fixtures"]),
        // Shared test support: a scripted ChatPlatform, a manual clock, log capture, the real knowledge.
        .target(name: "RingBotTestSupport", dependencies: [
            "RingBotCore",
            "RingBotKnowledge",
            "RingBotRuntime",
            .product(name: "Logging", package: "swift-log"),
            .product(name: "InMemoryLogging", package: "swift-log"),
        ], path: "Tests/RingBotTestSupport"),
        .testTarget(name: "RingBotRuntimeTests", dependencies: [
            "RingBotRuntime", "RingBotCore", "RingBotTestSupport",
            .product(name: "Logging", package: "swift-log"),
            .product(name: "GRDB", package: "GRDB.swift"),
        ]),
        .testTarget(name: "RingBotMatrixTests", dependencies: [
            "RingBotMatrix", "RingBotRuntime", "RingBotCore", "RingBotHTTP", "RingBotTestSupport",
        ]),
        .testTarget(name: "RingBotZulipTests", dependencies: ["RingBotZulip", "RingBotRuntime", "RingBotCore", "RingBotHTTP"]),
        // Runs the built `ringbot zulip` against the fake Zulip server (Tests/Support/zulip).
        .testTarget(name: "RingBotZulipIntegrationTests", dependencies: ["RingBotHTTP", "RingBotTestSupport"]),
        .testTarget(name: "RingBotCLITests", dependencies: []),
        .testTarget(name: "RingBotEncoderTests", dependencies: ["RingBotEncoder", "RingBotCore", "CEncoderKernels"],
                    resources: [.copy("Fixtures")]),
        .testTarget(name: "RingBotMatcherCacheTests", dependencies: ["RingBotMatcherCache", "RingBotCore", "RingBotKnowledge"]),
        // Runs the built `ringbot` against a real Synapse (Tests/Support/synapse).
        .testTarget(name: "RingBotMatrixIntegrationTests", dependencies: ["RingBotHTTP", "RingBotTestSupport"]),
        .testTarget(name: "RingBotTelegramTests", dependencies: ["RingBotTelegram", "RingBotRuntime", "RingBotCore", "RingBotHTTP"]),
        // Runs the built `ringbot telegram` against the fake Bot API (Tests/Support/telegram).
        .testTarget(name: "RingBotTelegramIntegrationTests", dependencies: ["RingBotHTTP", "RingBotTestSupport"]),
        // Bad-input property tests and CLI robustness (`Tests/Fuzz` holds the libFuzzer harness).
        .testTarget(name: "RingBotRobustnessTests", dependencies: [
            "RingBotCore", "RingBotKnowledge", "RingBotTerminal", "RingBotEncoder", "RingBotMatcherCache",
        ]),
    ],
    swiftLanguageModes: [.v6]
)
