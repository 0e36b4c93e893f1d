// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "mock-bedrock",
    products: [
        .executable(name: "mock-bedrock", targets: ["mock-bedrock"]),
        .library(name: "MockBedrock", targets: ["MockBedrock"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
    ],
    targets: [
        .systemLibrary(
            name: "CMicroHTTPD",
            pkgConfig: "libmicrohttpd",
            providers: [.apt(["libmicrohttpd-dev"])]
        ),
        // PCRE2's DFA matcher: the model's patterns in linear time (Sources/Fixtures/Model/LinearPattern.swift).
        .systemLibrary(
            name: "CPCRE2",
            pkgConfig: "libpcre2-8",
            providers: [.apt(["libpcre2-dev"])]
        ),
        .target(name: "Fixtures", dependencies: ["CPCRE2"]),
        .target(
            name: "MockBedrock",
            dependencies: [
                "Fixtures",
                "CMicroHTTPD",
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .executableTarget(
            name: "mock-bedrock",
            dependencies: [
                "MockBedrock",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // The fuzz inputs (a library, so that the tests replay the seeds) and the libFuzzer binary (scripts/fuzz).
        .target(name: "MockBedrockFuzzing", dependencies: ["MockBedrock", "Fixtures"]),
        .executableTarget(name: "mock-bedrock-fuzz", dependencies: ["MockBedrockFuzzing"]),
        .testTarget(name: "FixturesTests", dependencies: ["Fixtures"]),
        .testTarget(name: "MockBedrockTests", dependencies: ["MockBedrock", "Fixtures", "MockBedrockFuzzing"]),
        .testTarget(name: "MockBedrockCommandTests", dependencies: ["mock-bedrock"]),
    ]
)
