import Foundation
import MooringTesting
import Testing

/// The systemd unit in docs/operations.md is one systemd accepts, and it keeps the
/// models running when the service stops (`KillMode=process`).
@Suite struct SystemdUnitTests {
    /// The ```ini block after the `systemd-unit` marker.
    static func documentedUnit() throws -> String {
        let doc = try String(contentsOf: MooringBinary.packageRoot.appendingPathComponent("docs/operations.md"), encoding: .utf8)
        guard let marker = doc.range(of: "<!-- systemd-unit"),
              let open = doc.range(of: "```ini\n", range: marker.upperBound..<doc.endIndex),
              let close = doc.range(of: "\n```", range: open.upperBound..<doc.endIndex) else {
            throw TestingError("docs/operations.md has no ```ini block after <!-- systemd-unit")
        }
        return String(doc[open.upperBound..<close.lowerBound]) + "\n"
    }

    @Test func theDocumentedUnitPassesSystemdAnalyzeVerify() throws {
        let unit = try Self.documentedUnit()
        let lines = unit.split(separator: "\n").map(String.init)
        #expect(lines.contains("KillMode=process"), "stopping the service must not kill the models")
        #expect(lines.contains { $0.hasPrefix("ExecStart=/usr/local/bin/mooring run ") })
        #expect(lines.contains("ExecReload=/bin/kill -HUP $MAINPID"))

        // verify checks that ExecStart's program exists: point it at the built binary.
        let directory = try TemporaryDirectory(prefix: "mooring-unit")
        defer { directory.remove() }
        let file = directory.appending("mooring.service")
        try unit.replacingOccurrences(of: "/usr/local/bin/mooring", with: MooringBinary.path)
            .write(to: file, atomically: true, encoding: .utf8)
        let verify = try runCommand("/usr/bin/systemd-analyze", ["verify", file.path])
        #expect(verify.status == 0, "\(verify.output)")
        // systemd only warns (exit 0) about a setting it cannot parse: any word about our file fails.
        #expect(!verify.output.contains("mooring.service"), "\(verify.output)")
    }
}
