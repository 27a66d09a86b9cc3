import ArgumentParser

extension Mooring {
    /// `mooring version`: prints the version.
    struct Version: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print the version of mooring.",
            discussion: "Example:\n  mooring version")

        func run() throws {
            print("mooring \(MooringVersion.current)")
        }
    }
}
