import Dispatch
import Foundation
import Logging
import MooringSupervisor

// A supervisor in a process of its own, for tests of what is process-wide and so cannot
// run inside the test runner: the child subreaper of the environment-marker fallback
// (every orphan of every test would become the runner's). Not shipped.
//
//   mooring-supervisor-host SCOPE LOG-FILE WORKING-DIRECTORY -- COMMAND [ARGUMENT…]
//
// Starts COMMAND as replica host/g1/0 held together by the marker and a child subreaper,
// prints "started <pid>", stops the replica on SIGTERM and prints "stopped", and exits 0
// on SIGINT.

let arguments = CommandLine.arguments
guard arguments.count >= 6, arguments[4] == "--" else {
    FileHandle.standardError.write(Data("usage: mooring-supervisor-host SCOPE LOG-FILE WORKING-DIRECTORY -- COMMAND…\n".utf8))
    exit(2)
}

/// The next delivery of `number`, through a dispatch source (no work in a signal handler).
func nextSignal(_ number: Int32) async {
    signal(number, SIG_IGN)
    let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
    await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
        source.setEventHandler {
            source.cancel()
            continuation.resume()
        }
        source.resume()
    }
}

func say(_ line: String) {
    FileHandle.standardOutput.write(Data((line + "\n").utf8))
}

var logger = Logger(label: "mooring.supervisor.host")
logger.logLevel = .warning
let containment = ProcessContainment.marker(scope: arguments[1], subreaper: true)
let supervisor = Supervisor(portRange: 39000...39009, logger: logger, containment: containment)
let id = ReplicaID(deployment: "host", replica: 0, generation: "g1")
let spec = ReplicaSpec(arguments: Array(arguments[5...]), workingDirectory: arguments[3], port: 39000,
                       restart: .never, gracePeriod: .seconds(1), logFile: URL(fileURLWithPath: arguments[2]))
let stopRequested = Task { await nextSignal(SIGTERM) }
let exitRequested = Task { await nextSignal(SIGINT) }
do {
    let started = try await supervisor.start(id, spec: spec)
    say("started \(started.identity?.pid ?? 0)")
} catch {
    say("failed \(error)")
    exit(1)
}
await stopRequested.value
await supervisor.stop(id)
say("stopped")
await exitRequested.value
await supervisor.shutdown()
