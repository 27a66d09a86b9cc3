import Foundation
import MooringTesting
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// The README's flows, copied as written, work: the ```sh blocks marked
/// `<!-- flow: NAME -->` in README.md run in order in one bash (`set -euo pipefail`), from
/// the package root as the reader's checkout, with only what must differ in a test
/// changed — HOME is a temp directory (so `~/mooring-demo` is scratch), `mooring` on the
/// PATH is the built binary, and the README's ports 7420 (API) and 8080 (stable endpoint)
/// become free ones. Then the test checks what a reader sees: status words, the endpoint
/// answering v1, v2 after the merge, v1 after the revert and after the failed v3, and
/// nothing left running after the README's own `mooring down`.
@Suite(.timeLimit(.minutes(5)))
struct ReadmeFlowTests {
    /// The flows the README must mark, in order.
    static let flowNames = ["setup", "deploy", "rollback", "failed-rollout", "status"]

    @Test func theReadmeFlowsRunAsWritten() async throws {
        let readme = try String(contentsOf: MooringBinary.packageRoot.appendingPathComponent("README.md"), encoding: .utf8)
        let flows = try ReadmeFlows.extract(from: readme)
        try #require(flows.map(\.name) == Self.flowNames, "README.md marks the flows \(flows.map(\.name)), expected \(Self.flowNames)")

        let home = try TemporaryDirectory(prefix: "mooring-readme")
        let stateDirectory = home.appending("mooring-demo/.mooring")
        defer { Self.stopEverything(stateDirectory: stateDirectory); home.remove() }

        let apiPort = try freeLoopbackPort()
        var endpointPort = try freeLoopbackPort()
        while endpointPort == apiPort { endpointPort = try freeLoopbackPort() }
        let script = try ReadmeFlows.script(flows, substituting: [
            "127.0.0.1:7420": "127.0.0.1:\(apiPort)",
            "127.0.0.1:8080": "127.0.0.1:\(endpointPort)",
            "{port: 8080}": "{port: \(endpointPort)}",
        ])
        let scriptFile = try home.write("readme-flows.sh", script)

        let binDirectory = URL(fileURLWithPath: MooringBinary.path).deletingLastPathComponent().path
        let result = try await runCommandOffPool("/bin/bash", [scriptFile.path], environment: [
            "HOME": home.path,
            "PATH": binDirectory + ":" + (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"),
            "GIT_CONFIG_GLOBAL": "/dev/null", "GIT_CONFIG_NOSYSTEM": "1",
            "MOORING_STATE_DIR": "",
        ], currentDirectory: MooringBinary.packageRoot)
        let log = (try? String(contentsOf: home.appending("mooring-demo/mooring.log"), encoding: .utf8)) ?? "(no mooring.log)"
        #expect(result.status == 0, "the README's flows failed:\n\(result.output)\ncontroller log:\n\(log)")
        let output = ReadmeFlows.outputs(result.stdout)

        let setup = output["setup", default: ""]
        #expect(setup.contains(#""ready" : true"#), "\(setup)")
        #expect(setup.range(of: #"iris\s+Synced\s+Healthy\s+1/1\s+1\s"#, options: .regularExpression) != nil, "\(setup)")
        #expect(setup.contains(#""model_version":"1""#) && setup.contains("virginica"), "\(setup)")

        let deploy = output["deploy", default: ""]
        #expect(deploy.contains("manifests: valid"), "\(deploy)")
        #expect(deploy.contains("model.version: 1 → 2") && deploy.contains("1 deployment would change"), "\(deploy)")
        // `mooring sync` is answered by the fetch it asked for, which finds the merge (or by
        // a timer poll that found it first): either way iris is rolling out.
        #expect(deploy.contains(#"fetched "#) && deploy.contains(#""Merge pull request #1 from iris-v2": "#)
                && deploy.contains("iris rolling out"), "\(deploy)")
        #expect(deploy.range(of: #"iris\s+Synced\s+Healthy\s+1/1\s+2\s"#, options: .regularExpression) != nil, "\(deploy)")
        #expect(deploy.contains(#""model_version":"2""#) && deploy.contains("versicolor"), "\(deploy)")

        let rollback = output["rollback", default: ""]
        #expect(rollback.contains(#"Revert "Merge pull request #1 from iris-v2""#) && rollback.contains("iris rolling out"), "\(rollback)")
        #expect(rollback.range(of: #"iris\s+Synced\s+Healthy\s+1/1\s+1\s"#, options: .regularExpression) != nil, "\(rollback)")
        #expect(rollback.contains(#""model_version":"1""#), "\(rollback)")

        let failed = output["failed-rollout", default: ""]
        // `status --wait` returns once iris is Degraded and its rollback has finished
        // ("rollout of … failed …; … keeps serving"), naming the check.
        #expect(failed.contains("mooring status: iris is Degraded: rollout of ") && failed.contains(" keeps serving; not retried until Git changes it"), "\(failed)")
        #expect(failed.contains(#"test iris-setosa: $.outputs[0].data[0] expected "setosa", got "Setosa""#), "\(failed)")
        #expect(failed.range(of: #"iris\s+OutOfSync\s+Degraded\s+1/1\s+1\s"#, options: .regularExpression) != nil, "\(failed)")
        #expect(failed.contains("RolloutFailed"), "\(failed)")
        #expect(failed.contains(#""model_version":"1""#) && !failed.contains(#""model_version":"3""#), "\(failed)")

        let status = output["status", default: ""]
        #expect(status.range(of: #"iris\s+\S+\s+\S+\s+Surge\s+RolledBack"#, options: .regularExpression) != nil, "\(status)")
        #expect(status.range(of: #"Surge\s+Succeeded\s+\S+\s+\S+\s+#1\s+Ada\s+Merge pull request #1"#, options: .regularExpression) != nil, "\(status)")
        #expect(status.contains("no model process is left running"), "\(status)")

        // The README's `mooring down` stopped the models and the controller.
        #expect(ControllerHarness.markedProcesses(stateDirectory: stateDirectory).isEmpty)
        #expect(await waitUntil(timeout: .seconds(60)) { Self.controllerPid(stateDirectory: stateDirectory) == nil },
                "the controller still runs after the README's `mooring down`:\n\(log)")
    }

    /// The pid of a controller still running on `stateDirectory`, as `mooring status -o json`
    /// reports it; nil when none runs.
    static func controllerPid(stateDirectory: URL) -> Int32? {
        guard FileManager.default.fileExists(atPath: stateDirectory.path),
              let status = try? MooringBinary.run(["status", "-o", "json", "--state-dir", stateDirectory.path]),
              let object = try? JSONSerialization.jsonObject(with: Data(status.stdout.utf8)) as? [String: Any],
              let source = object["source"] as? [String: Any],
              source["controllerRunning"] as? Bool == true,
              let pid = source["controllerPid"] as? Int
        else { return nil }
        return Int32(pid)
    }

    /// Whatever a failed run left: the controller (`mooring down`, then SIGKILL) and every
    /// model process marked with the state directory.
    static func stopEverything(stateDirectory: URL) {
        guard FileManager.default.fileExists(atPath: stateDirectory.path) else { return }
        let controller = controllerPid(stateDirectory: stateDirectory)
        _ = try? MooringBinary.run(["down", "--grace", "5s", "--state-dir", stateDirectory.path])
        if let controller, controllerPid(stateDirectory: stateDirectory) == controller { kill(controller, SIGKILL) }
        for pid in ControllerHarness.markedProcesses(stateDirectory: stateDirectory) {
            let group = getpgid(pid)
            if group > 1 { kill(-group, SIGKILL) }
            kill(pid, SIGKILL)
        }
    }
}

/// The ```sh blocks of README.md that follow a `<!-- flow: NAME -->` line.
enum ReadmeFlows {
    struct Flow: Equatable {
        var name: String
        var commands: String
    }

    static func extract(from readme: String) throws -> [Flow] {
        let lines = readme.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        var flows: [Flow] = []
        var index = 0
        while index < lines.count {
            let line = lines[index].trimmingCharacters(in: .whitespaces)
            index += 1
            guard line.hasPrefix("<!-- flow:"), line.hasSuffix("-->") else { continue }
            let name = line.dropFirst("<!-- flow:".count).dropLast("-->".count).trimmingCharacters(in: .whitespaces)
            guard index < lines.count, lines[index] == "```sh" else {
                throw TestingError("README.md: `<!-- flow: \(name) -->` on line \(index) is not followed by a ```sh block")
            }
            index += 1
            var body: [String] = []
            while index < lines.count, lines[index] != "```" {
                body.append(lines[index])
                index += 1
            }
            guard index < lines.count else { throw TestingError("README.md: the block of flow \(name) is not closed") }
            flows.append(Flow(name: name, commands: body.joined(separator: "\n")))
        }
        return flows
    }

    /// One bash script running every flow in order, each announced by a marker line on
    /// stdout. Every key of `substitutions` must occur in the flows, and after substituting
    /// no 7420 or 8080 may be left (a port the test would not move).
    static func script(_ flows: [Flow], substituting substitutions: [String: String]) throws -> String {
        var text = "set -euo pipefail\nexec 2>&1\n"
        for flow in flows {
            text += "echo '\(marker)\(flow.name)'\n\(flow.commands)\n"
        }
        for (from, to) in substitutions {
            guard text.contains(from) else { throw TestingError("README.md's flows no longer contain \(from); update ReadmeFlowTests") }
            text = text.replacingOccurrences(of: from, with: to)
        }
        for port in ["7420", "8080"] where text.contains(port) {
            throw TestingError("README.md's flows use port \(port) in a form ReadmeFlowTests does not move:\n\(text)")
        }
        return text
    }

    static let marker = "### readme-flow: "

    /// The script's output split by flow.
    static func outputs(_ stdout: String) -> [String: String] {
        var result: [String: String] = [:]
        var current = ""
        for line in stdout.split(separator: "\n", omittingEmptySubsequences: false) {
            if line.hasPrefix(marker) {
                current = String(line.dropFirst(marker.count))
            } else {
                result[current, default: ""] += line + "\n"
            }
        }
        return result
    }
}
