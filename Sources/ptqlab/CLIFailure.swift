import ArgumentParser
import Foundation

/// Runs a command body and turns any error into one clear line on stderr and exit code 1
/// (argument errors get the same treatment in `PTQLab.main`).
func runReportingErrors(_ body: () throws -> Void) throws {
    do {
        try body()
    } catch let e as ExitCode {
        throw e
    } catch let e as CleanExit {
        throw e
    } catch {
        FileHandle.standardError.write(Data("ptqlab: error: \(error)\n".utf8))
        throw ExitCode.failure
    }
}

func printStderr(_ s: String) {
    FileHandle.standardError.write(Data((s + "\n").utf8))
}
