import ArgumentParser
import Foundation
import MooringConfiguration
import MooringController
import MooringGit

/// Where the desired state comes from: shared by `run` and `plan`. Every flag overrides
/// the host configuration's `source:` key of the same name.
struct SourceOptions: ParsableArguments {
    @Option(help: ArgumentHelp("Repository: a local path or a URL (file://, https://, ssh://, git@host:path) (default: source.repo of the host configuration, else .).", valueName: "path|url"))
    var repo: String?

    @Option(help: ArgumentHelp("Branch to track (default: the current branch of a local repository, the remote's default branch otherwise).", valueName: "name"))
    var branch: String?

    @Option(help: ArgumentHelp("Tag to track instead of a branch.", valueName: "name"))
    var tag: String?

    @Option(help: ArgumentHelp("Pinned commit SHA to track instead of a branch.", valueName: "sha"))
    var commit: String?

    @Option(help: ArgumentHelp("Manifests folder inside the repository (default: source.path, else manifests).", valueName: "path"))
    var path: String?

    @Option(name: .customLong("token-env"), help: ArgumentHelp("HTTPS: environment variable holding a token or password.", valueName: "var"))
    var tokenEnv: String?

    @Option(name: .customLong("token-file"), help: ArgumentHelp("HTTPS: file holding a token or password.", valueName: "path"))
    var tokenFile: String?

    @Option(help: ArgumentHelp("HTTPS: user name for the token or password (default: x-access-token).", valueName: "name"))
    var username: String?

    @Option(name: .customLong("ssh-key"), help: ArgumentHelp("SSH: private key file.", valueName: "path"))
    var sshKey: String?

    @Option(name: .customLong("ssh-passphrase-env"), help: ArgumentHelp("SSH: environment variable holding the key's passphrase.", valueName: "var"))
    var sshPassphraseEnv: String?

    @Option(name: .customLong("known-hosts"), help: ArgumentHelp("SSH: known_hosts file the server's key is checked against (default: ~/.ssh/known_hosts).", valueName: "path"))
    var knownHosts: String?

    func validate() throws {
        if [branch, tag, commit].compactMap({ $0 }).count > 1 {
            throw ValidationError("give at most one of --branch, --tag and --commit")
        }
        if tokenEnv != nil && tokenFile != nil {
            throw ValidationError("give --token-env or --token-file, not both")
        }
        if let warning = passwordInURLWarning {
            printError(warning)
        }
    }

    /// A warning when `--repo` is an HTTP(S) URL with a password in it
    /// (`https://user:password@host/…`): every local user can read a command line
    /// (`/proc/<pid>/cmdline`, `ps`) for as long as the process runs. Nil otherwise.
    var passwordInURLWarning: String? {
        guard let repo else { return nil }
        let lowered = repo.lowercased()
        guard lowered.hasPrefix("https://") || lowered.hasPrefix("http://"),
              let schemeEnd = repo.range(of: "://") else { return nil }
        let rest = repo[schemeEnd.upperBound...]
        let authority = rest[..<(rest.firstIndex(of: "/") ?? rest.endIndex)]
        guard let at = authority.lastIndex(of: "@"), authority[..<at].contains(":") else { return nil }
        let user = authority[..<at].split(separator: ":", maxSplits: 1).first.map(String.init) ?? ""
        return "mooring: warning: the password in --repo \(scrubUserInfo(in: repo)) can be read by every user of this host "
            + "in /proc/\(getpid())/cmdline (and `ps`) while mooring runs; put it in a file only you can read and pass "
            + "--token-file PATH --username \(user.isEmpty ? "NAME" : user) with the URL without it, or use --token-env VAR"
    }

    /// The source to watch: each flag, else the host configuration's key, else the default.
    func resolved(with host: HostConfiguration?) -> ResolvedSource {
        let hostSource = host?.source ?? HostConfiguration.Source()
        var reference = hostSource.reference ?? .defaultBranch
        if let branch { reference = .branch(branch) }
        if let tag { reference = .tag(tag) }
        if let commit { reference = .commit(commit) }

        let written = repo ?? hostSource.repo ?? "."
        let repository: String
        switch SourceLocation(parsing: written) {
        case .remote: repository = written
        case .localPath: repository = URL(fileURLWithPath: written).standardizedFileURL.path
        }

        let user = username ?? hostSource.username ?? "x-access-token"
        var credentials = GitCredentials()
        if let tokenFile = tokenFile ?? (tokenEnv == nil ? hostSource.tokenFile : nil) {
            credentials.https = .init(username: user, password: .file(tokenFile))
        }
        if let tokenEnv { credentials.https = .init(username: user, password: .environment(tokenEnv)) }
        let home = ProcessInfo.processInfo.environment["HOME"] ?? "/root"
        if let sshKey = sshKey ?? hostSource.sshKey {
            credentials.ssh = .init(
                privateKeyPath: sshKey,
                passphrase: sshPassphraseEnv.map { .environment($0) },
                knownHostsPath: (knownHosts ?? hostSource.knownHosts ?? "~/.ssh/known_hosts").replacingOccurrences(of: "~", with: home))
        }
        return ResolvedSource(repository: repository, reference: reference,
                              path: path ?? hostSource.path ?? "manifests", credentials: credentials)
    }
}

/// The source after flags and the host configuration are merged.
struct ResolvedSource {
    /// The repository, with a relative local path made absolute.
    var repository: String
    var reference: GitReference
    var path: String
    var credentials: GitCredentials
}

/// A duration on the command line: `500ms`, `30s`, `5m`, `1h`, `30d`.
struct DurationArgument: ExpressibleByArgument, Sendable {
    let duration: Duration

    init(_ duration: Duration) {
        self.duration = duration
    }

    init?(argument: String) {
        let units: [(String, Double)] = [("ms", 0.001), ("s", 1), ("m", 60), ("h", 3600), ("d", 86_400)]
        for (suffix, scale) in units where argument.hasSuffix(suffix) {
            let number = argument.dropLast(suffix.count)
            // "5m" must not be read as "5" + "m" of "ms": checked in order, ms first.
            guard let value = Double(number), value >= 0, value.isFinite else { return nil }
            duration = .milliseconds(Int64(value * scale * 1000))
            return
        }
        return nil
    }

    static var defaultCompletionKind: CompletionKind { .default }

    /// Shown as the default in `--help`.
    var defaultValueDescription: String {
        let seconds = duration.components.seconds
        if seconds >= 3600, seconds % 3600 == 0 { return "\(seconds / 3600)h" }
        if seconds >= 60, seconds % 60 == 0 { return "\(seconds / 60)m" }
        return "\(seconds)s"
    }
}
