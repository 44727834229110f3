// swift-tools-version:6.1
// The analyser benchmark: a package of its own so it builds in release mode without the rest of Starling.
// Sources/{StarlingAnalysis,StarlingModel,CICU,CUtf8proc} are symbolic links to the main package's modules, so it
// measures exactly the code `starling` runs.
import PackageDescription

let package = Package(
    name: "AnalysisBench",
    platforms: [.macOS(.v14)],
    targets: [
        .target(name: "CICU", cSettings: [.unsafeFlags(["-O2"])], linkerSettings: [.linkedLibrary("icuuc")]),
        .systemLibrary(name: "CUtf8proc"),
        .target(name: "StarlingModel"),
        .target(name: "StarlingAnalysis", dependencies: ["StarlingModel", "CICU", "CUtf8proc"]),
        .executableTarget(name: "AnalysisBench", dependencies: ["StarlingAnalysis", "StarlingModel"]),
    ]
)
