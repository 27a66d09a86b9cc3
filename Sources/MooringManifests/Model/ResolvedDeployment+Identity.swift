import Foundation
import MooringDigest

/// Spec identity: the canonical JSON of a resolved spec and its SHA-256, by version.
///
/// The canonical form is JSON with sorted keys and no whitespace, so equal specs give
/// equal bytes however the YAML was written. Its **version** says which fields it holds:
///
/// - **1**: every field of the resolved spec as it was before content identity.
/// - **2**: version 1 plus `model.contentID` (the Git object id of the model's path), so
///   a model file changed in place rolls the deployment.
///
/// Two rules keep hashes stable as the canonical form grows:
///
/// 1. A field added after version 1 is listed in ``CanonicalFieldAddition`` with the
///    version that added it, and is **reset to its default** in the canonical form of
///    every earlier version — so `specHash(version: 1)` of today's spec is byte for byte
///    the hash version-1 code computed.
/// 2. Such a field is **left out of the JSON while it holds its default** (it is optional,
///    `nil` being the default, or its `encode(to:)` skips the default). Adding a manifest
///    field with a default therefore changes no existing hash, and needs no new version;
///    a new version is needed only when a new field is filled in for existing specs (as
///    `contentID` is).
///
/// A stored hash is kept with the version it was computed with; to compare, compute the
/// desired spec's hash at the stored version (the planner does), then re-stamp the stored
/// hash at ``specHashVersion``.
extension ResolvedDeployment {
    /// The canonical form's version `specHash` and `templateHash` use.
    public static let specHashVersion = 2

    /// Every version `specHash(version:)` knows, oldest first.
    public static let specHashVersions: ClosedRange<Int> = 1...specHashVersion

    /// This spec as the canonical form of `version` sees it: every field added after
    /// `version` reset to its default. Versions outside ``specHashVersions`` are read as the
    /// nearest known one (a version from a newer controller as the current one).
    public func canonicalized(version: Int) -> ResolvedDeployment {
        let version = Self.clamp(version)
        var copy = self
        for field in CanonicalFieldAddition.allCases where field.version > version {
            field.reset(in: &copy)
        }
        return copy
    }

    /// The canonical JSON of `version` (default: the current one, which is also how the
    /// controller stores specs).
    public func canonicalJSON(version: Int = specHashVersion) -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        // Strings, numbers, booleans, arrays and string dictionaries: encoding cannot fail.
        return (try? encoder.encode(canonicalized(version: version))) ?? Data()
    }

    /// SHA-256 of the canonical JSON of `version`, as 64 lowercase hex characters.
    public func specHash(version: Int) -> String {
        SHA256Digest.hex(canonicalJSON(version: version))
    }

    /// The spec's identity: ``specHash(version:)`` at ``specHashVersion``.
    public var specHash: String { specHash(version: Self.specHashVersion) }

    /// SHA-256 of what a replica process sees, in the canonical form of `version`:
    /// everything but replica count, rollout settings, labels, `suspend`, `tests` and the
    /// stable endpoint (the proxy's business). A change here
    /// needs new processes, a change elsewhere does not. The model's content is part of it
    /// from version 2 on.
    public func templateHash(version: Int) -> String {
        var copy = self
        copy.replicas = 0
        copy.labels = [:]
        copy.suspend = false
        copy.endpoint = nil
        copy.tests = nil
        copy.rollout = Rollout(strategy: .surge, minHealthySeconds: 0, progressDeadlineSeconds: 0, autoRollback: false)
        return copy.specHash(version: version)
    }

    /// ``templateHash(version:)`` at ``specHashVersion``.
    public var templateHash: String { templateHash(version: Self.specHashVersion) }

    private static func clamp(_ version: Int) -> Int {
        min(max(version, specHashVersions.lowerBound), specHashVersions.upperBound)
    }
}

/// A field the canonical form gained after version 1, with the version that added it.
/// Add a case (and raise ``ResolvedDeployment/specHashVersion``) only for a field that is
/// filled in for existing specs; a field that keeps its default for them changes no hash.
public enum CanonicalFieldAddition: CaseIterable, Sendable {
    /// `model.contentID`, added in version 2.
    case modelContentID

    /// The version of the canonical form that added the field.
    public var version: Int {
        switch self {
        case .modelContentID: return 2
        }
    }

    /// The field's path in the resolved spec.
    public var path: String {
        switch self {
        case .modelContentID: return "model.contentID"
        }
    }

    /// Sets the field back to its default (which the canonical JSON leaves out).
    func reset(in spec: inout ResolvedDeployment) {
        switch self {
        case .modelContentID: spec.model?.contentID = nil
        }
    }
}
