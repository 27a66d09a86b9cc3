import Foundation
import MooringSupervisor
import MooringTesting
import Testing

@Suite struct PortAllocationTests {
    /// A listening socket on 127.0.0.1:port, closed by `close()`.
    struct Listener {
        let fd: Int32
        init?(port: Int) {
            fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_port = in_port_t(UInt16(port).bigEndian)
            address.sin_addr.s_addr = inet_addr("127.0.0.1")
            let bound = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
                }
            }
            guard bound == 0, listen(fd, 1) == 0 else {
                Glibc.close(fd)
                return nil
            }
        }
        func close() { Glibc.close(fd) }
    }

    @Test func aBusyPortIsSkippedAndNoPortIsHandedOutTwice() async throws {
        // Find two adjacent ports we can hold; another test could race us, so retry a few.
        var found: (Listener, Int)?
        for _ in 0..<50 {
            let port = Int.random(in: 26000...26998)  // clear of every test run's own slice (TestRun.nextPortSlice)
            if let listener = Listener(port: port) {
                if Listener(port: port + 1).map({ $0.close(); return true }) == true {
                    found = (listener, port)
                    break
                }
                listener.close()
            }
        }
        let (listener, busy) = try #require(found)
        defer { listener.close() }

        let run = try TestRun(portRange: busy...(busy + 1))
        let port = try await run.supervisor.allocatePort()
        #expect(port == busy + 1)
        // The range is exhausted: a typed, waiting error the controller retries.
        let error = await #expect(throws: SupervisorError.self) { _ = try await run.supervisor.allocatePort() }
        #expect(error?.code == .noFreePort)
        #expect(error?.isWaiting == true)
        #expect(error?.message.contains("waiting") == true)
        await run.supervisor.releasePort(port)
        #expect(try await run.supervisor.allocatePort() == busy + 1)
        await run.cleanUp()
    }

    @Test func aPortInTimeWaitIsHandedOut() async throws {
        // A port whose only socket is a connection in TIME_WAIT, as a replica leaves behind
        // after answering probes and being stopped; another test could race us, so retry.
        var found: Int?
        var seen: [String] = []
        for _ in 0..<20 {
            let port = Int.random(in: 26000...26998)
            guard Loopback.leaveTimeWait(on: port) else { continue }
            // The last FIN crosses loopback asynchronously: wait until only TIME_WAIT is left.
            if await waitUntil(timeout: .seconds(5), interval: .milliseconds(10), {
                seen = Loopback.states(of: port)
                return !seen.isEmpty && seen.allSatisfy { $0 == "06" }
            }) {
                found = port
                break
            }
        }
        let port = try #require(found, "could not leave a connection in TIME_WAIT on any port (last seen: \(seen))")

        let run = try TestRun(portRange: port...port)
        #expect(try await run.supervisor.allocatePort() == port)
        // …and a server can indeed listen there.
        #expect(Loopback.serverCouldListen(on: port))
        await run.cleanUp()
    }

    @Test func onlyAPortShortageIsAWaitingError() {
        #expect(!SupervisorError(.executableNotFound, "x").isWaiting)
        #expect(SupervisorError(.noFreePort, "x").isWaiting)
    }
}
