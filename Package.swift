// swift-tools-version: 6.1
import PackageDescription

// Compiler flags that name an x86 CPU apply only when building on x86_64; on arm64 (Apple Silicon,
// Linux on ARM) the same targets build with the compiler's defaults (NEON is always there).
#if arch(x86_64)
func targetCPU(_ name: String) -> [SwiftSetting] { [.unsafeFlags(["-target-cpu", name])] }
#else
func targetCPU(_ name: String) -> [SwiftSetting] { [] }
#endif
let unchecked: [SwiftSetting] = [.unsafeFlags(["-Ounchecked"], .when(configuration: .release))]

// Hot numeric kernels (TensorCore: GEMM glue, attention, norms, RoPE, SIMD math; Quantization:
// quantization grids, GPTQ, LoRC) rely on SIMD FMA being inlined: without an explicit target CPU,
// SIMD FMA lowers to a library call per lane. `haswell` (AVX2 + FMA) is the portable choice for
// x86_64 machines of this kind. Only these are built -Ounchecked (release).
let fastMath: [SwiftSetting] = targetCPU("haswell") + unchecked

// Everything else (file parsers, tokenizers, model assembly, evaluation drivers, the study
// engine, the CLI) keeps Swift's overflow and bounds checks (-O): a missed validation must trap,
// not wrap or corrupt memory. Same target CPU, so inlined SIMD helpers stay fast.
let checkedMath: [SwiftSetting] = targetCPU("haswell")

// The linear-layer GEMM, one module per instruction set (TensorCore's LinearBackend picks one at
// run time from the CPU's features): KernelCore holds the blocked driver and packing, generic and
// @inlinable, so each variant compiles them for its own CPU. KernelsAVX512 may execute
// AVX-512 (skylake-avx512: F/CD/BW/DQ/VL), KernelsAVX2 AVX2 + FMA (haswell); KernelsPortable
// names no CPU.
let avx512Math: [SwiftSetting] = targetCPU("skylake-avx512") + unchecked
let avx2Math: [SwiftSetting] = targetCPU("haswell") + unchecked
let portableMath: [SwiftSetting] = unchecked

// BLAS and LAPACK: OpenBLAS (Debian libopenblas-dev) on Linux, Accelerate on macOS.
#if os(macOS)
let blas: Target = .systemLibrary(name: "CBLAS", path: "Sources/CBLAS/Accelerate")
#else
let blas: Target = .systemLibrary(name: "CBLAS", path: "Sources/CBLAS/OpenBLAS", pkgConfig: "openblas")
#endif

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
        // System libraries (Debian: libopenblas-dev, zlib1g-dev, libbz2-dev; Accelerate on macOS).
        blas,
        .systemLibrary(name: "CZlib", path: "Sources/CZlib"),
        .systemLibrary(name: "CBZip2", path: "Sources/CBZip2"),

        .target(name: "KernelCore", swiftSettings: portableMath),
        .target(name: "KernelsAVX512", dependencies: ["KernelCore"], swiftSettings: avx512Math),
        .target(name: "KernelsAVX2", dependencies: ["KernelCore"], swiftSettings: avx2Math),
        .target(name: "KernelsPortable", dependencies: ["KernelCore"], swiftSettings: portableMath),
        .target(name: "TensorCore", dependencies: ["CBLAS", "KernelCore", "KernelsAVX512", "KernelsAVX2", "KernelsPortable"],
                swiftSettings: fastMath),
        .target(name: "ModelFormats", dependencies: ["TensorCore", "KernelCore"], swiftSettings: checkedMath),
        .target(name: "Tokenizers", dependencies: ["ModelFormats"], swiftSettings: checkedMath),
        .target(name: "Models", dependencies: ["TensorCore", "ModelFormats", "Tokenizers"], swiftSettings: checkedMath),
        .target(name: "Quantization", dependencies: ["TensorCore", "KernelCore"], swiftSettings: fastMath),
        // Training kernels (forward + backward of every block kind) and ZeroQuant-Global's block distillation.
        .target(name: "Distillation", dependencies: ["CBLAS", "TensorCore", "Models", "Quantization"], swiftSettings: fastMath),
        .target(name: "Calibration", dependencies: ["TensorCore", "Models", "Quantization", "Distillation"], swiftSettings: checkedMath),
        .target(name: "Export", dependencies: ["TensorCore", "ModelFormats", "Models", "Quantization", "Calibration", "Tokenizers"],
                swiftSettings: checkedMath),
        .target(name: "Evaluation", dependencies: ["TensorCore", "Models", "Tokenizers", "CZlib", "CBZip2"],
                swiftSettings: checkedMath),
        // The one experiment pipeline: (model session, recipe, evaluation plan) → metrics + quantization report.
        .target(name: "Experiment", dependencies: ["TensorCore", "ModelFormats", "Models", "Quantization", "Calibration",
                                                   "Evaluation", "Export"], swiftSettings: checkedMath),
        // Studies: YAML grid → experiments → SQLite results (GRDB; Debian libsqlite3-dev) → analysis and reports.
        .target(name: "Study", dependencies: [
            "TensorCore", "ModelFormats", "Models", "Quantization", "Calibration", "Distillation", "Evaluation", "Experiment",
            .product(name: "Yams", package: "Yams"), .product(name: "GRDB", package: "GRDB.swift"),
        ], resources: [.copy("Bundled")], swiftSettings: checkedMath),
        .target(name: "StudyReport", dependencies: ["Study"], swiftSettings: checkedMath),
        .executableTarget(
            name: "ptqlab",
            dependencies: [
                "TensorCore", "ModelFormats", "Tokenizers", "Models", "Quantization", "Calibration", "Distillation", "Evaluation",
                "Export", "Experiment", "Study", "StudyReport",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: checkedMath),
        // GFLOP/s of each linear-layer GEMM variant this CPU runs vs OpenBLAS on model shapes (release only).
        .executableTarget(name: "gemm-bench", dependencies: ["TensorCore"], swiftSettings: checkedMath),

        .testTarget(name: "TensorCoreTests", dependencies: ["TensorCore", "KernelCore"], swiftSettings: checkedMath),
        .testTarget(name: "ModelFormatsTests", dependencies: ["ModelFormats", "TensorCore", "KernelCore"], swiftSettings: checkedMath),
        .testTarget(name: "TokenizersTests", dependencies: ["Tokenizers", "ModelFormats"], swiftSettings: checkedMath),
        .testTarget(name: "DistillationTests", dependencies: ["Distillation", "Models", "ModelFormats", "Quantization", "TensorCore"],
                    swiftSettings: checkedMath),
        .testTarget(name: "ModelsTests", dependencies: ["Models", "ModelFormats", "Tokenizers"], swiftSettings: checkedMath),
        .testTarget(name: "QuantizationTests", dependencies: ["Quantization", "TensorCore"], swiftSettings: checkedMath),
        .testTarget(name: "CalibrationTests", dependencies: ["Calibration", "Models", "ModelFormats", "Quantization", "TensorCore"],
                    swiftSettings: checkedMath),
        .testTarget(name: "EvaluationTests", dependencies: ["Evaluation", "Models", "Tokenizers", "ModelFormats"], swiftSettings: checkedMath),
        .testTarget(name: "ExportTests", dependencies: ["Export", "Calibration", "Evaluation", "Models", "ModelFormats",
                                                        "Quantization", "TensorCore", "Tokenizers"], swiftSettings: checkedMath),
        .testTarget(name: "ExperimentTests", dependencies: ["Experiment", "Calibration", "Evaluation", "Quantization"],
                    swiftSettings: checkedMath),
        .testTarget(name: "StudyTests", dependencies: ["Study", "Experiment", "Quantization", "Calibration", "Distillation",
                                                      .product(name: "GRDB", package: "GRDB.swift")], swiftSettings: checkedMath),
        .testTarget(name: "StudyReportTests", dependencies: ["StudyReport", "Study", "Experiment", "Evaluation"], swiftSettings: checkedMath),
        .testTarget(name: "CLITests", dependencies: ["ModelFormats", "Study", "TensorCore", .product(name: "Yams", package: "Yams")], swiftSettings: checkedMath),
    ]
)
