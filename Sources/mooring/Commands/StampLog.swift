import ArgumentParser
import MooringSupervisor

extension Mooring {
    /// `mooring __stamp-log`: not for people. The controller runs it between each replica's
    /// output and its log file, to put a timestamp on every line (``LogStamper``).
    struct StampLog: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "__stamp-log",
            abstract: "Copy stdin to stdout with a UTC timestamp on every line (used by `mooring run`).",
            shouldDisplay: false)

        func run() {
            LogStamper.ignoreStopSignals()
            LogStamper.run()
        }
    }
}
