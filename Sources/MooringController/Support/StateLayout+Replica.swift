import Foundation

extension StateLayout {
    /// `scratch/`: the replicas' writable directories.
    public var scratch: URL { root.appendingPathComponent("scratch") }

    /// `scratch/<deployment>/<generation>/<replica>/`: one replica's `{{scratch.dir}}`,
    /// kept across restarts of its process, removed when the replica is stopped for good.
    public func scratchDirectory(deployment: String, generation: String, replica: Int) -> URL {
        scratch.appendingPathComponent(deployment).appendingPathComponent(generation.isEmpty ? "_" : generation)
            .appendingPathComponent(String(replica))
    }

    /// `logs/<deployment>/<generation>/<replica>.log`: the log of one replica of one
    /// generation, so the old and the new replica 0 of a rollout never share a file.
    public func logFile(deployment: String, generation: String, replica: Int) -> URL {
        guard !generation.isEmpty else { return logFile(deployment: deployment, replica: replica) }
        return logs.appendingPathComponent(deployment).appendingPathComponent(generation)
            .appendingPathComponent("\(replica).log")
    }
}
