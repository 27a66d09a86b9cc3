import Foundation

/// A loopback HTTP server in front of `git http-backend` that demands HTTP Basic auth,
/// for testing credentials with a real Git smart-HTTP exchange.
///
/// It is a small Python (stdlib only) program started as a child process in its own
/// process group; `stop()` kills the group and reaps it. It listens on 127.0.0.1 on a port
/// the kernel picks, and records one line per request (`<auth> <method> <path>`, where
/// auth is `none`, `ok` or `bad`) so tests can count what reached it. Requests under
/// `/hang/` are accepted and never answered (for stall tests).
public final class GitHTTPServer: @unchecked Sendable {
    /// The port it listens on, on 127.0.0.1.
    public let port: Int
    /// `http://127.0.0.1:<port>`.
    public var baseURL: String { "http://127.0.0.1:\(port)" }
    private let process: Process
    private let workDirectory: TemporaryDirectory
    private let requestLog: URL
    private let lock = NSLock()
    private var stopped = false

    /// Serves the bare repositories under `projectRoot` (URL path `/<name>.git`), accepting
    /// only `username`/`password`.
    public init(projectRoot: URL, username: String, password: String) throws {
        let work = try TemporaryDirectory(prefix: "mooring-http")
        self.workDirectory = work
        let script = try work.write("server.py", Self.script)
        let portFile = work.appending("port")
        requestLog = work.appending("requests.log")
        _ = FileManager.default.createFile(atPath: requestLog.path, contents: nil)

        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [
            "python3", script.path, projectRoot.path, username, password, portFile.path, requestLog.path,
        ]
        process.environment = ProcessInfo.processInfo.environment.merging(GitFixture.environment) { $1 }
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = FileHandle.nullDevice
        let stderrHandle = try FileHandle(forWritingTo: work.write("stderr.log", ""))
        process.standardError = stderrHandle
        defer { try? stderrHandle.close() }  // The child has its own copy.
        try process.run()
        self.process = process

        let deadline = Date().addingTimeInterval(30)
        var port: Int?
        while Date() < deadline, process.isRunning {
            if let text = try? String(contentsOf: portFile, encoding: .utf8), text.hasSuffix("\n"),
               let value = Int(text.trimmingCharacters(in: .whitespacesAndNewlines)) {
                port = value
                break
            }
            usleep(20_000)
        }
        guard let port else {
            let stderr = (try? String(contentsOf: work.appending("stderr.log"), encoding: .utf8)) ?? ""
            Self.kill(process)
            work.remove()
            throw TestingError("git HTTP server did not start: \(stderr)")
        }
        self.port = port
    }

    /// The requests received so far: (auth, method, path).
    public func requests() -> [(auth: String, method: String, path: String)] {
        let text = (try? String(contentsOf: requestLog, encoding: .utf8)) ?? ""
        return text.split(separator: "\n").compactMap { line in
            let parts = line.split(separator: " ", maxSplits: 2).map(String.init)
            return parts.count == 3 ? (parts[0], parts[1], parts[2]) : nil
        }
    }

    /// Kills the server's process group and reaps it; safe to call more than once.
    public func stop() {
        let first = lock.withLock { () -> Bool in
            defer { stopped = true }
            return !stopped
        }
        guard first else { return }
        Self.kill(process)
        workDirectory.remove()
    }

    deinit { stop() }

    private static func kill(_ process: Process) {
        let pid = process.processIdentifier
        if pid > 0 {
            // The script puts itself in its own process group (os.setpgrp) first thing.
            _ = Foundation.kill(-pid, SIGKILL)
            _ = Foundation.kill(pid, SIGKILL)
        }
        process.waitUntilExit()
    }

    static let script = #"""
import base64, os, subprocess, sys, threading, time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

os.setpgrp()
root, user, password, port_file, log_file = sys.argv[1:6]
expected = "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()
log_lock = threading.Lock()

class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.0"

    def log_message(self, *args):
        pass

    def record(self, auth):
        with log_lock, open(log_file, "a") as f:
            f.write(f"{auth} {self.command} {self.path}\n")

    def read_body(self):
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            body = b""
            while True:
                size = int(self.rfile.readline().strip().split(b";")[0], 16)
                if size == 0:
                    self.rfile.readline()
                    return body
                body += self.rfile.read(size)
                self.rfile.readline()
        return self.rfile.read(int(self.headers.get("Content-Length", "0") or 0))

    def handle_any(self):
        if self.path.startswith("/hang/"):
            self.record("hang")
            while True:
                time.sleep(3600)
        auth = self.headers.get("Authorization")
        state = "none" if auth is None else ("ok" if auth == expected else "bad")
        self.record(state)
        if state != "ok":
            body = self.read_body()
            self.send_response(401)
            self.send_header("WWW-Authenticate", 'Basic realm="mooring-test"')
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        body = self.read_body()
        path, _, query = self.path.partition("?")
        env = dict(os.environ)
        env.update({
            "GIT_PROJECT_ROOT": root, "GIT_HTTP_EXPORT_ALL": "1", "PATH_INFO": path,
            "QUERY_STRING": query, "REQUEST_METHOD": self.command, "REMOTE_USER": user,
            "REMOTE_ADDR": "127.0.0.1", "CONTENT_TYPE": self.headers.get("Content-Type", ""),
            "CONTENT_LENGTH": str(len(body)), "GATEWAY_INTERFACE": "CGI/1.1",
        })
        if self.headers.get("Content-Encoding"):
            env["HTTP_CONTENT_ENCODING"] = self.headers["Content-Encoding"]
        if self.headers.get("Git-Protocol"):
            env["GIT_PROTOCOL"] = self.headers["Git-Protocol"]
        out = subprocess.run(["git", "http-backend"], input=body, env=env, capture_output=True).stdout
        sep = out.find(b"\r\n\r\n")
        head, rest = (out[:sep], out[sep + 4:]) if sep >= 0 else out.split(b"\n\n", 1) if b"\n\n" in out else (out, b"")
        status = 200
        headers = []
        for line in head.decode("latin-1").splitlines():
            if not line.strip():
                continue
            name, _, value = line.partition(":")
            if name.lower() == "status":
                status = int(value.strip().split()[0])
            else:
                headers.append((name, value.strip()))
        self.send_response(status)
        for name, value in headers:
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(rest)))
        self.end_headers()
        self.wfile.write(rest)

    do_GET = handle_any
    do_POST = handle_any

server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
server.daemon_threads = True
with open(port_file + ".tmp", "w") as f:
    f.write(f"{server.server_address[1]}\n")
os.rename(port_file + ".tmp", port_file)
server.serve_forever()
"""#
}
