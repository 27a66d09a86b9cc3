import Foundation
import MooringTesting
import Testing

/// Help that teaches: `mooring` alone prints the three flows; every command's `--help`
/// shows an example of itself.
@Suite struct HelpTests {
    static let commands: [[String]] = [
        ["run"], ["status"], ["plan"], ["validate"], ["config", "validate"], ["history"], ["events"],
        ["logs"], ["sync"], ["suspend"], ["resume"], ["down"], ["version"],
    ]

    @Test func noArgumentsPrintsTheThreeFlowsInFiveLines() async throws {
        let result = try await MooringBinary.runAsync([], in: URL(fileURLWithPath: NSTemporaryDirectory()))
        #expect(result.status == 0, "\(result.output)")
        let lines = result.stdout.split(separator: "\n")
        #expect(lines.count == 5, "\(result.stdout)")
        #expect(result.stdout.contains("deploy:") && result.stdout.contains("roll back:") && result.stdout.contains("git revert -m 1"))
    }

    @Test(arguments: commands)
    func helpHasAnExampleOfTheCommand(_ command: [String]) async throws {
        let result = try await MooringBinary.runAsync(command + ["--help"], in: URL(fileURLWithPath: NSTemporaryDirectory()))
        #expect(result.status == 0, "\(result.output)")
        #expect(result.stdout.contains("Example"), "\(result.stdout)")
        #expect(result.stdout.contains("mooring \(command.joined(separator: " "))"), "an example must use the command itself:\n\(result.stdout)")
    }
}
