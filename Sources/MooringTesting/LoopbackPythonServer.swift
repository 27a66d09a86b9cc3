import Foundation

/// Starts a small Python server script for a test: writes `script` into a temporary
/// directory, runs it with `arguments` followed by the path of a file where the script
/// writes its port (ending with a newline), and waits up to 30 s for that port. Used by
/// the artifact server and the counting proxy; `what` names the server in the error.
func startLoopbackPythonServer(script: String, arguments: [String], name: String, what: String)
    throws -> (work: TemporaryDirectory, process: ManagedProcess, port: Int) {
    let work = try TemporaryDirectory(prefix: "mooring-\(name)")
    let scriptFile = try work.write("\(name).py", script)
    let portFile = work.appending("port")
    let process = try ManagedProcess(executable: "python3", arguments: [scriptFile.path] + arguments + [portFile.path],
                                     outputDirectory: work.url, name: name)
    let deadline = Date().addingTimeInterval(30)
    while Date() < deadline, !process.hasExited {
        if let text = try? String(contentsOf: portFile, encoding: .utf8), text.hasSuffix("\n"),
           let port = Int(text.trimmingCharacters(in: .whitespacesAndNewlines)) {
            return (work, process, port)
        }
        usleep(20_000)
    }
    let stderr = process.stderr
    _ = process.kill()
    work.remove()
    throw TestingError("the \(what) did not start: \(stderr)")
}
