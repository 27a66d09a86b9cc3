import Foundation

/// A loopback HTTP file server for artifact tests: serves the files under `root` with
/// `Range` support and ETags, emulates the Hugging Face Hub's resolve and revision URLs
/// (files under `root/hf/ORG/REPO/COMMIT/`), and injects faults on request.
///
/// Faults are queued per URL path (`inject(_:at:)`) and each one is used by one request:
/// `drop` sends half the remaining body and closes the connection, `500`/`404`/`403`
/// answer that status, `wrong` sends every byte inverted, `slow` trickles 4 KiB every
/// 0.2 s, `pace` pauses 0.05 s after every 4 MiB (a 1 GiB file then takes about 13 s,
/// long enough to watch its progress). `stats(for:)` says how many requests and body bytes a path got.
public final class ArtifactServer: @unchecked Sendable {
    public let port: Int
    /// `http://127.0.0.1:<port>`.
    public var baseURL: String { "http://127.0.0.1:\(port)" }
    /// The directory it serves.
    public let root: URL
    /// The chunk the server writes at a time (a resumed download may repeat at most this).
    public static let chunkSize = 65_536
    private let process: ManagedProcess
    private let work: TemporaryDirectory

    public init(root: URL) throws {
        self.root = root
        (work, process, port) = try startLoopbackPythonServer(script: Self.script, arguments: [root.path], name: "artifact-server", what: "artifact server")
    }

    /// Queues `faults` for the next requests of `path` (such as `/models/iris.bin`).
    public func inject(_ faults: [String], at path: String) async throws {
        let body = try JSONSerialization.data(withJSONObject: [path: faults])
        let response = try await httpRequest("\(baseURL)/_faults", method: "POST", body: body, timeout: .seconds(10))
        guard response.status == 200 else { throw TestingError("cannot inject faults: HTTP \(response.status)") }
    }

    /// Requests and body bytes sent for `path` so far.
    public func stats(for path: String) async throws -> (requests: Int, bytes: Int) {
        let response = try await httpRequest("\(baseURL)/_stats", timeout: .seconds(10))
        let entry = try response.jsonObject()[path] as? [String: Any]
        return (entry?["requests"] as? Int ?? 0, entry?["bytes"] as? Int ?? 0)
    }

    /// Kills the server (also on deinit).
    public func stop() {
        _ = process.kill()
        work.remove()
    }

    deinit { stop() }

    static let script = #"""
import json, os, socket, sys, threading, time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

root, port_file = os.path.realpath(sys.argv[1]), sys.argv[2]
CHUNK = 65536
lock = threading.Lock()
faults, stats = {}, {}

class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def reply(self, status, body=b"{}"):
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def do_POST(self):
        body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", "0"))) or b"{}")
        if self.path == "/_faults":
            with lock:
                for path, queue in body.items():
                    faults.setdefault(path, []).extend(queue)
            return self.reply(200)
        self.reply(404)

    def do_HEAD(self):
        self.serve()

    def do_GET(self):
        if self.path == "/_stats":
            with lock:
                return self.reply(200, json.dumps(stats).encode())
        self.serve()

    def count(self, path, sent):
        with lock:
            stats[path]["bytes"] += sent

    def serve(self):
        path = self.path.split("?")[0]
        parts = path.strip("/").split("/")
        with lock:
            stats.setdefault(path, {"requests": 0, "bytes": 0})["requests"] += 1
            queue = faults.get(path, [])
            fault = queue.pop(0) if queue else None
        if fault in ("404", "403", "500"):
            return self.reply(int(fault))
        if len(parts) == 6 and parts[:2] == ["api", "models"] and parts[4] == "revision":
            base = os.path.join(root, "hf", parts[2], parts[3], parts[5])
            if not os.path.isdir(base):
                return self.reply(404, b'{"error": "Revision Not Found"}')
            files = sorted(os.path.relpath(os.path.join(d, f), base) for d, _, fs in os.walk(base) for f in fs)
            return self.reply(200, json.dumps({"sha": parts[5], "siblings": [{"rfilename": f} for f in files]}).encode())
        if len(parts) >= 5 and parts[2] == "resolve":
            relative = os.path.join("hf", parts[0], parts[1], parts[3], *parts[4:])
        else:
            relative = path.lstrip("/")
        full = os.path.realpath(os.path.join(root, relative))
        if not full.startswith(root + "/") or not os.path.isfile(full):
            return self.reply(404)
        size = os.path.getsize(full)
        start = 0
        requested = self.headers.get("Range", "")
        if requested.startswith("bytes=") and requested.endswith("-"):
            start = int(requested[6:-1])
            if start >= size:
                self.send_response(416)
                self.send_header("Content-Range", f"bytes */{size}")
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            self.send_response(206)
            self.send_header("Content-Range", f"bytes {start}-{size - 1}/{size}")
        else:
            self.send_response(200)
        self.send_header("Content-Length", str(size - start))
        self.send_header("ETag", '"%x-%x"' % (size, int(os.path.getmtime(full))))
        self.send_header("Accept-Ranges", "bytes")
        self.end_headers()
        if self.command == "HEAD":
            return
        limit = (size - start) // 2 if fault == "drop" else None
        sent = 0
        with open(full, "rb") as f:
            f.seek(start)
            while True:
                chunk = f.read(4096 if fault == "slow" else CHUNK)
                if not chunk:
                    break
                if fault == "wrong":
                    chunk = bytes(b ^ 0xFF for b in chunk)
                if limit is not None and sent + len(chunk) >= limit:
                    chunk = chunk[: limit - sent]
                try:
                    self.wfile.write(chunk)
                    self.wfile.flush()
                except OSError:
                    self.count(path, sent)
                    self.close_connection = True
                    return
                sent += len(chunk)
                if limit is not None and sent >= limit:
                    break
                if fault == "slow":
                    time.sleep(0.2)
                if fault == "pace" and sent % (64 * CHUNK) == 0:
                    time.sleep(0.05)
        self.count(path, sent)
        if limit is not None:
            self.close_connection = True
            self.connection.shutdown(socket.SHUT_RDWR)

server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
server.daemon_threads = True
with open(port_file + ".tmp", "w") as f:
    f.write(f"{server.server_address[1]}\n")
os.rename(port_file + ".tmp", port_file)
server.serve_forever()
"""#
}
