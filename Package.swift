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
        // Chat-platform-neutral runtime: owns the loop every platform adapter (`ChatPlatform`) runs in,
        // the SQLite state store, flood control, fragments, retries, settings and shutdown.
        .target(name: "RingBotRuntime", dependencies: [
            "RingBotCore",
            "CCrypto",
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
        // The Zulip connector: event queue long-poll, gap filling, Markdown replies (Tests/Support/zulip has its fake server).
        .target(name: "RingBotZulip", dependencies: [
            "RingBotCore",
            "RingBotRuntime",
            "RingBotHTTP",
            .product(name: "Logging", package: "swift-log"),
        ]),
        // The sentence encoder (all-MiniLM-L6-v2): safetensors weights, WordPiece tokenizer and the
        // BERT forward pass in Swift. An adapter: it reads the model's files; the core sees `SentenceEmbedder`.
        .target(name: "RingBotEncoder", dependencies: ["RingBotCore"]),
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
            "RingBotRuntime",
            "RingBotMatrix",
            "RingBotZulip",
            "RingBotTerminal",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
            .product(name: "Logging", package: "swift-log"),
        ]),
        // `make bench`: latency, start-up and memory figures.
        .executableTarget(name: "ringbot-bench", dependencies: [
            "RingBotCore",
            "RingBotKnowledge",
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
        .testTarget(name: "RingBotZulipIntegrationTests", dependencies: ["RingBotHTTP"]),
        .testTarget(name: "RingBotCLITests", dependencies: []),
        .testTarget(name: "RingBotEncoderTests", dependencies: ["RingBotEncoder", "RingBotCore"]),
        // Runs the built `ringbot` against a real Synapse (Tests/Support/synapse).
        .testTarget(name: "RingBotMatrixIntegrationTests", dependencies: ["RingBotHTTP"]),
        // Bad-input property tests and CLI robustness (`Tests/Fuzz` holds the libFuzzer harness).
        .testTarget(name: "RingBotRobustnessTests", dependencies: ["RingBotCore", "RingBotKnowledge", "RingBotTerminal"]),
    ],
    swiftLanguageModes: [.v6]
)
