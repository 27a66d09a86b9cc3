import ArgumentParser

/// The `mooring` command: a GitOps reconciler for model deployments.
@main
struct Mooring: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mooring",
        abstract: "Keep the models running on this host moored to a Git repository.",
        version: MooringVersion.current,
        subcommands: [Run.self, Status.self, Plan.self, Test.self, Validate.self, Config.self, History.self, Events.self, Logs.self, Sync.self, Suspend.self, Resume.self, Down.self, Version.self, StampLog.self]
    )

    /// `mooring` with no arguments: the three flows in five lines.
    func run() async throws {
        print(Self.flows)
    }

    static let flows = """
        mooring keeps this host's models equal to a Git repository of manifests (start: mooring run).
          deploy:    merge a pull request that changes manifests/, then: mooring sync && mooring status --wait
          roll back: git revert -m 1 <merge> && git push, then: mooring sync && mooring status --wait
          check:     mooring status · mooring plan --ref BRANCH --against main · mooring validate manifests
          more:      mooring help <command> (every command has examples) · docs/ in the repository
        """
}

/// Shared version string, and the build configuration this binary was compiled with.
enum MooringVersion {
    static let current = "0.1.0-dev"

    /// `release` for `swift build -c release` (what `make install` installs), `debug` otherwise.
    static var buildConfiguration: String {
        #if DEBUG
        return "debug"
        #else
        return "release"
        #endif
    }
}
