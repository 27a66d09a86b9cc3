import MooringHTTP
import MooringManifests
import MooringModelChecks

/// Runs a deployment's golden requests against one replica on loopback and judges the
/// answers. The controller's Testing gate and `mooring test` both call ``run(_:port:values:hostVariables:timeout:)``,
/// so a revision that passes one passes the other.
public enum CheckRunner {
    /// How long one call may take before it counts as failed.
    public static let defaultTimeout: Duration = .seconds(30)

    /// Runs every check in order against `127.0.0.1:port` (calls one at a time, so a
    /// check's latency is the model's, not the queue's) and returns one result per check.
    /// Template variables in paths, headers and bodies are rendered with `values`.
    public static func run(_ checks: [ModelCheck], port: Int, values: [TemplateVariable: String],
                           hostVariables: [String: String] = [:], timeout: Duration = defaultTimeout) async -> [CheckResult] {
        var results: [CheckResult] = []
        for check in checks {
            // Cancelled (Ctrl-C in `mooring test`, a superseded rollout): no further calls.
            if Task.isCancelled { break }
            results.append(await run(check, port: port, values: values, hostVariables: hostVariables, timeout: timeout))
        }
        return results
    }

    /// Runs one check: sends each of its requests and judges the answers.
    public static func run(_ check: ModelCheck, port: Int, values: [TemplateVariable: String],
                           hostVariables: [String: String] = [:], timeout: Duration = defaultTimeout) async -> CheckResult {
        var values = values
        values[.port] = String(port)
        func render(_ text: String) -> String { renderTemplate(text, values: values, hostVariables: hostVariables) }
        let path = render(check.path)
        let url = "http://127.0.0.1:\(port)\(path.hasPrefix("/") ? path : "/" + path)"
        var headers = check.headers.mapValues(render)
        var exchanges: [CheckExchange] = []
        for body in check.requestBodies {
            if body != nil, !headers.keys.contains(where: { $0.lowercased() == "content-type" }) {
                headers["Content-Type"] = "application/json"
            }
            let request = HTTPRequest(method: check.method, url: url, headers: headers,
                                      body: body.map { Array(render($0).utf8) }, timeout: timeout)
            do {
                let response = try await HTTPClient.send(request)
                exchanges.append(.answered(status: response.status, body: response.body, latencyMillis: milliseconds(response.latency)))
            } catch {
                exchanges.append(.failed(reason: error.reason, latencyMillis: milliseconds(error.latency)))
            }
            if Task.isCancelled { break }
        }
        return check.evaluate(exchanges)
    }

    static func milliseconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) * 1000 + Double(duration.components.attoseconds) / 1e15
    }
}
