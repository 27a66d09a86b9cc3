import Foundation
import Hummingbird
import Logging
import MooringController
import MooringFileSafety
import MooringStore
import NIOCore
import ServiceLifecycle

/// The controller's HTTP API (docs/api.md, docs/openapi.json): one more `Service` in
/// `mooring run`'s group, after the controller. When it is listening it records its
/// address in `<state>/api` (`0600`) so commands find it, and removes the file when it stops.
public struct APIServer: Service {
    let configuration: APIConfiguration
    let controller: any ControllerAPI
    let logger: Logger

    public init(configuration: APIConfiguration, controller: any ControllerAPI, logger: Logger) {
        self.configuration = configuration
        self.controller = controller
        self.logger = logger
    }

    public func run() async throws {
        try configuration.validate()
        let layout = configuration.layout
        let listen = configuration.listen
        let logger = self.logger
        let router = Router(context: BasicRequestContext.self)
        router.add(middleware: JSONErrorMiddleware())
        if let token = configuration.token {
            router.add(middleware: BearerTokenMiddleware(token: token))
        }
        let coalescer = WebhookCoalescer()
        let routes = APIRoutes(configuration: configuration, controller: controller, logger: logger, coalescer: coalescer)
        routes.register(on: router)
        let address: BindAddress
        if let socketPath = listen.socketPath {
            try UnixSocketFile.prepare(socketPath)
            address = .unixDomainSocket(path: socketPath)
        } else {
            address = .hostname(listen.host, port: listen.port)
        }
        let app = Application(
            router: router,
            configuration: ApplicationConfiguration(address: address, serverName: nil),
            onServerRunning: { channel in
                let port = channel.localAddress?.port ?? listen.port
                let url = listen.url(port: port)
                do {
                    if let socketPath = listen.socketPath { try UnixSocketFile.restrict(socketPath) }
                    try Self.record(url, at: layout)
                    logger.info("API listening on \(url)\(configuration.token == nil ? " (loopback, no token)" : " (bearer token required)")")
                } catch {
                    logger.error("API listening on \(url), but cannot record it in \(layout.apiAddress.path): \(error); commands will not find it — check the state directory's permissions")
                }
            },
            logger: logger)
        defer {
            Self.forget(at: layout, logger: logger)
            if let socketPath = listen.socketPath { unlink(socketPath) }
        }
        let controller = self.controller
        do {
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { await coalescer.run { controller.requestSync() } }
                group.addTask { try await app.run() }
                // The server ends (graceful shutdown or a failure): so does the coalescer.
                defer { group.cancelAll() }
                for try await _ in group { return }
            }
        } catch let error as IOError {
            throw ControllerError(.configuration, "cannot listen on \(listen) for the API: \(error); choose another with --listen ADDR:PORT or --listen /PATH")
        }
    }

    /// Removes `<state>/api` when the server stops, so commands do not try a dead address.
    static func forget(at layout: StateLayout, logger: Logger) {
        if unlink(layout.apiAddress.path) != 0 && errno != ENOENT {
            logger.debug("cannot remove \(layout.apiAddress.path): \(String(cString: strerror(errno))); commands will find no API there anyway")
        }
    }

    /// Writes `url` to `<state>/api`, `0600`, without following a link.
    static func record(_ url: String, at layout: StateLayout) throws {
        let descriptor = try OwnedFiles.open(layout.apiAddress.path, flags: O_WRONLY | O_CREAT | O_TRUNC)
        let handle = FileHandle(fileDescriptor: descriptor, closeOnDealloc: true)
        try handle.write(contentsOf: Data((url + "\n").utf8))
    }
}

extension APIServer: CustomStringConvertible {
    /// Names the address, never the secrets (service-lifecycle logs this).
    public var description: String { "APIServer(\(configuration))" }
}
