// swift-tools-version:6.1
import PackageDescription

/// The libFuzzer harness for RingBot, kept out of the main package so that `swift build`
/// and `swift test` there never need the fuzzer runtime. Build and run with `make fuzz`
/// from the repository root, or by hand:
///
///     swift build -c release -Xswiftc -sanitize=fuzzer,address -Xswiftc -parse-as-library
///     .build/release/ringbot-fuzz ../../.build/fuzz-corpus corpus -max_len=65536
let package = Package(
    name: "RingBotFuzz",
    platforms: [.macOS(.v14)],
    dependencies: [
        .package(name: "RingBot", path: "../.."),
    ],
    targets: [
        // Declares libFuzzer's `LLVMFuzzerRunDriver`.
        .target(name: "CFuzzerDriver", path: "Sources/CFuzzerDriver"),
        // No main.swift and no top-level code (`-parse-as-library`): SwiftPM renames the entry
        // point to `ringbot_fuzz_main`, which the harness defines to run libFuzzer's driver.
        .executableTarget(name: "ringbot-fuzz", dependencies: [
            "CFuzzerDriver",
            .product(name: "RingBotCore", package: "RingBot"),
            .product(name: "RingBotKnowledge", package: "RingBot"),
            .product(name: "RingBotTerminal", package: "RingBot"),
            .product(name: "RingBotEncoder", package: "RingBot"),
            .product(name: "RingBotMatcherCache", package: "RingBot"),
        ], path: "Sources/RingBotFuzz"),
    ],
    swiftLanguageModes: [.v6]
)
