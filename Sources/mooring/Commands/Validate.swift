import ArgumentParser

extension Mooring {
    /// `mooring validate [PATH]`: checks manifests without touching anything.
    struct Validate: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Validate the manifests under PATH.")

        @Argument(help: "Directory (or file) of manifests.")
        var path: String = "manifests"

        func run() throws {
            print("validate \(path)")
        }
    }
}
