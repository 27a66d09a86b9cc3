import Foundation
import MooringTesting
import Testing

/// `mooring validate`, driven through the built binary.
struct ValidateCommandTests {
    static let deployment = """
        apiVersion: mooring.dev/v1alpha1
        kind: ModelDeployment
        metadata:
          name: iris
        spec:
          command: ["python3", "server.py", "--port", "{{port}}"]
        """

    @Test func theRepositorysOwnManifestsAreValid() throws {
        let result = try MooringBinary.run(["validate", "manifests"], in: MooringBinary.packageRoot)
        #expect(result.status == 0, "\(result.output)")
        #expect(result.stdout.contains("manifests: valid ("), "\(result.output)")
    }

    @Test func validDirectoryExitsZeroWithOneLineSummary() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        try dir.write("manifests/team/iris.yaml", Self.deployment)
        try dir.write("manifests/README.txt", "not a manifest")
        let result = try MooringBinary.run(["validate", "manifests"], in: dir.url)
        #expect(result.status == 0, "\(result.output)")
        #expect(result.stdout == "manifests: valid (1 file, 1 deployment, 0 runtimes)\n")
    }

    /// Issue 13, item 2: validate followed symlinked manifests the controller skipped.
    @Test func aSymlinkedManifestIsRejectedNotFollowed() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        try dir.write("manifests/iris.yaml", Self.deployment)
        try dir.write("elsewhere/other.yaml", Self.deployment.replacingOccurrences(of: "name: iris", with: "name: other"))
        try dir.write("elsewhere/team/more.yaml", Self.deployment.replacingOccurrences(of: "name: iris", with: "name: more"))
        try FileManager.default.createSymbolicLink(atPath: dir.appending("manifests/other.yaml").path, withDestinationPath: "../elsewhere/other.yaml")
        try FileManager.default.createSymbolicLink(atPath: dir.appending("manifests/team").path, withDestinationPath: "../elsewhere/team")

        let result = try MooringBinary.run(["validate", "manifests"], in: dir.url)
        #expect(result.status == 1, "\(result.output)")
        let lines = result.stdout.split(separator: "\n").map(String.init)
        #expect(lines.first?.hasPrefix("manifests/other.yaml:1:1: error: manifest files may not be symlinks (this one points to `../elsewhere/other.yaml`)") == true, "\(lines)")
        // The linked folder is not entered: more.yaml is neither read nor reported.
        #expect(!result.stdout.contains("more"))
        #expect(lines.last == "manifests: 1 error in 1 of 2 files")

        // Named on its own, a linked file gets the same diagnostic.
        let single = try MooringBinary.run(["validate", "manifests/other.yaml"], in: dir.url)
        #expect(single.status == 1, "\(single.output)")
        #expect(single.stdout.hasPrefix("manifests/other.yaml:1:1: error: manifest files may not be symlinks"), "\(single.output)")

        // A linked manifests folder is what the controller rejects a commit for.
        try FileManager.default.createSymbolicLink(atPath: dir.appending("linked").path, withDestinationPath: "elsewhere")
        let folder = try MooringBinary.run(["validate", "linked"], in: dir.url)
        #expect(folder.status == 1, "\(folder.output)")
        #expect(folder.stderr.contains("linked is a symlink to a folder"), "\(folder.output)")
    }

    @Test func invalidManifestsExitOneWithEveryDiagnostic() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        try dir.write("manifests/a.yaml", Self.deployment.replacingOccurrences(of: "{{port}}", with: "{{prot}}"))
        try dir.write("manifests/b.yml", Self.deployment
            .replacingOccurrences(of: "name: iris", with: "name: other")
            .replacingOccurrences(of: "command:", with: "replica: 2\n  command:"))
        let result = try MooringBinary.run(["validate", "manifests"], in: dir.url)
        #expect(result.status == 1)
        let lines = result.stdout.split(separator: "\n").map(String.init)
        #expect(lines.contains { $0.hasPrefix("manifests/a.yaml:6:48: error: spec.command[3]: unknown template variable `{{prot}}`") }, "\(lines)")
        #expect(lines.contains("manifests/b.yml:6:3: error: spec.replica: unknown field `replica`; did you mean `replicas`?"), "\(lines)")
        #expect(lines.last == "manifests: 2 errors in 2 of 2 files")
    }

    @Test func githubFormatAnnotatesThePullRequest() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        try dir.write("manifests/a.yaml", Self.deployment.replacingOccurrences(of: "name: iris", with: "name: Iris"))
        let result = try MooringBinary.run(["validate", "manifests", "--format", "github"], in: dir.url)
        #expect(result.status == 1)
        #expect(result.stdout.hasPrefix("::error file=manifests/a.yaml,line=4,col=9::metadata.name: `Iris` contains `I`"), "\(result.stdout)")
    }

    @Test func jsonFormatIsMachineReadable() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        try dir.write("manifests/a.yaml", Self.deployment.replacingOccurrences(of: "command:", with: "replicas: 99\n  command:"))
        let result = try MooringBinary.run(["validate", "manifests", "--format", "json"], in: dir.url)
        #expect(result.status == 1)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        #expect(object["valid"] as? Bool == false)
        #expect(object["files"] as? Int == 1)
        let diagnostics = try #require(object["diagnostics"] as? [[String: Any]])
        #expect(diagnostics.count == 1)
        #expect(diagnostics.first?["line"] as? Int == 6)
        #expect(diagnostics.first?["column"] as? Int == 13)
        #expect(diagnostics.first?["field"] as? String == "spec.replicas")
    }

    @Test func missingOrEmptyDirectoryIsAnErrorWithExitTwo() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let missing = try MooringBinary.run(["validate", "nowhere"], in: dir.url)
        #expect(missing.status == 2)
        #expect(missing.stderr.contains("nowhere does not exist"))

        try FileManager.default.createDirectory(at: dir.appending("empty"), withIntermediateDirectories: true)
        try dir.write("empty/notes.md", "# nothing here")
        let empty = try MooringBinary.run(["validate", "empty"], in: dir.url)
        #expect(empty.status == 2)
        #expect(empty.stderr.contains("no manifests (*.yaml, *.yml) under empty"))
    }
}
