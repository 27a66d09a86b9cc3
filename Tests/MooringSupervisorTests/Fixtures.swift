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

    /// A replica that starts a daemon the classic way — fork, `setsid()`, fork again — so
    /// the daemon is in a session and process group of its own. The daemon ignores SIGTERM,
    /// writes its pid to `argv[1]`, and with `--clear-env` replaces itself by `sleep` with
    /// an empty environment (no marker left to find it by). The replica prints
    /// "daemon started" and waits, or with `--exit` exits 0 at once.
    static let daemonizer = """
    import os, signal, sys, time

    pidfile = sys.argv[1]
    pid = os.fork()
    if pid == 0:
        os.setsid()
        if os.fork() == 0:
            signal.signal(signal.SIGTERM, signal.SIG_IGN)
            with open(pidfile + ".tmp", "w") as f:
                f.write(str(os.getpid()))
            os.rename(pidfile + ".tmp", pidfile)
            if "--clear-env" in sys.argv:
                os.execve("/bin/sleep", ["sleep", "300"], {})
            while True:
                time.sleep(1)
        os._exit(0)
    os.waitpid(pid, 0)
    # The daemon is left behind only once it is really there (its pid file written).
    deadline = time.time() + 30
    while not os.path.exists(pidfile) and time.time() < deadline:
        time.sleep(0.02)
    print("daemon started", flush=True)
    if "--exit" in sys.argv:
        # Exit once the test has seen the daemon (it creates PIDFILE.go), leaving it behind.
        deadline = time.time() + 60
        while not os.path.exists(pidfile + ".go") and time.time() < deadline:
            time.sleep(0.02)
        sys.exit(0)
    while True:
        time.sleep(1)
    """
}
