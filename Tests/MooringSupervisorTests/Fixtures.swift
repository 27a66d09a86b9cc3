import Foundation

/// Small programs the tests run as replicas.
enum Fixtures {
    /// The real interpreter (not a pyenv shim), so the pid we spawn is the server itself.
    static let python = FileManager.default.isExecutableFile(atPath: "/usr/bin/python3") ? "/usr/bin/python3" : "python3"

    /// A stdlib-only HTTP server: `--port N` (or `$PORT`); `GET /healthz` answers 200, or
    /// 503 while the file named by `$UNHEALTHY_FILE` exists.
    static let healthServer = """
    import http.server, os, sys

    port = int(sys.argv[sys.argv.index("--port") + 1]) if "--port" in sys.argv else int(os.environ["PORT"])

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            if self.path == "/healthz":
                unhealthy = os.environ.get("UNHEALTHY_FILE")
                ok = not (unhealthy and os.path.exists(unhealthy))
                self.send_response(200 if ok else 503)
                self.end_headers()
                self.wfile.write(b"ok" if ok else b"unhealthy")
            else:
                self.send_response(404)
                self.end_headers()

        def log_message(self, *args):
            pass

    print(f"serving on {port} PORT={os.environ.get('PORT')}", flush=True)
    http.server.HTTPServer(("127.0.0.1", port), Handler).serve_forever()
    """
}
