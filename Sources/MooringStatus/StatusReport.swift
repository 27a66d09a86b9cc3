import Foundation

/// What `mooring status` shows, read from the state store — whether or not a controller
/// is running (and it says which). Its JSON form is stable: fields are only ever added.
public struct StatusReport: Codable, Sendable, Equatable {
    /// The source header.
    public struct Source: Codable, Sendable, Equatable {
        public var repo: String
        public var branch: String
        public var path: String
        /// Last fetched commit (full SHA) and its subject.
        public var commit: String?
        public var subject: String?
        public var lastFetch: Date?
        public var nextFetch: Date?
        /// The source's current error: fetch failure, missing path, or a rejected commit
        /// with every diagnostic (`file:line:column: …`, one per line).
        public var error: String?
        /// Whether a controller holds the state directory, and its pid.
        public var controllerRunning: Bool
        public var controllerPid: Int32?
        /// Whether the last fetched commit was rejected (its diagnostics are in `error`).
        public var tipRejected: Bool
        /// What the controller could not write to the state store (a full disk): while
        /// set, the rest of this report may be behind what runs.
        public var storeError: String?

        public init(repo: String, branch: String, path: String, commit: String?, subject: String?,
                    lastFetch: Date?, nextFetch: Date?, error: String?, controllerRunning: Bool,
                    controllerPid: Int32?, tipRejected: Bool, storeError: String? = nil) {
            self.repo = repo
            self.branch = branch
            self.path = path
            self.commit = commit
            self.subject = subject
            self.lastFetch = lastFetch
            self.nextFetch = nextFetch
            self.error = error
            self.controllerRunning = controllerRunning
            self.controllerPid = controllerPid
            self.tipRejected = tipRejected
            self.storeError = storeError
        }
    }

    /// One deployment's row.
    public struct Deployment: Codable, Sendable, Equatable {
        public var name: String
        /// `Synced`, `OutOfSync` or `Unknown`.
        public var sync: String
        /// `Healthy`, `Progressing`, `Degraded`, `Suspended`, `Missing` or `Unknown`.
        public var health: String
        public var readyReplicas: Int
        public var replicas: Int
        /// Revisions, kept apart: what Git wants, what was last attempted, what serves.
        public var desiredRevision: String
        public var attemptedRevision: String?
        public var appliedRevision: String?
        public var modelVersion: String?
        /// The phase of the rollout under way, if one is.
        public var rolloutPhase: String?
        /// During a canary: the step under way (1-based) and the new version's share of
        /// requests at the stable endpoint, percent. Nil otherwise.
        public var canaryStep: Int?
        public var canaryWeight: Int?
        public var endpoint: String?
        /// Every replica's private address (`http://127.0.0.1:PORT`), by generation and
        /// index — what the stable endpoint forwards to. Nil in rows that do not carry it.
        public var replicaEndpoints: [String]?
        public var createdAt: Date
        public var updatedAt: Date
        /// Why it is not green, in words a person can act on.
        public var message: String
        /// Every replica it has (serving and rolling out), with its address and named ports.
        public var replicaDetails: [Replica]?

        public init(name: String, sync: String, health: String, readyReplicas: Int, replicas: Int,
                    desiredRevision: String, attemptedRevision: String?, appliedRevision: String?,
                    modelVersion: String?, rolloutPhase: String?, endpoint: String?,
                    createdAt: Date, updatedAt: Date, message: String) {
            self.name = name
            self.sync = sync
            self.health = health
            self.readyReplicas = readyReplicas
            self.replicas = replicas
            self.desiredRevision = desiredRevision
            self.attemptedRevision = attemptedRevision
            self.appliedRevision = appliedRevision
            self.modelVersion = modelVersion
            self.rolloutPhase = rolloutPhase
            self.endpoint = endpoint
            self.createdAt = createdAt
            self.updatedAt = updatedAt
            self.message = message
        }
    }

    public init(source: Source?, deployments: [Deployment]) {
        self.source = source
        self.deployments = deployments
    }

    public var source: Source?
    public var deployments: [Deployment]

    /// Every deployment `Synced` and `Healthy` at the last fetched commit, with no source error.
    public var isSettled: Bool {
        guard let source, let commit = source.commit, source.error == nil else { return false }
        return deployments.allSatisfy {
            $0.desiredRevision == commit && $0.sync == "Synced" && ($0.health == "Healthy" || $0.health == "Suspended")
        }
    }

    /// Whether an automatic rollback is still under way somewhere (phase `RollingBack`, with
    /// a controller running to finish it): `status --wait` waits for it to end before it
    /// reports the failure, so what it prints is where the deployment settled.
    public var isRollingBack: Bool {
        guard source?.controllerRunning == true else { return false }
        return deployments.contains { $0.rolloutPhase == "RollingBack" }
    }

    /// Whether `status --wait` waits on after this report: nothing failed and not everything
    /// is settled, or something failed and its automatic rollback is still under way.
    public var keepsWaiting: Bool { failure == nil ? !isSettled : isRollingBack }

    /// Whether any deployment is `Degraded`.
    public var isDegraded: Bool { deployments.contains { $0.health == "Degraded" } }

    /// Whether the branch tip was rejected (the source error is a rejection).
    public var isTipRejected: Bool { source?.tipRejected ?? false }

    /// Why waiting for `isSettled` is pointless now, if it is: a deployment is Degraded or
    /// Unknown, the tip commit was rejected, or no controller runs to change anything.
    public var failure: String? {
        if let degraded = deployments.first(where: { $0.health == "Degraded" || $0.health == "Unknown" }) {
            return "\(degraded.name) is \(degraded.health): \(degraded.message)"
        }
        if let problem = source?.storeError {
            return "the controller cannot write the state store: \(problem)"
        }
        if let source, source.tipRejected {
            return "the tip commit \(source.commit.map { String($0.prefix(7)) } ?? "") was rejected: \(source.error?.split(separator: "\n").dropFirst().first.map(String.init) ?? source.error ?? "")"
        }
        if let source, !source.controllerRunning, !isSettled {
            return "no controller is running on this state directory, so nothing will change; start `mooring run`"
        }
        return nil
    }
}
