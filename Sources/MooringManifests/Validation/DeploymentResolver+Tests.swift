import Foundation
import MooringModelChecks

/// `spec.tests`' files, read from the repository at the revision: a `bodyFile` becomes the
/// check's body and a batch file its labelled rows, so the resolved spec (and its hash)
/// holds exactly what the gate sends.
extension DeploymentResolver {
    func resolveTests() -> ([ModelCheck], [Diagnostic]) {
        var problems: [Diagnostic] = []
        var checks: [ModelCheck] = []
        for (index, fragment) in deployment.tests.enumerated() {
            var check = fragment.check
            if let file = fragment.bodyFile {
                switch readTestFile(file, field: "spec.tests[\(index)].bodyFile") {
                case let .success(data):
                    guard let text = String(data: data, encoding: .utf8) else {
                        problems.append(Diagnostic(.error, at: file.position, field: "spec.tests[\(index)].bodyFile",
                                                   message: "`\(file.value)` is not UTF-8 text; bodies are sent as JSON text"))
                        continue
                    }
                    check.body = text
                    check.bodyFile = file.value
                case let .failure(problem):
                    problems.append(problem)
                    continue
                }
            }
            if let file = fragment.batchFile, let path = fragment.batchPath {
                let field = "spec.tests[\(index)].batch.file"
                switch readTestFile(file, field: field) {
                case let .success(data):
                    switch Self.batchCases(data, file: file.value) {
                    case let .success(cases):
                        check.batch = ModelCheck.Batch(file: file.value, path: path, minAccuracy: fragment.minAccuracy ?? 1, cases: cases)
                    case let .failure(reason):
                        problems.append(Diagnostic(.error, at: file.position, field: field, message: reason.message))
                        continue
                    }
                case let .failure(problem):
                    problems.append(problem)
                    continue
                }
            }
            checks.append(check)
        }
        return (checks, problems)
    }

    /// The bytes of a test file at the revision, or the diagnostic saying why not. Without
    /// a repository view (nothing to read from) the file is reported as unreadable.
    private func readTestFile(_ file: Located<String>, field: String) -> TestFile {
        func problem(_ message: String) -> TestFile {
            .failure(Diagnostic(.error, at: file.position, field: field, message: message))
        }
        guard let repository else {
            return problem("`\(file.value)` cannot be read: no repository to read it from")
        }
        switch repository.resolve(file.value) {
        case .escapes:
            return problem("`\(file.value)` leads outside the repository through a symbolic link; test files must live inside it")
        case let .missing(missing):
            return problem("`\(file.value)` does not exist in the repository (`\(missing)` is missing); commit the file or fix the path")
        case let .resolved(real, entry):
            guard entry == .file, let data = repository.contents(at: real) else {
                return problem("`\(file.value)` is not a readable file")
            }
            guard data.count <= ManifestDefaults.maxTestFileBytes else {
                return problem("`\(file.value)` is \(data.count) bytes; test files may be at most \(ManifestDefaults.maxTestFileBytes) bytes")
            }
            return .success(data)
        }
    }

    /// A test file's bytes, or the diagnostic saying why it cannot be read.
    enum TestFile {
        case success(Data)
        case failure(Diagnostic)
    }

    /// Why a batch file cannot be used.
    struct BatchFileError: Error {
        var message: String
    }

    /// A batch file: a JSON list of `{"body": …, "expected": …}` (a string body is sent as
    /// written, anything else as its JSON).
    static func batchCases(_ data: Data, file: String) -> Result<[ModelCheck.BatchCase], BatchFileError> {
        let shape = "a JSON list of {\"body\": …, \"expected\": …}"
        let root: JSONValue
        do {
            root = try JSONValue.parse(data)
        } catch {
            return .failure(BatchFileError(message: "`\(file)` is \(error); give \(shape)"))
        }
        guard case let .array(rows) = root, !rows.isEmpty else {
            return .failure(BatchFileError(message: "`\(file)` is not a non-empty list; give \(shape)"))
        }
        guard rows.count <= ManifestDefaults.maxBatchCases else {
            return .failure(BatchFileError(message: "`\(file)` has \(rows.count) rows; a batch may have at most \(ManifestDefaults.maxBatchCases)"))
        }
        var cases: [ModelCheck.BatchCase] = []
        for (index, row) in rows.enumerated() {
            guard case let .object(members) = row, let body = members["body"], let expected = members["expected"] else {
                return .failure(BatchFileError(message: "`\(file)` row \(index) lacks `body` or `expected`; give \(shape)"))
            }
            if case let .string(text) = body {
                cases.append(.init(body: text, expected: expected))
            } else {
                cases.append(.init(body: body.json, expected: expected))
            }
        }
        return .success(cases)
    }
}
