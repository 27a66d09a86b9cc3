import Foundation

/// Where a secret comes from. Secrets live in the controller's config (an environment
/// variable or a file), never in the manifests repository, and are never logged.
public enum SecretSource: Sendable, Hashable, CustomStringConvertible {
    /// The value of an environment variable.
    case environment(String)
    /// The contents of a file, with one trailing newline removed.
    case file(String)

    /// Names the source, never the value: `environment variable GIT_TOKEN`.
    public var description: String {
        switch self {
        case .environment(let name): "environment variable \(name)"
        case .file(let path): "file \(path)"
        }
    }

    /// Reads the secret now; a missing variable or unreadable file is an
    /// `invalidConfiguration` error naming the source.
    func read() throws -> String {
        switch self {
        case .environment(let name):
            guard let value = ProcessInfo.processInfo.environment[name], !value.isEmpty else {
                throw GitError(
                    code: .invalidConfiguration,
                    message: "credential \(self) is not set or empty. Set it in the controller's environment")
            }
            return value
        case .file(let path):
            let data: Data
            do { data = try Data(contentsOf: URL(fileURLWithPath: path)) } catch {
                throw GitError(
                    code: .invalidConfiguration,
                    message: "credential \(self) cannot be read: \(error.localizedDescription)")
            }
            var value = String(decoding: data, as: UTF8.self)
            while value.hasSuffix("\n") || value.hasSuffix("\r") { value.removeLast() }
            guard !value.isEmpty else {
                throw GitError(code: .invalidConfiguration, message: "credential \(self) is empty")
            }
            return value
        }
    }
}

/// How to authenticate to a remote. Only what the controller's config says is used.
public struct GitCredentials: Sendable, Hashable {
    /// HTTPS (and HTTP) basic authentication: a username and a password or token.
    public struct HTTPS: Sendable, Hashable {
        /// The username sent with the secret. For tokens, hosts accept `x-access-token`
        /// (GitHub), `oauth2` (GitLab) or any non-empty name.
        public var username: String
        /// The password or token.
        public var secret: SecretSource

        /// A username and password.
        public init(username: String, password: SecretSource) {
            self.username = username
            self.secret = password
        }

        /// A token, sent as the password of `username`.
        public static func token(_ token: SecretSource, username: String = "x-access-token") -> HTTPS {
            HTTPS(username: username, password: token)
        }
    }

    /// SSH: a private key file and the `known_hosts` file host keys are checked against.
    public struct SSH: Sendable, Hashable {
        /// The SSH user; when nil, the user in the URL, else `git`.
        public var username: String?
        /// Path of the private key file.
        public var privateKeyPath: String
        /// Path of the matching public key file, if libssh2 needs it.
        public var publicKeyPath: String?
        /// The key's passphrase, if it has one.
        public var passphrase: SecretSource?
        /// The `known_hosts` file; the host key is always checked, an unknown host is an error.
        public var knownHostsPath: String

        public init(
            username: String? = nil, privateKeyPath: String, publicKeyPath: String? = nil,
            passphrase: SecretSource? = nil, knownHostsPath: String
        ) {
            self.username = username
            self.privateKeyPath = privateKeyPath
            self.publicKeyPath = publicKeyPath
            self.passphrase = passphrase
            self.knownHostsPath = knownHostsPath
        }
    }

    /// Credentials for `https://` and `http://` remotes.
    public var https: HTTPS?
    /// Credentials and host-key checking for `ssh://` and `user@host:path` remotes.
    public var ssh: SSH?
    /// How many times a rejected credential is offered before giving up (at least 1).
    public var maxAttempts: Int

    /// No credentials: anonymous access only.
    public static let none = GitCredentials()

    public init(https: HTTPS? = nil, ssh: SSH? = nil, maxAttempts: Int = 2) {
        self.https = https
        self.ssh = ssh
        self.maxAttempts = max(1, maxAttempts)
    }
}
