// swift-tools-version:6.2
import PackageDescription

// The core library stays free of SwiftNIO/Hummingbird so the Lambda path and the tests of the
// pure core build in seconds; only the `serve` edge pulls in the HTTP server stack.
let strict: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
]

let package = Package(
    name: "runner-scaler",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "runner-scaler", targets: ["runner-scaler"]),
        // The Lambda bootstrap: the runtime loop alone, without the serve stack (peak RSS).
        .executable(name: "runner-scaler-lambda", targets: ["runner-scaler-lambda"]),
        .library(name: "RunnerScaler", targets: ["RunnerScaler"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.13.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        // Already in the graph through Hummingbird; named so `serve` can import what it uses
        // (peer addresses, TLS certificate loading, header names) directly.
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.0"),
        .package(url: "https://github.com/apple/swift-nio-ssl", from: "2.37.2"),
        .package(url: "https://github.com/apple/swift-http-types", from: "1.8.0"),
    ],
    targets: [
        .systemLibrary(
            name: "COpenSSL",
            pkgConfig: "openssl",
            providers: [.apt(["libssl-dev"])]
        ),
        .systemLibrary(
            name: "CCurl",
            pkgConfig: "libcurl",
            providers: [.apt(["libcurl4-openssl-dev"])]
        ),
        .target(
            name: "RunnerScaler",
            dependencies: [
                "COpenSSL",
                "CCurl",
                .product(name: "Logging", package: "swift-log"),
                // CoreMetrics, not Metrics: the latter imports the legacy Foundation module.
                .product(name: "CoreMetrics", package: "swift-metrics"),
            ],
            swiftSettings: strict
        ),
        .target(
            name: "RunnerScalerServer",
            dependencies: [
                "RunnerScaler",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTLS", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
            ],
            swiftSettings: strict
        ),
        .executableTarget(
            name: "runner-scaler",
            dependencies: [
                "RunnerScaler",
                "RunnerScalerServer",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
            ],
            swiftSettings: strict
        ),
        .executableTarget(
            name: "runner-scaler-lambda",
            dependencies: ["RunnerScaler"],
            swiftSettings: strict,
            // Position-dependent: the loader has ~100k fewer relocations to apply at start,
            // and the data pages they would dirty stay clean (about 1.6 MiB less resident).
            linkerSettings: [.unsafeFlags(["-Xclang-linker", "-no-pie"], .when(platforms: [.linux]))]
        ),
        .testTarget(
            name: "RunnerScalerTests",
            dependencies: [
                "RunnerScaler", "COpenSSL",
                .product(name: "Metrics", package: "swift-metrics"),
                // The reference the config's own YAML typing is checked against.
                .product(name: "Yams", package: "Yams"),
            ],
            swiftSettings: strict
        ),
        .testTarget(
            name: "RunnerScalerServerTests",
            dependencies: [
                "RunnerScalerServer",
                "RunnerScaler",
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
            ],
            swiftSettings: strict
        ),
    ]
)
