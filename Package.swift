// swift-tools-version:6.1
import PackageDescription

/// Settings every Mooring target shares: Swift 6 language mode (set below for the
/// whole package) plus the upcoming features we hold ourselves to.
let sharedSwiftSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
]

let package = Package(
    name: "Mooring",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "mooring", targets: ["mooring"]),
        // The replica log stamper `mooring run` starts per replica, installed beside `mooring`.
        .executable(name: "mooring-stamp-log", targets: ["mooring-stamp-log"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        // Without the default ConfigurationSupport trait: Mooring reads its own configuration,
        // and swift-configuration (about 20,000 lines) would be compiled for nothing.
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1", traits: ["FullFoundation"]),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
    ],
    targets: [
        // C system libraries (Debian: libgit2-dev, libcurl4-openssl-dev, libyaml-dev; see scripts/install-deps.sh).
        .systemLibrary(
            name: "CLibGit2",
            path: "Sources/CLibGit2",
            pkgConfig: "libgit2",
            providers: [.apt(["libgit2-dev"])]
        ),
        .systemLibrary(
            name: "CCurl",
            path: "Sources/CCurl",
            pkgConfig: "libcurl",
            providers: [.apt(["libcurl4-openssl-dev"])]
        ),
        // libyaml's event parser: manifests and the host configuration are decoded from its
        // events (no Yams: its node tree and regular-expression tag resolver were the cost).
        // OpenSSL's libcrypto for SHA-256 and HMAC-SHA256 (MooringDigest). libcurl and
        // libgit2 already link it; swift-crypto would compile BoringSSL, a third of a release
        // build, for two functions.
        .systemLibrary(
            name: "CLibCrypto",
            path: "Sources/CLibCrypto",
            pkgConfig: "libcrypto",
            providers: [.apt(["libssl-dev"])]
        ),
        .systemLibrary(
            name: "CLibYAML",
            path: "Sources/CLibYAML",
            pkgConfig: "yaml-0.1",
            providers: [.apt(["libyaml-dev"])]
        ),

        // Libraries, one per concern (see docs/architecture.md).
        // SHA-256 (whole, streamed, files) and HMAC-SHA256 through libcrypto, and hex.
        .target(
            name: "MooringDigest",
            dependencies: ["CLibCrypto"],
            swiftSettings: sharedSwiftSettings
        ),
        // Private files and directories: O_NOFOLLOW, owner and mode checks (state directory).
        .target(
            name: "MooringFileSafety",
            swiftSettings: sharedSwiftSettings
        ),
        // Golden requests (`spec.tests`): JSON paths, assertions, latency statistics and the
        // pure judgement of a check's answers. No I/O.
        .target(
            name: "MooringModelChecks",
            swiftSettings: sharedSwiftSettings
        ),
        // HTTP through libcurl: buffered requests (method, headers, body, timeout, bounded
        // answer, measured latency) and streaming transfers (sinks, Range, SigV4), off the
        // cooperative pool.
        .target(
            name: "MooringHTTP",
            dependencies: ["CCurl"],
            swiftSettings: sharedSwiftSettings
        ),
        // Runs a deployment's checks against one replica's port: the controller's Testing
        // gate and `mooring test` share it.
        .target(
            name: "MooringCheckRunner",
            dependencies: ["MooringModelChecks", "MooringHTTP", "MooringManifests"],
            swiftSettings: sharedSwiftSettings
        ),
        .target(
            name: "MooringManifests",
            dependencies: [
                "MooringModelChecks",
                "CLibYAML",
                // SHA-256 for spec identity and `model.sha256` checks (streamed for files).
                "MooringDigest",
            ],
            swiftSettings: sharedSwiftSettings
        ),
        // The host configuration file (`--config`, /etc/mooring/config.yaml): decoded with the
        // manifests' positioned diagnostics.
        .target(
            name: "MooringConfiguration",
            dependencies: ["MooringManifests", "MooringGit", "MooringArtifacts"],
            swiftSettings: sharedSwiftSettings
        ),
        .target(
            name: "MooringGit",
            dependencies: ["CLibGit2", "MooringFileSafety", .product(name: "Logging", package: "swift-log")],
            swiftSettings: sharedSwiftSettings
        ),
        .target(
            name: "MooringSupervisor",
            dependencies: ["CCurl", "CSupervisorSupport", "MooringFileSafety", .product(name: "Logging", package: "swift-log")],
            swiftSettings: sharedSwiftSettings
        ),
        // Remote model artifacts: URI schemes, the content-addressed cache, S3 / Hugging
        // Face / MLflow resolvers and the cache's garbage collector.
        .target(
            name: "MooringArtifacts",
            dependencies: ["MooringDigest", "MooringHTTP", "MooringManifests"],
            swiftSettings: sharedSwiftSettings
        ),
        // The status vocabulary and the pure status summary: no GRDB, so the HTTP server
        // and any reader can import it.
        .target(
            name: "MooringStatus",
            swiftSettings: sharedSwiftSettings
        ),
        // The data plane: HAProxy's configuration, its runtime API over a Unix socket, and
        // per-server statistics (docs/traffic.md). No dependency on the rest of Mooring.
        .target(
            name: "MooringTraffic",
            swiftSettings: sharedSwiftSettings
        ),
        .target(
            name: "MooringStore",
            dependencies: ["MooringStatus", "MooringFileSafety", .product(name: "GRDB", package: "GRDB.swift")],
            swiftSettings: sharedSwiftSettings
        ),

        .target(
            name: "MooringController",
            dependencies: [
                "MooringManifests", "MooringGit", "MooringSupervisor", "MooringStore", "MooringStatus", "MooringFileSafety",
                "MooringTraffic", "MooringDigest",
                // The Testing gate and `mooring test` run `spec.tests` with it.
                "MooringModelChecks", "MooringCheckRunner",
                // Remote model artifacts, fetched in the Preparing phase.
                "MooringArtifacts", "MooringHTTP",
                .product(name: "Logging", package: "swift-log"),
                // The controller's series (`mooring_*`), exported by MooringServer's `/metrics`.
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
            ],
            swiftSettings: sharedSwiftSettings
        ),
        // The HTTP API, webhooks, `/metrics` and the status page (Hummingbird 2): one more
        // `Service` in `mooring run`'s group, talking to the controller through its API.
        .target(
            name: "MooringServer",
            dependencies: [
                "MooringController", "MooringStore", "MooringStatus", "MooringFileSafety",
                .product(name: "Hummingbird", package: "hummingbird"),
                "MooringDigest",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "Metrics", package: "swift-metrics"),
            ],
            swiftSettings: sharedSwiftSettings
        ),
        // posix_spawn with setsid, pidfds and waitid(P_PIDFD) for MooringSupervisor.
        .target(name: "CSupervisorSupport", path: "Sources/CSupervisorSupport"),

        // The replica log stamper (C, no dependencies): one runs per replica between its
        // output and its log file, so it must start in well under a millisecond
        // (docs/supervisor.md). A dependency of `mooring`, so building `mooring` builds it.
        .executableTarget(name: "mooring-stamp-log", path: "Sources/mooring-stamp-log"),

        // The command-line tool.
        .executableTarget(
            name: "mooring",
            dependencies: [
                "mooring-stamp-log",
                "MooringManifests",
                "MooringConfiguration",
                "MooringGit",
                "MooringSupervisor",
                "MooringController",
                "MooringServer",
                "MooringStore",
                "MooringStatus",
                "MooringFileSafety",
                "MooringHTTP",
                "MooringModelChecks",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                // `mooring test` stops what it started on Ctrl-C.
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: sharedSwiftSettings
        ),

        // `make bench`: measured speed, never asserted by tests.
        .executableTarget(
            name: "mooring-bench",
            dependencies: ["MooringManifests", "MooringSupervisor", "MooringGit", "MooringController", "MooringTraffic",
                           "CLibYAML", .product(name: "Logging", package: "swift-log")],
            path: "Benchmarks/mooring-bench",
            swiftSettings: sharedSwiftSettings
        ),

        // A supervisor in a process of its own, for the supervisor tests of what is
        // process-wide (the child subreaper of the containment fallback). Not shipped.
        .executableTarget(
            name: "mooring-supervisor-host",
            dependencies: ["MooringSupervisor", .product(name: "Logging", package: "swift-log")],
            path: "Tests/SupervisorHost",
            swiftSettings: sharedSwiftSettings
        ),

        // Helpers shared by every test target (temp dirs, git fixtures, process cleanup).
        .target(
            name: "MooringTesting",
            dependencies: [],
            swiftSettings: sharedSwiftSettings
        ),

        .testTarget(
            name: "MooringManifestsTests",
            dependencies: ["MooringManifests", "MooringTesting"],
            resources: [.copy("Fixtures")],
            swiftSettings: sharedSwiftSettings
        ),
        .testTarget(
            name: "MooringModelChecksTests",
            dependencies: ["MooringModelChecks", "MooringCheckRunner", "MooringHTTP", "MooringManifests", "MooringTesting"],
            swiftSettings: sharedSwiftSettings
        ),
        .testTarget(
            name: "MooringControllerTests",
            dependencies: [
                "MooringController", "MooringManifests", "MooringGit", "MooringStatus", "MooringStore",
                "MooringSupervisor", "MooringTesting", "MooringTraffic", .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: sharedSwiftSettings
        ),
        .testTarget(
            name: "MooringConfigurationTests",
            dependencies: ["MooringConfiguration", "MooringManifests", "MooringGit", "MooringTesting"],
            swiftSettings: sharedSwiftSettings
        ),
        .testTarget(
            name: "MooringStatusTests",
            dependencies: ["MooringStatus"],
            swiftSettings: sharedSwiftSettings
        ),
        .testTarget(
            name: "MooringGitTests",
            dependencies: ["MooringGit", "MooringTesting", .product(name: "Logging", package: "swift-log")],
            swiftSettings: sharedSwiftSettings
        ),
        .testTarget(
            name: "MooringSupervisorTests",
            dependencies: ["MooringSupervisor", "MooringTesting", .product(name: "Logging", package: "swift-log")],
            swiftSettings: sharedSwiftSettings
        ),
        .testTarget(
            name: "MooringTrafficTests",
            dependencies: ["MooringTraffic", "MooringTesting"],
            swiftSettings: sharedSwiftSettings
        ),
        .testTarget(
            name: "MooringStoreTests",
            dependencies: [
                "MooringStore", "MooringTesting",
                // Tests write raw SQL to prove the schema's constraints hold.
                .product(name: "GRDB", package: "GRDB.swift"),
            ],
            swiftSettings: sharedSwiftSettings
        ),
        .testTarget(
            name: "MooringEndToEndTests",
            // MooringDigest signs the webhook bodies the way GitHub, Gitea and others do.
            dependencies: ["MooringDigest", "MooringTesting"],
            swiftSettings: sharedSwiftSettings
        ),
        .testTarget(
            name: "MooringDigestTests",
            dependencies: ["MooringDigest", "MooringTesting"],
            swiftSettings: sharedSwiftSettings
        ),
        .testTarget(
            name: "MooringArtifactsTests",
            dependencies: ["MooringArtifacts", "MooringDigest", "MooringHTTP", "MooringManifests", "MooringTesting"],
            swiftSettings: sharedSwiftSettings
        ),
        .testTarget(
            name: "MooringCLITests",
            dependencies: ["MooringTesting"],
            swiftSettings: sharedSwiftSettings
        ),
    ],
    swiftLanguageModes: [.v6]
)
