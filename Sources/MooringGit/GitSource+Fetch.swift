import Foundation
import Logging

extension GitSource {
    /// Fetches the remote into its mirror on a dedicated thread and waits for it without
    /// blocking the cooperative pool. A watchdog abandons the fetch when it makes no
    /// progress for `stallTimeout` (libgit2 1.5 has no timeout of its own): the caller gets
    /// a `stalled` error at once, and the fetch thread stops at its next callback.
    func fetch(recreate: Bool) async throws -> FetchOutcome {
        guard let mirror else { return FetchOutcome(defaultBranch: nil) }
        guard fetchGate.tryEnter() else {
            throw GitError(
                code: .stalled,
                message: "an earlier fetch of \(mirror.url) is still running after it was abandoned. The next update retries",
                isRetryable: true)
        }
        let context: FetchContext
        do {
            context = try FetchContext(url: mirror.url, credentials: configuration.credentials, logger: logger)
        } catch {
            fetchGate.leave()
            throw error
        }
        let ledger = self.ledger
        let logger = self.logger
        let gate = self.fetchGate
        let timeout = configuration.stallTimeout
        let interval = min(max(timeout / 4, .milliseconds(10)), .seconds(1))
        logger.debug("fetching", metadata: ["url": "\(scrubUserInfo(in: mirror.url))"])

        return try await withThrowingTaskGroup(of: FetchOutcome?.self) { group in
            group.addTask {
                try await withCheckedThrowingContinuation { continuation in
                    context.install(continuation)
                    let thread = Thread {
                        let result = Result { () throws -> FetchOutcome in
                            let repository = recreate
                                ? try mirror.recreate(ledger: ledger, logger: logger)
                                : try mirror.open(ledger: ledger, logger: logger)
                            return try Mirror.blockingFetch(into: repository, context: context)
                        }
                        gate.leave()
                        context.finish(result)
                    }
                    thread.name = "mooring-git-fetch"
                    thread.stackSize = 8 << 20
                    thread.start()
                }
            }
            group.addTask {
                while !context.isFinished {
                    do {
                        try await Task.sleep(for: interval)
                    } catch {
                        context.abandon(with: CancellationError())
                        return nil
                    }
                    if context.abandonIfStalled(after: timeout) { return nil }
                }
                return nil
            }
            while let value = try await group.next() {
                if let value {
                    group.cancelAll()
                    return value
                }
            }
            throw GitError(code: .other, message: "fetch of \(mirror.url) ended without a result")
        }
    }
}
