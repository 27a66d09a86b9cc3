import Foundation
import MooringController
import Prometheus

/// How `mooring run` serves its HTTP API: where, and with which secrets.
public struct APIConfiguration: Sendable {
    /// Where to listen.
    public var listen: ListenAddress
    /// The bearer token every endpoint but `/healthz`, `/readyz`, `/metrics` and the
    /// webhooks requires; nil on loopback without `--api-token-file` (open to local users).
    public var token: String?
    /// The shared secret of the webhooks; nil turns them off (404).
    public var webhookSecret: [UInt8]?
    /// The ref a push must name to trigger a fetch (`refs/heads/main`, `refs/tags/v1`);
    /// nil when the controller tracks the default branch (a push to the repository's
    /// default branch, as the payload names it, triggers) or a fixed commit.
    public var trackedRef: String?
    /// The state directory: the store is read from it and the bound address is recorded in it.
    public var layout: StateLayout
    /// What `GET /metrics` exports (nil: 404). See ``APIConfiguration/bootstrapMetrics()``.
    public var metrics: PrometheusCollectorRegistry?
    /// Where `POST /api/v1/down` is recorded (nil: 404).
    public var shutdown: ShutdownRequest?

    public init(listen: ListenAddress = .default, token: String? = nil, webhookSecret: [UInt8]? = nil,
                trackedRef: String? = nil, layout: StateLayout, metrics: PrometheusCollectorRegistry? = nil,
                shutdown: ShutdownRequest? = nil) {
        self.listen = listen
        self.token = token
        self.webhookSecret = webhookSecret
        self.trackedRef = trackedRef
        self.metrics = metrics
        self.shutdown = shutdown
        self.layout = layout
    }

    /// Refuses an address other hosts can reach without a token: a configuration error
    /// `mooring run` reports before it starts anything.
    public func validate() throws {
        if !listen.isLoopback && token == nil {
            throw ControllerError(.configuration, "--listen \(listen) can be reached from other hosts: give --api-token-file PATH (a file holding the bearer token clients must send), or listen on 127.0.0.1")
        }
    }

    /// Reads a secret file: its content without surrounding whitespace; an empty or
    /// unreadable file is an error that names the flag.
    public static func readSecret(_ path: String, flag: String) throws -> String {
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw ControllerError(.configuration, "\(flag) \(path): cannot read it (\(error.localizedDescription)); the controller does not start without it")
        }
        let secret = text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !secret.isEmpty else {
            throw ControllerError(.configuration, "\(flag) \(path) is empty; put the secret in it")
        }
        return secret
    }
}

extension APIConfiguration: CustomStringConvertible {
    /// Without the secrets: service-lifecycle logs its services' descriptions.
    public var description: String {
        "APIConfiguration(listen: \(listen), token: \(token == nil ? "none" : "<redacted>"), webhooks: \(webhookSecret == nil ? "off" : "<secret redacted>"), state: \(layout.root.path))"
    }
}
