import Foundation
import MooringSupervisor
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// The log stamper puts a timestamp on every line, writes only whole lines, ends a
/// partial last line, and ends itself at end of file.
struct LogStamperTests {
    @Test func everyLineGetsTheTimeItsFirstByteArrived() throws {
        var input: [Int32] = [-1, -1]
        var output: [Int32] = [-1, -1]
        #expect(pipe(&input) == 0 && pipe(&output) == 0)
        let text = "first line\nsecond\n\nno newline at the end"
        let bytes = Array(text.utf8)
        #expect(bytes.withUnsafeBytes { write(input[1], $0.baseAddress, $0.count) } == bytes.count)
        close(input[1])
        let time = Date(timeIntervalSince1970: 1_795_000_000.125)
        LogStamper.run(input: input[0], output: output[1], now: { time })
        close(input[0])
        close(output[1])
        let handle = FileHandle(fileDescriptor: output[0], closeOnDealloc: true)
        let stamped = String(decoding: try handle.readToEnd() ?? Data(), as: UTF8.self)
        let stamp = ReplicaLogMarker.timestamp(time)
        #expect(stamp == "2026-11-18T11:06:40.125Z")
        #expect(stamped == "\(stamp) first line\n\(stamp) second\n\(stamp) \n\(stamp) no newline at the end\n")
    }
}
