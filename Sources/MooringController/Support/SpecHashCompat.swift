import MooringManifests

// Until versioned spec hashes land in MooringManifests: version 1 is today's hash.
extension ResolvedDeployment {
    static var specHashVersion: Int { 1 }
    func specHash(version: Int) -> String { specHash }
}
