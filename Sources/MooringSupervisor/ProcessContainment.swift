import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// How the processes of one replica are held together, so that stopping the replica
/// reaches every one of them — a descendant that called `setsid()` (a daemonizing helper,
/// a double fork) included, which the replica's process group alone does not catch.
///
/// - ``Mechanism/cgroup(directory:)``: where a writable cgroup v2 hierarchy exists, each
///   replica runs in a cgroup of its own, `<hierarchy>/mooring-<scope hash>/<replica>`,
///   joined before its program starts; a stop kills the whole cgroup (`cgroup.kill`, or
///   SIGKILL to every pid in `cgroup.procs` on kernels before 5.14). Nothing a replica
///   starts can leave it.
/// - ``Mechanism/marker(subreaper:)``: otherwise, every process of a replica carries
///   ``markerVariable`` in its environment (inherited by descendants unless one clears
///   its environment), and a stop also signals every live process carrying it. With
///   `subreaper`, this process is made a child subreaper (`PR_SET_CHILD_SUBREAPER`), so
///   orphaned descendants become its children rather than init's while it lives, and it
///   reaps them.
/// - ``Mechanism/processGroup``: the replica's process group only (no scope given: tests
///   and tools that run a supervisor of their own).
///
/// `scope` names everything one owner manages — the controller passes its state
/// directory — so two controllers on one host never touch each other's replicas. The
/// cgroup and the marker depend only on the scope and the ``ReplicaID``, so a controller
/// that adopts a replica started by its predecessor stops it just as completely.
public struct ProcessContainment: Sendable, CustomStringConvertible {
    /// What holds a replica's processes together.
    public enum Mechanism: Sendable, Hashable {
        /// A cgroup v2 per replica, under `directory` (`<hierarchy>/mooring-<scope hash>`).
        case cgroup(directory: String)
        /// The environment marker, plus a child subreaper when `subreaper` is true.
        case marker(subreaper: Bool)
        /// The process group only.
        case processGroup
    }

    /// The environment variable that marks every process of a replica:
    /// `<scope hash>/<deployment>/<generation>/<replica>`.
    public static let markerVariable = "MOORING_REPLICA_UNIT"

    /// What holds a replica's processes together.
    public let mechanism: Mechanism
    /// What the owner manages (the controller: its state directory).
    public let scope: String
    /// Why the cgroup mechanism was not chosen, when it was not (for the operator's log).
    public let cgroupUnavailableReason: String?

    init(mechanism: Mechanism, scope: String, cgroupUnavailableReason: String? = nil) {
        self.mechanism = mechanism
        self.scope = scope
        self.cgroupUnavailableReason = cgroupUnavailableReason
    }

    /// Only the replica's process group: what a supervisor without a scope uses.
    public static let processGroup = ProcessContainment(mechanism: .processGroup, scope: "")

    /// The best this host offers for `scope`: a cgroup per replica when a cgroup v2
    /// hierarchy is mounted and this process may create cgroups in it and move processes
    /// there; otherwise the environment marker, with a child subreaper when `subreaper`.
    public static func detect(scope: String, subreaper: Bool = true) -> ProcessContainment {
        switch CgroupHierarchy.prepareScope(named: scopeDirectoryName(scope)) {
        case let .success(directory):
            return ProcessContainment(mechanism: .cgroup(directory: directory), scope: scope)
        case let .failure(reason):
            return ProcessContainment(mechanism: .marker(subreaper: subreaper), scope: scope,
                                      cgroupUnavailableReason: reason.message)
        }
    }

    /// The environment-marker mechanism, whatever the host offers (the fallback, chosen
    /// explicitly — tests use it on hosts where cgroups are writable).
    public static func marker(scope: String, subreaper: Bool) -> ProcessContainment {
        ProcessContainment(mechanism: .marker(subreaper: subreaper), scope: scope)
    }

    /// `mooring-<16 hex digits>`: the scope's cgroup directory name (FNV-1a of the scope).
    public static func scopeDirectoryName(_ scope: String) -> String {
        "mooring-" + scopeHash(scope)
    }

    static func scopeHash(_ scope: String) -> String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in scope.utf8 {
            hash ^= UInt64(byte)
            hash = hash &* 0x0000_0100_0000_01b3
        }
        let digits = String(hash, radix: 16)
        return String(repeating: "0", count: 16 - digits.count) + digits
    }

    /// The marker's value for `id`.
    public func markerValue(for id: ReplicaID) -> String {
        "\(Self.scopeHash(scope))/\(id)"
    }

    /// The cgroup of replica `id` (nil unless the mechanism is cgroup).
    public func cgroupDirectory(for id: ReplicaID) -> String? {
        guard case let .cgroup(directory) = mechanism else { return nil }
        return directory + "/" + Self.cgroupName(id)
    }

    /// `<deployment>.<generation>.<replica>`, with anything but letters, digits, `-` and
    /// `_` replaced by `_`.
    static func cgroupName(_ id: ReplicaID) -> String {
        func clean(_ text: String) -> String {
            String(text.unicodeScalars.map { scalar in
                CharacterSet.alphanumerics.contains(scalar) && scalar.isASCII || scalar == "-" || scalar == "_"
                    ? Character(scalar) : "_"
            })
        }
        return "\(clean(id.deployment)).\(clean(id.generation)).\(id.replica)"
    }

    public var description: String {
        switch mechanism {
        case let .cgroup(directory):
            return "a cgroup v2 per replica under \(directory)"
        case let .marker(subreaper):
            return "the \(Self.markerVariable) environment marker" + (subreaper ? " and a child subreaper" : "")
                + (cgroupUnavailableReason.map { " (no cgroup: \($0))" } ?? "")
        case .processGroup:
            return "the replica's process group only"
        }
    }
}
