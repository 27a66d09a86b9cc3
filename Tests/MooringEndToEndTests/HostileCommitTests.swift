import Foundation
import MooringTesting
import Testing

/// A hostile commit (a YAML alias bomb used as a mapping key, which once hung the
/// controller at 100 % CPU) is rejected with a positioned diagnostic; the serving model is
/// untouched, and the next good commit applies.
@Suite struct HostileCommitTests {
    @Test func anAliasBombIsRejectedAndTheFixApplies() async throws {
        try await ControllerHarness.with(name: "hostile") { h in
            try h.repo.write("manifests/iris.yaml", ControllerHarness.deployment("iris", version: 1))
            let first = try h.repo.commitAll("deploy iris v1")
            try h.startController()
            #expect(try await h.waitUntilServing("iris", at: first), "\(h.controllerLog)")
            let serving = h.modelProcesses()

            var bomb = [#"a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]"#]
            for (previous, name) in zip("abcdefgh", "bcdefghi") {
                bomb.append("\(name): &\(name) [" + Array(repeating: "*\(previous)", count: 9).joined(separator: ",") + "]")
            }
            try h.repo.write("manifests/bomb.yaml", bomb.joined(separator: "\n") + "\n? *i\n: boom\n")
            let hostile = try await h.commit("a hostile manifest")
            #expect(try await h.waitForStatus { status in
                let source = status["source"] as? [String: Any]
                return source?["commit"] as? String == hostile && (source?["error"] as? String)?.contains("manifests/bomb.yaml:") == true
            }, "\(h.controllerLog)")
            #expect(h.modelProcesses() == serving)
            #expect(try await h.deployment("iris")?["health"] as? String == "Healthy")

            try h.repo.remove("manifests/bomb.yaml")
            try h.repo.write("manifests/iris.yaml", ControllerHarness.deployment("iris", version: 2))
            let fixed = try await h.commit("remove the bomb, iris v2")
            #expect(try await h.waitUntilServing("iris", at: fixed), "\(h.controllerLog)")
            #expect(try await h.servedVersion("iris") == "2")
        }
    }
}
