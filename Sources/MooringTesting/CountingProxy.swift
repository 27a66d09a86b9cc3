import Foundation

/// A loopback HTTP reverse proxy that forwards every request to `target` and counts them
/// by method and path (query left out): put it in front of a server whose traffic a test
/// must count, such as the MLflow registry a controller downloads from.
public final class CountingProxy: @unchecked Sendable {
    public let port: Int
    /// `http://127.0.0.1:<port>`.
    public var baseURL: String { "http://127.0.0.1:\(port)" }
    private let process: ManagedProcess
    private let work: TemporaryDirectory

    /// Starts the proxy in front of `target` (`http://HOST:PORT`).
    public init(target: String) throws {
        (work, process, port) = try startLoopbackPythonServer(script: Self.script, arguments: [target], name: "counting-proxy", what: "counting proxy")
    }

    /// How many requests each `METHOD /path` got so far.
    public func counts() async throws -> [String: Int] {
        let response = try await httpRequest("\(baseURL)/_counts", timeout: .seconds(10))
        return try response.jsonObject().compactMapValues { $0 as? Int }
    }

    /// Requests so far whose `METHOD /path` contains `fragment`.
    public func count(containing fragment: String) async throws -> Int {
        try await counts().filter { $0.key.contains(fragment) }.values.reduce(0, +)
    }

    /// Kills the proxy (also on deinit).
    public func stop() {
        _ = process.kill()
        work.remove()
    }

    deinit { stop() }

    static let script = #"""
import http.client, json, os, sys, threading, urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

target, port_file = urllib.parse.urlsplit(sys.argv[1]), sys.argv[2]
lock = threading.Lock()
counts = {}

class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def forward(self):
        if self.path == "/_counts":
            with lock:
                body = json.dumps(counts).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
            return
        key = f"{self.command} {self.path.split('?')[0]}"
        with lock:
            counts[key] = counts.get(key, 0) + 1
        length = int(self.headers.get("Content-Length", "0"))
        payload = self.rfile.read(length) if length else None
        headers = {k: v for k, v in self.headers.items() if k.lower() not in ("host", "connection", "content-length")}
        upstream = http.client.HTTPConnection(target.hostname, target.port, timeout=120)
        try:
            upstream.request(self.command, self.path, body=payload, headers=headers)
            answer = upstream.getresponse()
            body = answer.read()
        finally:
            upstream.close()
        self.send_response(answer.status)
        for name, value in answer.getheaders():
            if name.lower() not in ("transfer-encoding", "connection", "content-length"):
                self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = forward

server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
server.daemon_threads = True
with open(port_file + ".tmp", "w") as f:
    f.write(f"{server.server_address[1]}\n")
os.rename(port_file + ".tmp", port_file)
server.serve_forever()
"""#
}
