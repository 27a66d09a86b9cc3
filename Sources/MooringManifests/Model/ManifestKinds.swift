/// The API version every Mooring manifest declares.
public let mooringAPIVersion = "mooring.dev/v1alpha1"

/// The kinds of manifest Mooring reads.
public enum ManifestKind: String, CaseIterable, Sendable, Codable {
    case modelDeployment = "ModelDeployment"
    case servingRuntime = "ServingRuntime"
}

/// `metadata` of a manifest: its name and labels.
public struct ObjectMeta: Hashable, Sendable, Codable {
    /// A DNS label (RFC 1123), unique per kind across the repository.
    public var name: String
    public var labels: [String: String]

    public init(name: String, labels: [String: String] = [:]) {
        self.name = name
        self.labels = labels
    }
}

/// A value together with where it was written, so later checks can point at it.
public struct Located<Value: Sendable & Hashable>: Hashable, Sendable {
    public var value: Value
    public var position: SourcePosition

    public init(_ value: Value, at position: SourcePosition) {
        self.value = value
        self.position = position
    }
}
