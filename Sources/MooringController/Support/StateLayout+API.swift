import Foundation
import MooringFileSafety

extension StateLayout {
    /// `api`: the address the running controller's HTTP API listens on (`0600`), so
    /// commands find it. Written when the server is up, removed when it stops.
    public var apiAddress: URL { root.appendingPathComponent("api") }

    /// The API's base URL recorded by the running controller (`http://127.0.0.1:7420`),
    /// or nil when none is recorded. The file is read without following a link and must
    /// be the user's own, like every file in the state directory.
    public func recordedAPIAddress() throws -> String? {
        let path = apiAddress.path
        let descriptor: Int32
        do {
            descriptor = try OwnedFiles.open(path, flags: O_RDONLY)
        } catch let error as UnsafePathError where error.code == .missing {
            return nil
        }
        let handle = FileHandle(fileDescriptor: descriptor, closeOnDealloc: true)
        let data = try handle.read(upToCount: 4096) ?? Data()
        let text = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        return text.isEmpty ? nil : text
    }
}
