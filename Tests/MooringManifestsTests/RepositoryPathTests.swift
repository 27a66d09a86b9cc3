import Foundation
import MooringManifests
import MooringTesting
import Testing

/// Model paths and working directories must stay inside the repository, symlinks included.
struct RepositoryPathTests {
    func deployment(uri: String, workingDir: String? = nil) -> ManifestFile {
        var yaml = """
            apiVersion: mooring.dev/v1alpha1
            kind: ModelDeployment
            metadata:
              name: iris
            spec:
              model:
                uri: \(uri)
              command: ["python3", "server.py", "--model", "{{model.path}}"]
            """
        if let workingDir { yaml += "\n  workingDir: \(workingDir)" }
        return ManifestFile(path: "manifests/iris.yaml", contents: Data(yaml.utf8))
    }

    @Test func symlinkPointingOutOfTheRepositoryIsRejected() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let outside = try dir.write("outside/secret.json", "{}")
        try FileManager.default.createDirectory(at: dir.appending("repo/models"), withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(
            atPath: dir.appending("repo/models/iris.json").path, withDestinationPath: outside.path)
        try FileManager.default.createSymbolicLink(
            atPath: dir.appending("repo/models/up").path, withDestinationPath: "../../outside")

        let repo = FileSystemRepository(root: dir.appending("repo"))
        for uri in ["models/iris.json", "models/up/secret.json"] {
            let set = ManifestSet.load(files: [deployment(uri: uri)], repository: repo)
            let messages = set.diagnostics.map(\.description)
            #expect(messages.contains { $0.hasPrefix("manifests/iris.yaml:7:10: error: spec.model.uri:") && $0.contains("outside the repository") },
                    "\(uri): \(messages)")
        }
    }

    @Test func symlinkInsideTheRepositoryIsFollowed() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        try dir.write("repo/models/iris-v2.json", "{}")
        try FileManager.default.createSymbolicLink(
            atPath: dir.appending("repo/models/current.json").path, withDestinationPath: "iris-v2.json")
        let set = ManifestSet.load(files: [deployment(uri: "models/current.json")],
                                   repository: FileSystemRepository(root: dir.appending("repo")))
        #expect(set.isValid, "\(set.diagnostics)")
    }

    @Test func sha256IsCheckedAgainstTheFile() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        try dir.write("repo/models/m.bin", "abc")
        let digest = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad" // SHA-256("abc")
        let yaml = """
            apiVersion: mooring.dev/v1alpha1
            kind: ModelDeployment
            metadata: {name: m}
            spec:
              model: {uri: models/m.bin, sha256: "\(digest.uppercased())"}
              command: ["python3", "server.py"]
            """
        let set = ManifestSet.load(files: [ManifestFile(path: "m.yaml", contents: Data(yaml.utf8))],
                                   repository: FileSystemRepository(root: dir.appending("repo")))
        #expect(set.isValid, "\(set.diagnostics)")
        #expect(set.deployments.first?.model?.sha256 == digest)
    }

    @Test func workingDirectoryMustExistInsideTheRepository() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        try dir.write("repo/models/iris.json", "{}")
        try dir.write("repo/app/main.py", "")
        let repo = FileSystemRepository(root: dir.appending("repo"))
        #expect(ManifestSet.load(files: [deployment(uri: "models/iris.json", workingDir: "app")], repository: repo).isValid)
        let missing = ManifestSet.load(files: [deployment(uri: "models/iris.json", workingDir: "nope")], repository: repo)
        #expect(missing.diagnostics.map(\.description).contains {
            $0.hasPrefix("manifests/iris.yaml:9:15: error: spec.workingDir:") && $0.contains("does not exist")
        }, "\(missing.diagnostics)")
        let absolute = ManifestSet.load(files: [deployment(uri: "models/iris.json", workingDir: "/tmp")], repository: repo)
        #expect(absolute.diagnostics.contains { $0.field == "spec.workingDir" && $0.message.contains("absolute path") })
    }
}
