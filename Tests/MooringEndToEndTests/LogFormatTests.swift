import Foundation
import MooringTesting
import Testing

/// `mooring run --log-format json`: every line the controller writes to stderr is one
/// JSON object with time, level, label and message.
@Suite(.timeLimit(.minutes(5)))
struct LogFormatTests {
    @Test func aControllerWithJSONLogsWritesOneObjectPerLine() async throws {
        try await ControllerHarness.with(name: "log-json") { h in
            try h.repo.write("manifests/iris.yaml", ControllerHarness.deployment("iris", version: 1))
            let first = try h.repo.commitAll("deploy iris v1")
            let controller = try h.startController(arguments: ["--log-format", "json"])
            #expect(try await h.waitUntilServing("iris", at: first), "\(h.controllerLog)")
            _ = try await h.apiURL()
            let stop = try await h.mooring(["down"])
            #expect(stop.status == 0, "\(stop.output)")
            #expect(await controller.waitForExit(timeout: .seconds(60)) != nil)

            let lines = controller.stderr.split(separator: "\n")
            #expect(lines.count > 5, "\(controller.stderr)")
            var messages: [String] = []
            for line in lines {
                let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
                let record = try #require(object, "not a JSON object: \(line)")
                let time = try #require(record["time"] as? String, "\(line)")
                #expect(time.hasSuffix("Z") && ISO8601DateFormatter.withFractionalSeconds.date(from: time) != nil, "\(line)")
                #expect(["trace", "debug", "info", "notice", "warning", "error", "critical"].contains(record["level"] as? String), "\(line)")
                #expect(record["label"] is String, "\(line)")
                messages.append(try #require(record["message"] as? String, "\(line)"))
            }
            #expect(messages.contains { $0.hasPrefix("API listening on http://127.0.0.1:") }, "\(messages)")

            let bad = try await h.mooring(["run", "--log-format", "xml"])
            #expect(bad.status == 64)
            #expect(bad.stderr.contains("--log-format must be text or json"))
        }
    }
}

extension ISO8601DateFormatter {
    fileprivate static var withFractionalSeconds: ISO8601DateFormatter {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return formatter
    }
}
