// swift-tools-version:6.2
import PackageDescription

// The benchmarks are a package of their own so that building the main package (and its
// tests) never compiles ordo-one/benchmark. It depends on the main package by path and is
// built into Benchmarks/.build, away from the shared root .build.
//
//   cd Benchmarks && swift package --allow-writing-to-package-directory benchmark
//
// See ../BENCHMARKS.md for the figures and ../scripts/bench-smoke for the CI smoke run.
let package = Package(
    name: "runner-scaler-benchmarks",
    platforms: [.macOS(.v14)],
    dependencies: [
        // The identity is pinned by name so the product reference below does not depend on the
        // folder the repository was cloned into.
        .package(name: "runner-scaler", path: ".."),
        .package(url: "https://github.com/ordo-one/benchmark", from: "1.38.1", traits: ["MallocInterposer"]),
    ],
    targets: [
        // Payload builders, the test key, the in-process HTTP peer and the CPU clock, shared by
        // the benchmarks and the `bench-fixtures` helper the shell scripts call.
        .target(
            name: "BenchSupport",
            dependencies: [.product(name: "RunnerScaler", package: "runner-scaler")]
        ),
        // One scenario in a loop with no framework around it: for callgrind and quick checks.
        .executableTarget(
            name: "bench-profile",
            dependencies: ["BenchSupport", .product(name: "RunnerScaler", package: "runner-scaler")]
        ),
        .executableTarget(
            name: "ScalerBenchmarks",
            dependencies: [
                "BenchSupport",
                .product(name: "RunnerScaler", package: "runner-scaler"),
                .product(name: "Benchmark", package: "benchmark"),
            ],
            path: "Benchmarks/ScalerBenchmarks",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
    ]
)
