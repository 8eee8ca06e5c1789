// swift-tools-version: 6.1
import PackageDescription

// Hot loops (dequantization, norms, attention) rely on SIMD FMA being inlined: without an explicit
// target CPU, SIMD FMA lowers to a library call per lane. `haswell` (AVX2 + FMA) is the portable
// choice for x86_64 machines of this kind. -Ounchecked only in release; tests run in release.
let fastMath: [SwiftSetting] = [
    .unsafeFlags(["-target-cpu", "haswell"]),
    .unsafeFlags(["-Ounchecked"], .when(configuration: .release)),
]

// GEMMKernels holds AVX-512 code (skylake-avx512: AVX-512 F/CD/BW/DQ/VL): only called after TensorCore's runtime CPU check.
let avx512Math: [SwiftSetting] = [
    .unsafeFlags(["-target-cpu", "skylake-avx512"]),
    .unsafeFlags(["-Ounchecked"], .when(configuration: .release)),
]

let package = Package(
    name: "PTQLab",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "ptqlab", targets: ["ptqlab"]),
        .library(name: "PTQLabCore", targets: ["TensorCore", "ModelFormats", "Tokenizers", "Models", "Quantization", "Evaluation"]),
        // Study files and grids (the fuzz package, Fuzz/, reads them through this product).
        .library(name: "PTQLabStudy", targets: ["Study"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
    ],
    targets: [
        // System libraries (Debian: libopenblas-dev, zlib1g-dev, libbz2-dev).
        .systemLibrary(name: "CBLAS", path: "Sources/CBLAS", pkgConfig: "openblas"),
        .systemLibrary(name: "CZlib", path: "Sources/CZlib"),
        .systemLibrary(name: "CBZip2", path: "Sources/CBZip2"),

        .target(name: "GEMMKernels", swiftSettings: avx512Math),
        .target(name: "TensorCore", dependencies: ["CBLAS", "GEMMKernels"], swiftSettings: fastMath),
        .target(name: "ModelFormats", dependencies: ["TensorCore"], swiftSettings: fastMath),
        .target(name: "Tokenizers", dependencies: ["ModelFormats"], swiftSettings: fastMath),
        .target(name: "Models", dependencies: ["TensorCore", "ModelFormats", "Tokenizers"], swiftSettings: fastMath),
        .target(name: "Quantization", dependencies: ["TensorCore"], swiftSettings: fastMath),
        .target(name: "Calibration", dependencies: ["TensorCore", "Models", "Quantization"], swiftSettings: fastMath),
        .target(name: "Export", dependencies: ["TensorCore", "ModelFormats", "Models", "Quantization", "Calibration", "Tokenizers"],
                swiftSettings: fastMath),
        .target(name: "Evaluation", dependencies: ["TensorCore", "Models", "Tokenizers", "CZlib", "CBZip2"],
                swiftSettings: fastMath),
        // The one experiment pipeline: (model session, recipe, evaluation plan) → metrics + quantization report.
        .target(name: "Experiment", dependencies: ["TensorCore", "ModelFormats", "Models", "Quantization", "Calibration",
                                                   "Evaluation", "Export"], swiftSettings: fastMath),
        // Studies: YAML grid → experiments → SQLite results (GRDB; Debian libsqlite3-dev) → analysis and reports.
        .target(name: "Study", dependencies: [
            "TensorCore", "ModelFormats", "Models", "Quantization", "Calibration", "Evaluation", "Experiment",
            .product(name: "Yams", package: "Yams"), .product(name: "GRDB", package: "GRDB.swift"),
        ], resources: [.copy("Bundled")], swiftSettings: fastMath),
        .target(name: "StudyReport", dependencies: ["Study"], swiftSettings: fastMath),
        .executableTarget(
            name: "ptqlab",
            dependencies: [
                "TensorCore", "ModelFormats", "Tokenizers", "Models", "Quantization", "Calibration", "Evaluation", "Export",
                "Experiment", "Study", "StudyReport",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: fastMath),
        // GFLOP/s of the AVX-512 linear-layer GEMM vs OpenBLAS on SmolLM2 shapes (release only).
        .executableTarget(name: "gemm-bench", dependencies: ["TensorCore"], swiftSettings: fastMath),

        .testTarget(name: "TensorCoreTests", dependencies: ["TensorCore"], swiftSettings: fastMath),
        .testTarget(name: "ModelFormatsTests", dependencies: ["ModelFormats"], swiftSettings: fastMath),
        .testTarget(name: "TokenizersTests", dependencies: ["Tokenizers", "ModelFormats"], swiftSettings: fastMath),
        .testTarget(name: "ModelsTests", dependencies: ["Models", "ModelFormats", "Tokenizers"], swiftSettings: fastMath),
        .testTarget(name: "QuantizationTests", dependencies: ["Quantization", "TensorCore"], swiftSettings: fastMath),
        .testTarget(name: "CalibrationTests", dependencies: ["Calibration", "Models", "ModelFormats", "Quantization", "TensorCore"],
                    swiftSettings: fastMath),
        .testTarget(name: "EvaluationTests", dependencies: ["Evaluation", "Models", "Tokenizers", "ModelFormats"], swiftSettings: fastMath),
        .testTarget(name: "ExportTests", dependencies: ["Export", "Calibration", "Evaluation", "Models", "ModelFormats",
                                                        "Quantization", "TensorCore", "Tokenizers"], swiftSettings: fastMath),
        .testTarget(name: "ExperimentTests", dependencies: ["Experiment", "Calibration", "Evaluation", "Quantization"],
                    swiftSettings: fastMath),
        .testTarget(name: "StudyTests", dependencies: ["Study", "Experiment", "Quantization", "Calibration",
                                                      .product(name: "GRDB", package: "GRDB.swift")], swiftSettings: fastMath),
        .testTarget(name: "StudyReportTests", dependencies: ["StudyReport", "Study", "Experiment", "Evaluation"], swiftSettings: fastMath),
        .testTarget(name: "CLITests", dependencies: ["ModelFormats", "Study"], swiftSettings: fastMath),
    ]
)
