import ArgumentParser

/// The `mooring` command: a GitOps reconciler for model deployments.
@main
struct Mooring: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mooring",
        abstract: "Keep the models running on this host moored to a Git repository.",
        version: MooringVersion.current,
        subcommands: [Run.self, Status.self, Plan.self, Validate.self, Config.self, History.self, Events.self, Logs.self, Sync.self, Suspend.self, Resume.self, Down.self, Version.self, StampLog.self]
    )
}

/// Shared version string.
enum MooringVersion {
    static let current = "0.1.0-dev"
}
