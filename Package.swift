// swift-tools-version: 6.0
// Copia: balanced, provenance-tracked training sets from small, imbalanced data.
import PackageDescription

let package = Package(
    name: "Copia",
    platforms: [.macOS(.v14)],
    products: [
        .library(name: "Copia", targets: ["Copia"]),
        .library(name: "CopiaCore", targets: ["CopiaCore"]),
        .library(name: "CopiaImage", targets: ["CopiaImage"]),
        .library(name: "CopiaTable", targets: ["CopiaTable"]),
        .library(name: "CopiaLearn", targets: ["CopiaLearn"]),
        .executable(name: "copia", targets: ["copia"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
    ],
    targets: [
        // MARK: - C shims over system libraries
        .target(name: "CCopiaCrypto", linkerSettings: [.linkedLibrary("crypto")]),
        .target(name: "CCopiaPNG", linkerSettings: [.linkedLibrary("png16"), .linkedLibrary("z"), .linkedLibrary("deflate")]),
        .target(name: "CCopiaJPEG", linkerSettings: [.linkedLibrary("jpeg")]),
        .target(name: "CCopiaPixels"),
        .target(name: "CCopiaNeighbours"),
        .target(name: "CCopiaBLAS", linkerSettings: [.linkedLibrary("openblas", .when(platforms: [.linux])),
                                                     .linkedFramework("Accelerate", .when(platforms: [.macOS]))]),

        // MARK: - Library modules
        .target(name: "CopiaCore", dependencies: ["CCopiaCrypto"]),
        .target(name: "CopiaImage", dependencies: ["CopiaCore", "CCopiaPNG", "CCopiaJPEG", "CCopiaPixels"]),
        .target(name: "CopiaTable", dependencies: ["CopiaCore", "CCopiaNeighbours"]),
        .target(name: "CopiaLearn", dependencies: ["CopiaCore", "CCopiaBLAS"]),
        .target(name: "CopiaReport", dependencies: ["CopiaCore", "CopiaImage", "CopiaTable"]),
        .target(name: "Copia", dependencies: ["CopiaCore", "CopiaImage", "CopiaTable", "CopiaLearn", "CopiaReport"]),
        .target(name: "CopiaCLI", dependencies: ["Copia", "CopiaTable", "CopiaLearn", .product(name: "ArgumentParser", package: "swift-argument-parser")]),
        .executableTarget(name: "copia", dependencies: ["CopiaCLI"]),

        // MARK: - Tests
        .target(name: "CopiaTestSupport", dependencies: ["CopiaCore", "CopiaImage"], path: "Sources/CopiaTestSupport"),
        .testTarget(name: "CopiaCoreTests", dependencies: ["CopiaCore", "CopiaTestSupport"]),
        .testTarget(name: "CopiaImageTests", dependencies: ["CopiaImage", "CopiaTestSupport"], exclude: ["Fixtures"]),
        .testTarget(name: "CopiaTableTests", dependencies: ["CopiaTable", "CopiaTestSupport"], exclude: ["Fixtures"]),
        .testTarget(name: "CopiaLearnTests", dependencies: ["CopiaLearn", "CopiaTestSupport"], exclude: ["Fixtures"]),
        .testTarget(name: "CopiaTests", dependencies: ["Copia", "CopiaLearn", "CopiaTestSupport"]),
        .testTarget(name: "CopiaCLITests", dependencies: ["CopiaCLI", "Copia", "CopiaTestSupport"]),

        // MARK: - Benchmarks (release builds print one JSON line per figure)
        .executableTarget(name: "copia-bench-pipeline", dependencies: ["Copia"], path: "Benchmarks/copia-bench-pipeline"),
        .executableTarget(name: "copia-bench-image", dependencies: ["CopiaImage"], path: "Benchmarks/copia-bench-image", exclude: ["albu_ops.py"]),
        .executableTarget(name: "copia-bench-table", dependencies: ["CopiaTable"], path: "Benchmarks/copia-bench-table"),
        .executableTarget(name: "copia-bench-learn", dependencies: ["CopiaLearn"], path: "Benchmarks/copia-bench-learn"),
    ]
)
