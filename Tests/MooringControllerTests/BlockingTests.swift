import Foundation
import Testing
@testable import MooringController

@Suite struct BlockingTests {
    @Test func workPastItsDeadlineIsGivenUpOnNotAwaited() async throws {
        let result = try await Blocking.run(deadline: .milliseconds(100)) { () -> Int in
            Thread.sleep(forTimeInterval: 3)
            return 1
        }
        #expect(result == nil)
    }

    @Test func workWithinItsDeadlineReturnsItsResult() async throws {
        let result = try await Blocking.run(deadline: .seconds(60)) { 42 }
        #expect(result == 42)
    }
}
