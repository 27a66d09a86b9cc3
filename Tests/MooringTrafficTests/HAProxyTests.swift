import Foundation
import MooringTesting
import MooringTraffic
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// The configuration HAProxy is given, the runtime commands that change it, and a real
/// HAProxy 2.6 taking both (loopback only; the process is killed whatever happens).
@Suite struct HAProxyTests {
    static func backend(port: Int, servers: [TrafficServer]) -> TrafficBackend {
        TrafficBackend(name: "iris", address: "127.0.0.1", port: port, mode: .http, checkPath: "/healthz",
                       checkIntervalSeconds: 1, checkFall: 3, checkRise: 1, servers: servers)
    }

    @Test func runtimeCommandsTakeABackendToItsWantedState() {
        let want = Self.backend(port: 8080, servers: [
            TrafficServer(name: "g2-0", port: 20002, state: .ready),
            TrafficServer(name: "g1-0", port: 20001, state: .drain),
        ])
        let csv = """
            # pxname,svname,qcur,scur,stot,status,weight,hrsp_2xx,hrsp_5xx,econ,eresp,rtime
            fe_iris,FRONTEND,,3,10,OPEN,,9,1,,,
            be_iris,g1-0,0,2,10,UP,100,9,1,0,0,4
            be_iris,g0-0,0,0,10,UP,100,9,1,0,0,4
            be_iris,BACKEND,0,2,10,UP,100,9,1,0,0,4
            """
        let rows = ServerStats.parse(csv)
        #expect(rows.count == 4)
        #expect(rows[1].currentSessions == 2 && rows[1].status == "UP" && rows[1].responses5xx == 1)
        // Every status class counts as a response (what a canary step's requests are).
        #expect(rows[1].responses == 10)
        let classes = ServerStats.parse("""
            # pxname,svname,status,weight,hrsp_1xx,hrsp_2xx,hrsp_3xx,hrsp_4xx,hrsp_5xx,hrsp_other,econ,eresp,rtime
            be_iris,g2-0,UP,51,1,70,2,3,20,4,5,6,12
            """)
        #expect(classes.first?.responses == 100 && classes.first?.connectionErrors == 5 && classes.first?.responseErrors == 6)
        #expect(classes.first?.weight == 51 && classes.first?.responseTimeMillis == 12)
        #expect(RuntimeCommands.plan(want, current: rows) == [
            "set server be_iris/g1-0 state drain",
            "add server be_iris/g2-0 127.0.0.1:20002 check inter 1s fall 3 rise 1 weight 100",
            "enable health be_iris/g2-0",
            "set server be_iris/g2-0 state ready",
            "set server be_iris/g0-0 state maint",
            "del server be_iris/g0-0",
        ])
        // Already there: nothing to do.
        let settled = ServerStats.parse("""
            # pxname,svname,qcur,scur,status,weight
            be_iris,g1-0,0,0,DRAIN,0
            be_iris,g2-0,0,0,UP,100
            """)
        #expect(RuntimeCommands.plan(want, current: settled).isEmpty)
    }

    /// A canary step's numbers are read only once HAProxy carries its split: every `ready`
    /// server present, ready and at its weight (draining ones do not matter).
    @Test func aSplitIsCarriedOnlyOnceEveryReadyServerHasItsWeight() {
        let want = Self.backend(port: 8080, servers: [
            TrafficServer(name: "g1-0", port: 20001, state: .ready, weight: 128),
            TrafficServer(name: "g2-0", port: 20002, state: .ready, weight: 128),
            TrafficServer(name: "g0-0", port: 20000, state: .drain),
        ])
        let before = ServerStats.parse("""
            # pxname,svname,status,weight
            be_iris,g0-0,DRAIN,0
            be_iris,g1-0,UP,256
            be_iris,g2-0,UP,0
            """)
        #expect(RuntimeCommands.notYetCarried(want, current: before) == ["g1-0", "g2-0"])
        let missing = ServerStats.parse("""
            # pxname,svname,status,weight
            be_iris,g1-0,UP,128
            be_other,g2-0,UP,128
            """)
        #expect(RuntimeCommands.notYetCarried(want, current: missing) == ["g2-0"])
        let inMaintenance = ServerStats.parse("""
            # pxname,svname,status,weight
            be_iris,g1-0,UP,128
            be_iris,g2-0,MAINT,128
            """)
        #expect(RuntimeCommands.notYetCarried(want, current: inMaintenance) == ["g2-0"])
        let carried = ServerStats.parse("""
            # pxname,svname,status,weight
            be_iris,g0-0,DRAIN,0
            be_iris,g1-0,UP,128
            be_iris,g2-0,DOWN,128
            """)
        #expect(RuntimeCommands.notYetCarried(want, current: carried).isEmpty)
    }

    @Test func haproxyAcceptsTheConfigurationAndTheRuntimeCommands() async throws {
        let haproxy = try #require(["/usr/sbin/haproxy", "/usr/bin/haproxy"].first { FileManager.default.isExecutableFile(atPath: $0) },
                                   "HAProxy is not installed: run scripts/install-deps.sh")
        let directory = try TemporaryDirectory(prefix: "mooring-haproxy")
        defer { directory.remove() }
        let socket = directory.appending("h.sock").path
        let frontend = Int(try freeLoopbackPort())
        let server = try ManagedProcess(executable: "python3", arguments: ["-u", "-m", "http.server", "--bind", "127.0.0.1", "0"],
                                        outputDirectory: directory.url, name: "backend")
        defer { _ = server.kill() }
        // http.server prints its port once it listens.
        var port = 0
        _ = await waitUntil(timeout: .seconds(20)) {
            if let match = server.stdout.firstMatch(of: /port (\d+)/) { port = Int(match.1) ?? 0 }
            return port > 0
        }
        #expect(port > 0, "\(server.stderr)")

        let start = Self.backend(port: frontend, servers: [TrafficServer(name: "g1-0", port: port, state: .maint)])
        let config = directory.appending("haproxy.cfg")
        try Data(HAProxyConfig.render([start], socketPath: socket).utf8).write(to: config)
        let check = try ManagedProcess(executable: haproxy, arguments: ["-c", "-f", config.path], outputDirectory: directory.url, name: "check")
        let status = await check.waitForExit(timeout: .seconds(20))
        #expect(status == .exited(0), "haproxy -c: \(check.stdout) \(check.stderr)")

        let proxy = try ManagedProcess(executable: haproxy, arguments: ["-W", "-db", "-f", config.path], outputDirectory: directory.url, name: "haproxy")
        defer { _ = proxy.kill() }
        let runtime = HAProxyRuntime(socketPath: socket)
        func rows() -> [ServerStats] {
            do { return try runtime.stats() } catch { return [] }
        }
        #expect(await waitUntil(timeout: .seconds(20)) { rows().contains { $0.server == "g1-0" } }, "\(proxy.stderr)")
        #expect(RuntimeCommands.state(of: try #require(rows().first { $0.server == "g1-0" })) == .maint)

        // A second server added at run time, the first set ready, then drained.
        let want = Self.backend(port: frontend, servers: [
            TrafficServer(name: "g1-0", port: port, state: .ready),
            TrafficServer(name: "g2-0", port: port, state: .ready, weight: 50),
        ])
        for command in RuntimeCommands.plan(want, current: rows()) { try runtime.change(command) }
        #expect(await waitUntil(timeout: .seconds(20)) { RuntimeCommands.plan(want, current: rows()).isEmpty },
                "\(RuntimeCommands.plan(want, current: rows()))")
        // http.server answers 404 on /healthz: HAProxy's own check takes both out of rotation.
        #expect(await waitUntil(timeout: .seconds(20)) { rows().filter { $0.server.hasPrefix("g") }.allSatisfy { $0.status.hasPrefix("DOWN") } },
                "\(rows())")
        let drained = Self.backend(port: frontend, servers: [TrafficServer(name: "g2-0", port: port, state: .drain)])
        for command in RuntimeCommands.plan(drained, current: rows()) { try runtime.change(command) }
        let after = rows().filter { $0.proxy == "be_iris" && $0.isServer }
        #expect(after.map(\.server) == ["g2-0"], "\(after)")
        #expect(after.first.map(RuntimeCommands.state(of:)) == .drain, "\(after)")
        #expect(after.first?.isIdle == true)
        #expect(throws: HAProxyRuntime.Failure.self) { try runtime.change("set server be_iris/nope state ready") }
    }
}
