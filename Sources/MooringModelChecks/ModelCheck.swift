/// One golden request of `spec.tests`, resolved: what to send to a replica and what its
/// answer must be. Part of the resolved spec (so of its hash), with `bodyFile` and batch
/// files already read from the repository at the revision.
public struct ModelCheck: Hashable, Sendable, Codable {
    /// A file of labelled requests: each answer's value at `path` must equal the case's
    /// label, for at least `minAccuracy` of the cases.
    public struct Batch: Hashable, Sendable, Codable {
        /// The file's path in the repository, for messages.
        public var file: String
        public var path: JSONPath
        public var minAccuracy: Double
        public var cases: [BatchCase]

        public init(file: String, path: JSONPath, minAccuracy: Double, cases: [BatchCase]) {
            self.file = file
            self.path = path
            self.minAccuracy = minAccuracy
            self.cases = cases
        }
    }

    /// One labelled request of a batch file.
    public struct BatchCase: Hashable, Sendable, Codable {
        /// The request body (JSON text).
        public var body: String
        /// The value the answer must hold at the batch's `path`.
        public var expected: JSONValue

        public init(body: String, expected: JSONValue) {
            self.body = body
            self.expected = expected
        }
    }

    /// Unique within the deployment; names the check in messages.
    public var name: String
    /// `GET`, `POST`, …
    public var method: String
    /// The request path, with template variables (`/v2/models/{{name}}/infer`).
    public var path: String
    public var headers: [String: String]
    /// The request body (template variables rendered), from `body` or `bodyFile`.
    public var body: String?
    /// Where the body came from, when it came from a file (for messages).
    public var bodyFile: String?
    /// The status every answer must have.
    public var status: Int
    public var assertions: [Assertion]
    /// The budget for ``latencyStatistic`` of the measured calls, if any.
    public var maxLatencyMillis: Int?
    public var latencyStatistic: LatencyStatistic
    /// How many times the request is sent (each answer is checked; latency over all).
    public var repeatCount: Int
    public var batch: Batch?

    public init(name: String, method: String = "GET", path: String, headers: [String: String] = [:],
                body: String? = nil, bodyFile: String? = nil, status: Int = 200, assertions: [Assertion] = [],
                maxLatencyMillis: Int? = nil, latencyStatistic: LatencyStatistic = .p95, repeatCount: Int = 1,
                batch: Batch? = nil) {
        self.name = name
        self.method = method
        self.path = path
        self.headers = headers
        self.body = body
        self.bodyFile = bodyFile
        self.status = status
        self.assertions = assertions
        self.maxLatencyMillis = maxLatencyMillis
        self.latencyStatistic = latencyStatistic
        self.repeatCount = repeatCount
        self.batch = batch
    }

    /// The requests a run sends, in order: one body per call.
    public var requestBodies: [String?] {
        if let batch { return batch.cases.map(\.body) }
        return Array(repeating: body, count: max(repeatCount, 1))
    }
}
