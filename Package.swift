// swift-tools-version:6.1
// Starling: a search-and-index engine for social content, on Xapian, ICU, utf8proc and CLD2.
//
// The targets read as the architecture: C shims at the bottom (CXapian, CICU, CUtf8proc, CCLD2), a typed
// Swift layer over Xapian (XapianKit), the post model, importers, the analysis pipeline, the query language,
// the index, and the `starling` command on top.
import PackageDescription

let package = Package(
    name: "Starling",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "starling", targets: ["StarlingCLI"]),
        .library(name: "XapianKit", targets: ["XapianKit"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
    ],
    targets: [
        // MARK: C shims
        .target(
            name: "CXapian",
            cxxSettings: [.unsafeFlags(["-O2"])],
            linkerSettings: [.linkedLibrary("xapian")]
        ),
        .target(
            name: "CICU",
            cSettings: [.unsafeFlags(["-O2"])],
            linkerSettings: [.linkedLibrary("icuuc")]
        ),
        .systemLibrary(name: "CUtf8proc"),
        .target(
            name: "CCLD2",
            cxxSettings: [.unsafeFlags(["-O2"])],
            // cld2_full before cld2: the full tables work by symbol interposition.
            linkerSettings: [.linkedLibrary("cld2_full"), .linkedLibrary("cld2")]
        ),

        // MARK: Swift modules
        .target(name: "XapianKit", dependencies: ["CXapian"]),
        .target(name: "StarlingModel"),
        .target(name: "StarlingImport", dependencies: ["StarlingModel"]),
        .target(name: "StarlingAnalysis", dependencies: ["StarlingModel", "CICU", "CUtf8proc"]),
        .target(name: "StarlingLanguage", dependencies: ["StarlingModel", "StarlingAnalysis", "CCLD2", "XapianKit"]),
        .target(name: "StarlingDuplicates", dependencies: ["StarlingModel", "StarlingAnalysis"]),
        .target(name: "StarlingQuery", dependencies: ["StarlingModel"]),
        .target(
            name: "StarlingIndex",
            dependencies: [
                "StarlingModel", "StarlingImport", "StarlingAnalysis", "StarlingQuery", "StarlingLanguage",
                "StarlingDuplicates", "StarlingEntities", "XapianKit",
            ]
        ),
        .target(
            name: "StarlingEntities",
            dependencies: ["StarlingModel", "StarlingAnalysis", .product(name: "Yams", package: "Yams")]
        ),
        .target(
            name: "StarlingService",
            dependencies: [
                "StarlingModel", "StarlingImport", "StarlingAnalysis", "StarlingQuery", "StarlingIndex",
                "StarlingLanguage", "StarlingDuplicates", "StarlingSimilar", "StarlingEntities", "StarlingUnshorten",
                "XapianKit",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "Metrics", package: "swift-metrics"),
            ]
        ),
        .target(
            name: "StarlingUnshorten",
            dependencies: [
                "StarlingModel", "StarlingAnalysis", "StarlingIndex", "XapianKit",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
            ]
        ),
        .target(
            name: "StarlingSimilar",
            dependencies: ["StarlingModel", "StarlingAnalysis", "StarlingIndex", "XapianKit"],
            // The fast path's loops touch captured accumulators per posting; run-time exclusivity checks there cost
            // more than the arithmetic (measured), and the searcher is single-threaded by contract.
            swiftSettings: [.unsafeFlags(["-enforce-exclusivity=unchecked"])]
        ),
        .executableTarget(
            name: "StarlingCLI",
            dependencies: [
                "StarlingModel", "StarlingImport", "StarlingAnalysis", "StarlingQuery", "StarlingIndex",
                "StarlingLanguage", "StarlingDuplicates", "StarlingSimilar", "StarlingEntities", "StarlingService",
                "StarlingUnshorten",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),

        // MARK: Tests
        // Test helpers shared by test targets (a shortener-like loopback HTTP server).
        .target(name: "StarlingTestSupport", path: "Tests/StarlingTestSupport"),
        .testTarget(name: "XapianKitTests", dependencies: ["XapianKit", "StarlingTestSupport"]),
        .testTarget(name: "StarlingImportTests", dependencies: ["StarlingImport", "StarlingModel"]),
        .testTarget(name: "StarlingAnalysisTests", dependencies: ["StarlingAnalysis", "StarlingModel"]),
        .testTarget(name: "ConformanceTests", dependencies: ["StarlingAnalysis", "StarlingModel"]),
        .testTarget(
            name: "StarlingLanguageTests",
            dependencies: ["StarlingLanguage", "StarlingAnalysis", "StarlingModel", "StarlingIndex", "XapianKit"]
        ),
        .testTarget(name: "StarlingDuplicatesTests", dependencies: ["StarlingDuplicates", "StarlingAnalysis", "StarlingModel"]),
        .testTarget(name: "StarlingEntitiesTests", dependencies: ["StarlingEntities", "StarlingAnalysis", "StarlingModel"]),
        .testTarget(
            name: "StarlingServiceTests",
            dependencies: [
                "StarlingService", "StarlingIndex", "StarlingModel", "StarlingUnshorten",
                "StarlingTestSupport",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
            ]
        ),
        .testTarget(name: "StarlingSimilarTests", dependencies: ["StarlingSimilar", "StarlingIndex", "StarlingModel", "XapianKit"]),
        .testTarget(name: "StarlingQueryTests", dependencies: ["StarlingQuery"]),
        .testTarget(
            name: "StarlingUnshortenTests",
            dependencies: [
                "StarlingUnshorten", "StarlingIndex", "StarlingImport", "StarlingAnalysis", "StarlingModel", "XapianKit",
                "StarlingTestSupport",
            ]
        ),
        .testTarget(name: "StarlingIndexTests",
                    dependencies: ["StarlingIndex", "StarlingModel", "XapianKit", "StarlingEntities", "StarlingAnalysis",
                                   "StarlingImport"]),
        .testTarget(name: "EndToEndTests", dependencies: ["StarlingModel", "XapianKit", "StarlingTestSupport"]),
    ],
    cxxLanguageStandard: .cxx17
)
