import Foundation

// libFuzzer's entry points. `--sanitize fuzzer` builds this executable as a library and links
// libFuzzer's main, which calls LLVMFuzzerInitialize once, then LLVMFuzzerTestOneInput per input.
// Usage: ptqlab-fuzz TARGET [libFuzzer options] [corpus dirs], or PTQLAB_FUZZ_TARGET=TARGET.

/// Picks the target: the first argument when it names one (removed before libFuzzer reads its
/// options), else PTQLAB_FUZZ_TARGET; exits with the list of targets when neither does.
@_cdecl("LLVMFuzzerInitialize")
public func fuzzerInitialize(_ argc: UnsafeMutablePointer<CInt>,
                             _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>>) -> CInt {
    var name = ProcessInfo.processInfo.environment["PTQLAB_FUZZ_TARGET"]
    if argc.pointee > 1, let first = argv.pointee[1].map({ String(cString: $0) }), FuzzTargets.named(first) != nil {
        name = first
        for i in 1..<Int(argc.pointee) { argv.pointee[i] = argv.pointee[i + 1] }  // argv[argc] is NULL
        argc.pointee -= 1
    }
    guard let name, let target = FuzzTargets.named(name) else {
        let list = FuzzTargets.all.map { "  \($0.name.padding(toLength: 18, withPad: " ", startingAt: 0)) \($0.summary)" }
        FileHandle.standardError.write(Data(("usage: ptqlab-fuzz TARGET [libFuzzer options] [corpus dirs]\ntargets:\n"
            + list.joined(separator: "\n") + "\n").utf8))
        exit(2)
    }
    FuzzTargets.selected = target
    Scratch.prepare()
    return 0
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzerTestOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    FuzzTargets.selected!.run(FuzzInput(UnsafeBufferPointer(start: size > 0 ? data : nil, count: size)))
    return 0
}
