// swift-tools-version: 6.1
import PackageDescription

// libFuzzer harness for PTQLab's file parsers: one executable, `ptqlab-fuzz TARGET [libFuzzer
// options] [corpus dirs]`. A separate package so the root package's build and tests are untouched.
// Build it only through scripts/fuzz/run.sh: debug configuration (so PTQLab's modules are built
// with -enable-testing and without the root package's release-only -Ounchecked) plus -O, with
// --sanitize fuzzer (libFuzzer's main) and -Xswiftc -sanitize=fuzzer,address (coverage + ASan).
let package = Package(
    name: "PTQLabFuzz",
    platforms: [.macOS(.v14)],
    dependencies: [
        // Named, because a path dependency's identity is otherwise its directory's name (the checkout's).
        .package(name: "PTQLab", path: ".."),
    ],
    targets: [
        .executableTarget(
            name: "ptqlab-fuzz",
            dependencies: [
                .product(name: "PTQLabCore", package: "PTQLab"),
                .product(name: "PTQLabStudy", package: "PTQLab"),
            ]),
    ]
)
