import ArgumentParser
import Foundation

/// Flags every `mooring` command takes.
struct GlobalOptions: ParsableArguments {
    @Option(name: .customLong("state-dir"),
            help: ArgumentHelp("Controller state directory (default: $MOORING_STATE_DIR or .mooring).",
                               valueName: "dir"))
    var stateDirectory: String?

    /// The state directory to use: the flag, else `$MOORING_STATE_DIR`, else `.mooring`.
    var resolvedStateDirectory: URL {
        let path = stateDirectory
            ?? ProcessInfo.processInfo.environment["MOORING_STATE_DIR"].flatMap { $0.isEmpty ? nil : $0 }
            ?? ".mooring"
        return URL(fileURLWithPath: path).standardizedFileURL
    }
}

/// Writes a line to standard error.
func printError(_ message: String) {
    FileHandle.standardError.write(Data((message + "\n").utf8))
}
