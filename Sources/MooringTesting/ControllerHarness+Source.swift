import Foundation

extension ControllerHarness {
    /// Live model processes of deployment `name` (by the `MOORING_DEPLOYMENT` variable the
    /// controller exports to every replica).
    public func modelProcesses(of name: String) -> [Int32] {
        let needle = Array("MOORING_DEPLOYMENT=\(name)".utf8)
        return modelProcesses().filter { pid in
            guard let data = FileManager.default.contents(atPath: "/proc/\(pid)/environ") else { return false }
            return data.split(separator: 0).contains { Array($0) == needle }
        }
    }

    /// The parsed `source` object of `mooring status -o json`.
    public func source() async throws -> [String: Any]? {
        try await status()?["source"] as? [String: Any]
    }

    /// Asks the controller to sync and waits until it has fetched again (its `lastFetch`
    /// moved), so a following check sees the outcome of at least one more poll.
    public func waitForAnotherFetch(timeout: Duration = .seconds(60)) async throws -> Bool {
        let before = try await source()?["lastFetch"] as? String
        let clock = ContinuousClock()
        let deadline = clock.now.advanced(by: timeout)
        // The fetch time has a resolution of one second and is written for an asked-for
        // fetch: ask again until it moves.
        while clock.now < deadline {
            _ = try? await mooring(["sync"])
            let moved = try await waitForStatus(timeout: .seconds(2)) { status in
                let source = status["source"] as? [String: Any]
                guard let now = source?["lastFetch"] as? String else { return false }
                return now != before
            }
            if moved { return true }
        }
        return false
    }

    /// `mooring events [NAME] -o json`, parsed (oldest first).
    public func events(_ name: String? = nil) async throws -> [[String: Any]] {
        let result = try await mooring(["events"] + (name.map { [$0] } ?? []) + ["-o", "json", "--limit", "1000"])
        guard result.status == 0 else { throw TestingError("mooring events failed (\(result.status)): \(result.stderr)") }
        return try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [[String: Any]] ?? []
    }
}
