import ArgumentParser

extension Mooring {
    /// `mooring version`: prints the version and the build configuration (`debug` or `release`).
    struct Version: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print the version of mooring and its build configuration.",
            discussion: "Prints e.g. `mooring 0.1.0-dev (release build)`; `make install` installs a release build.\n\nExample:\n  mooring version")

        func run() throws {
            print("mooring \(MooringVersion.current) (\(MooringVersion.buildConfiguration) build)")
        }
    }
}
