import CFuzzerDriver
import Foundation

// ptqlab-fuzz TARGET [libFuzzer options] [corpus directories]
// (or PTQLAB_FUZZ_TARGET=TARGET ptqlab-fuzz …). libFuzzer's own main is not linked: this main picks
// the target, removes its name from the arguments and hands the rest to LLVMFuzzerRunDriver.

var arguments = CommandLine.arguments
var targetName = ProcessInfo.processInfo.environment["PTQLAB_FUZZ_TARGET"]
if arguments.count > 1, !arguments[1].hasPrefix("-"), FuzzTargets.named(arguments[1]) != nil {
    targetName = arguments.remove(at: 1)
}
guard let targetName, let target = FuzzTargets.named(targetName) else {
    let list = FuzzTargets.all.map { "  \($0.name.padding(toLength: 18, withPad: " ", startingAt: 0)) \($0.summary)" }
    FileHandle.standardError.write(Data(("usage: ptqlab-fuzz TARGET [libFuzzer options] [corpus dirs]\ntargets:\n"
        + list.joined(separator: "\n") + "\n").utf8))
    exit(2)
}
FuzzTargets.selected = target
Scratch.prepare()

let fuzzOne: @convention(c) (UnsafePointer<UInt8>?, Int) -> Int32 = { data, size in
    FuzzTargets.selected!.run(FuzzInput(UnsafeBufferPointer(start: size > 0 ? data : nil, count: size)))
    return 0
}

var argc = Int32(arguments.count)
var argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = .allocate(capacity: arguments.count + 1)
for (i, argument) in arguments.enumerated() { argv![i] = strdup(argument) }
argv![arguments.count] = nil
exit(LLVMFuzzerRunDriver(&argc, &argv, fuzzOne))
