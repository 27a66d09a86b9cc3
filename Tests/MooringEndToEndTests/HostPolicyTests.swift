import Foundation
import MooringTesting
import Testing

/// The host configuration end to end: `policy.runtimes: host-only` rejects an inline
/// command with the policy key named and deploys a deployment on a host runtime, whose
/// `{{host.NAME}}` comes from `hostVars`; and the audit trail of three rollouts as CSV.
@Suite(.timeLimit(.minutes(5)))
struct HostPolicyTests {
    @Test func hostOnlyRejectsACommandAndDeploysOnAHostRuntime() async throws {
        try await ControllerHarness.with(name: "host-only") { h in
        try h.directory.write("host/runtimes/kserve.yaml", """
            apiVersion: mooring.dev/v1alpha1
            kind: ServingRuntime
            metadata: {name: host-kserve}
            spec:
              command: ["{{host.python}}", "{{revision.dir}}/examples/servers/kserve_v2_server.py",
                        "--model", "{{model.path}}", "--port", "{{port}}", "--name", "{{name}}"]
              health:
                http: {path: /v2/health/ready}
                periodSeconds: 1
              stop: {gracePeriodSeconds: 5}
            """)
        let python = "/usr/bin/python3"
        let config = try h.directory.write("host/config.yaml", """
            hostVars: {python: \(python)}
            policy:
              runtimes: host-only
              runtimeDirectory: runtimes
            """)
        let checked = try await runCommandOffPool(MooringBinary.path, ["config", "validate", config.path])
        #expect(checked.status == 0, "\(checked.output)")
        #expect(checked.stdout.contains("policy.runtimes host-only, 1 host runtime"), "\(checked.stdout)")

        try h.repo.remove("manifests/runtime.yaml")
        try h.repo.write("manifests/iris.yaml", """
            apiVersion: mooring.dev/v1alpha1
            kind: ModelDeployment
            metadata: {name: iris}
            spec:
              model: {uri: models/iris-v1.json, version: "1"}
              command: ["python3", "-m", "http.server", "{{port}}"]
            """)
        let inline = try h.repo.commitAll("iris with its own command")
        try h.startController(arguments: ["--config", config.path])
        #expect(try await h.waitForStatus { status in
            let source = status["source"] as? [String: Any]
            let error = source?["error"] as? String ?? ""
            return source?["commit"] as? String == inline
                && error.contains("manifests/iris.yaml:6:12: error: spec.command: policy.runtimes is host-only on this host")
        }, "\(h.output(["status", "-o", "json"]))")
        #expect(h.modelProcesses().isEmpty)

        try h.repo.write("manifests/iris.yaml", ControllerHarness.deployment("iris").replacingOccurrences(of: "python-kserve", with: "host-kserve"))
        let fixed = try await h.commit("iris on the host's runtime")
        #expect(try await h.waitUntilServing("iris", at: fixed), "\(h.controllerLog)")
        let pid = try #require(h.modelProcesses(of: "iris").first)
        let argv = try #require(FileManager.default.contents(atPath: "/proc/\(pid)/cmdline"))
        #expect(argv.split(separator: 0).first.map { String(decoding: $0, as: UTF8.self) } == python)
        }
    }

    @Test func historyCSVListsAuthorSubjectPullRequestAndOutcome() async throws {
        try await ControllerHarness.with(name: "audit") { h in
        try h.repo.write("manifests/iris.yaml", ControllerHarness.deployment("iris"))
        let first = try h.repo.commitAll("Merge pull request #12 from team/iris\n\nDeploy iris")
        try h.startController()
        #expect(try await h.waitUntilServing("iris", at: first), "\(h.controllerLog)")

        try h.repo.write("manifests/iris.yaml", ControllerHarness.deployment("iris", version: 2))
        try h.repo.git("add", "-A")
        let committed = try runCommand("/usr/bin/git", ["-C", h.repo.directory.path, "commit", "-q", "-m", "Serve iris v2 (#13)"],
            environment: GitFixture.environment.merging([
                "GIT_AUTHOR_NAME": "Ada Lovelace", "GIT_AUTHOR_EMAIL": "ada@example.com",
                "GIT_COMMITTER_NAME": "Grace Hopper", "GIT_COMMITTER_EMAIL": "grace@example.com",
            ]) { $1 })
        #expect(committed.status == 0, "\(committed.output)")
        let second = try h.repo.revParse()
        _ = try? await h.mooring(["sync"])
        #expect(try await h.waitUntilServing("iris", at: second), "\(h.controllerLog)")

        try h.repo.write("manifests/iris.yaml", ControllerHarness.deployment("iris", version: 1))
        let third = try await h.commit("Back to iris v1 in a plain commit")
        #expect(try await h.waitUntilServing("iris", at: third), "\(h.controllerLog)")
        #expect(try await h.waitForStatus { _ in
            try await h.history("iris").filter { $0["outcome"] as? String == "Succeeded" }.count == 3
        })

        let csv = try await h.mooring(["history", "iris", "-o", "csv", "--since", "1d"])
        #expect(csv.status == 0, "\(csv.output)")
        let lines = csv.stdout.split(separator: "\r\n").map(String.init)
        #expect(lines.first == "id,deployment,revision,from_revision,started_at,finished_at,outcome,reason,strategy,author,committer,subject,pull_request,signer,spec_diff")
        #expect(lines.count == 4, "\(csv.stdout)")
        let rows = lines.dropFirst().map { $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init) }
        #expect(rows.map { $0[2] } == [first, second, third])
        #expect(rows.map { $0[6] } == ["Succeeded", "Succeeded", "Succeeded"])
        #expect(rows.map { $0[9] } == ["Mooring Test <test@mooring.invalid>", "Ada Lovelace <ada@example.com>", "Mooring Test <test@mooring.invalid>"])
        #expect(rows.map { $0[10] } == ["Mooring Test <test@mooring.invalid>", "Grace Hopper <grace@example.com>", "Mooring Test <test@mooring.invalid>"])
        #expect(rows.map { $0[11] } == ["Merge pull request #12 from team/iris", "Serve iris v2 (#13)", "Back to iris v1 in a plain commit"])
        #expect(rows.map { $0[12] } == ["12", "13", ""])
        #expect(rows[1].last?.contains("model.uri") == true, "\(rows[1])")
        #expect(rows[0].last == "")
        }
    }
}
