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
        .package(url: "https://github.com/apple/swift-collections", from: "1.6.0"),
    ],
    targets: [
        .systemLibrary(
            name: "CMicroHTTPD",
            pkgConfig: "libmicrohttpd",
            providers: [.apt(["libmicrohttpd-dev"])]
        ),
        // PCRE2's DFA matcher: the model's patterns in linear time (Sources/ServiceModel/LinearPattern.swift).
        .systemLibrary(
            name: "CPCRE2",
            pkgConfig: "libpcre2-8",
            providers: [.apt(["libpcre2-dev"])]
        ),
        // HTTP (libcurl: TLS, proxies, timeouts, connection reuse; the S3 client and event delivery) and XML (libxml2:
        // a real parser for S3's answers, without entities or network; Sources/S3 only).
        // Not linked: C targets that dlopen libcurl.so.4 and libxml2.so.2 the first time an S3 client is
        // made, and resolve their functions with dlsym. Linked, they and the thirty-odd libraries they
        // need (OpenSSL, Kerberos, LDAP, ICU, libstdc++...) were mapped at every start, for --s3-endpoint
        // only (docs/architecture.md, "The S3 client"). Neither target may name the library to the linker
        // (no `linkedLibrary`, no systemLibrary's pkgConfig, whose --libs SwiftPM adds to the link).
        // Build needs the headers only: libcurl4-openssl-dev (curl/curl.h, in the default include path)
        // and libxml2-dev (in /usr/include/libxml2, which only CLibXML2.c sees: its public header
        // declares wrappers over opaque pointers, so no Swift module needs libxml2's headers).
        .target(name: "CCurl"),
        .target(name: "CLibXML2", cSettings: [.unsafeFlags(["-I/usr/include/libxml2"])]),
        // Signing: SHA-256, HMAC, hex and SigV4, shared by the server's signature check and the S3 client.
        // HTTPClient: libcurl's easy handles (the one way the mock sends HTTP), its URL parser, its errors.
        // S3: the data plane's client (list, head, get streamed, put, multipart uploads).
        .target(name: "Signing"),
        // Sync: the pthread-based lock (`Locked`) and wake-up (`WakeUp`) every threaded part uses.
        .target(name: "Sync"),
        .target(name: "HTTPClient", dependencies: ["CCurl", "Sync"]),
        .target(name: "S3", dependencies: ["HTTPClient", "CLibXML2", "Signing", "Sync"]),
        // JSON: the strict parser and the writer. ServiceModel: botocore's model (generated), its shapes
        // and constraints, timestamps. Fixtures: the job record and fixture loading, and small helpers.
        .target(name: "JSON"),
        .target(name: "ServiceModel", dependencies: ["JSON", "CPCRE2"]),
        .target(name: "Fixtures", dependencies: ["JSON", "ServiceModel"]),
        // EventDelivery: the sinks of the jobs' state-change events (a webhook, EventBridge's PutEvents),
        // each a bounded queue and one delivery thread.
        .target(name: "EventDelivery", dependencies: ["HTTPClient", "Signing", "JSON", "Sync"]),
        // BatchData: the data plane's parts without the server: S3 locations, the object stores, reading
        // and checking a job's input, writing its results.
        .target(name: "BatchData", dependencies: ["Inference", "JSON"]),
        // Inference: one batch record to the modelOutput (or the error) Bedrock would write (docs/model-outputs.md).
        // libm by name: without Foundation nothing else brings `round` and `sqrt` to an executable's link.
        .target(name: "Inference", dependencies: ["JSON"], linkerSettings: [.linkedLibrary("m", .when(platforms: [.linux]))]),
        .target(
            name: "MockBedrock",
            dependencies: [
                "BatchData",
                "Fixtures",
                "Inference",
                "JSON",
                "S3",
                "ServiceModel",
                "Signing",
                "Sync",
                "CMicroHTTPD",
                .product(name: "Logging", package: "swift-log"),
                // The event worker's queue of jobs by the instant each is due (Model/JobStore+Events.swift).
                .product(name: "HeapModule", package: "swift-collections"),
            ]
        ),
        .executableTarget(
            name: "mock-bedrock",
            dependencies: [
                "MockBedrock",
                "EventDelivery",
                "BatchData",
                "Fixtures",
                "ServiceModel",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // The fuzz inputs (a library, so that the tests replay the seeds) and the libFuzzer binary (scripts/fuzz).
        .target(name: "MockBedrockFuzzing", dependencies: ["MockBedrock", "Fixtures", "Inference", "JSON", "S3", "ServiceModel"]),
        .executableTarget(name: "mock-bedrock-fuzz", dependencies: ["MockBedrockFuzzing"]),
        .testTarget(name: "FixturesTests", dependencies: ["Fixtures", "JSON", "ServiceModel", "Sync"]),
        .testTarget(name: "BatchDataTests", dependencies: ["BatchData", "Fixtures", "Inference", "JSON", "Sync"]),
        .testTarget(name: "InferenceTests", dependencies: ["Inference", "JSON"]),
        .testTarget(name: "MockBedrockTests", dependencies: ["MockBedrock", "Fixtures", "JSON", "ServiceModel", "Signing", "Sync", "MockBedrockFuzzing", "LiveTestSupport"]),
        // What the live test suites share: a moto_server they start, the programs they run, loopback sockets.
        .target(name: "LiveTestSupport", path: "Tests/LiveTestSupport"),
        .testTarget(name: "S3Tests", dependencies: ["S3", "Signing", "LiveTestSupport"]),
        .testTarget(name: "EventDeliveryTests", dependencies: ["EventDelivery", "JSON", "LiveTestSupport"]),
        .testTarget(name: "MockBedrockCommandTests", dependencies: ["mock-bedrock", "MockBedrock"]),
    ]
)
