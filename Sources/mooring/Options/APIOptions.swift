import ArgumentParser
import Foundation
import MooringConfiguration
import MooringController
import MooringServer

/// `mooring run`'s HTTP API flags.
struct APIOptions: ParsableArguments {
    @Option(help: ArgumentHelp("Where the HTTP API listens: ADDR:PORT (port 0: any free port) or a Unix socket /PATH (made 0600); the address bound is recorded in <state>/api (default: api.listen of the host configuration, else 127.0.0.1:7420).",
                               valueName: "addr:port|/path"))
    var listen: String?

    @Option(name: .customLong("api-token-file"),
            help: ArgumentHelp("A file holding the bearer token API clients must send; required off loopback.", valueName: "path"))
    var apiTokenFile: String?

    @Option(name: .customLong("webhook-secret-file"),
            help: ArgumentHelp("A file holding the webhooks' shared secret; without it the webhooks answer 404.", valueName: "path"))
    var webhookSecretFile: String?

    func validate() throws {
        guard let listen else { return }
        try Self.check(listen: listen, tokenFile: apiTokenFile)
    }

    /// Refuses an address that is not one, or one off loopback without a token.
    static func check(listen: String, tokenFile: String?) throws {
        guard let address = ListenAddress(parsing: listen) else {
            throw ValidationError("--listen must be ADDR:PORT, such as 127.0.0.1:7420 or [::1]:7420, or the absolute path of a Unix socket (under 108 bytes), such as /run/mooring/api.sock")
        }
        if !address.isLoopback && tokenFile == nil {
            throw ValidationError("--listen \(listen) can be reached from other hosts: give --api-token-file PATH (a file holding the bearer token clients must send), or listen on 127.0.0.1")
        }
    }

    /// The server's configuration; flags win over the host configuration's `api.listen`,
    /// `api.tokenFile` and `webhook.secretFile`. Reads the secret files (an unreadable or
    /// empty one is an error).
    func configuration(layout: StateLayout, trackedRef: String?, shutdown: ShutdownRequest,
                       host: HostConfiguration?) throws -> APIConfiguration {
        let tokenFile = apiTokenFile ?? host?.api.tokenFile
        let listenText = self.listen ?? host?.api.listen ?? ListenAddress.default.description
        try Self.check(listen: listenText, tokenFile: tokenFile)
        let listen = ListenAddress(parsing: listenText) ?? .default
        let token = try tokenFile.map { try APIConfiguration.readSecret($0, flag: apiTokenFile == nil ? "api.tokenFile" : "--api-token-file") }
        let secretFile = webhookSecretFile ?? host?.webhookSecretFile
        let secret = try secretFile.map { Array(try APIConfiguration.readSecret($0, flag: webhookSecretFile == nil ? "webhook.secretFile" : "--webhook-secret-file").utf8) }
        return APIConfiguration(listen: listen, token: token, webhookSecret: secret, trackedRef: trackedRef, layout: layout,
                                metrics: MetricsBootstrap.prometheus(), shutdown: shutdown)
    }
}

extension SourceOptions {
    /// The full ref a webhook push must name: `refs/heads/B` or `refs/tags/T`; nil for
    /// the default branch or a fixed commit.
    var trackedRef: String? {
        if let branch { return "refs/heads/\(branch)" }
        if let tag { return "refs/tags/\(tag)" }
        return nil
    }
}
