import Foundation
import MooringGit
import Testing

@Suite struct ParsingTests {
    @Test(arguments: [
        ("/srv/manifests", false),
        ("./manifests-repo", false),
        (".", false),
        ("relative/dir:with-colon", false),
        ("file:///srv/manifests.git", true),
        ("https://github.com/acme/models.git", true),
        ("ssh://git@github.com:22/acme/models.git", true),
        ("git@github.com:acme/models.git", true),
    ])
    func decidesLocalOrRemoteFromWhatTheUserTyped(_ text: String, _ isRemote: Bool) {
        let location = MooringGit.SourceLocation(parsing: text)
        #expect(location == (isRemote ? .remote(url: text) : .localPath(text)))
    }

    @Test(arguments: [
        ("fetch https://alice:tok3n@example.com/r.git failed", "fetch https://***@example.com/r.git failed"),
        ("https://tok3n@example.com/r.git", "https://***@example.com/r.git"),
        ("https://example.com/r.git", "https://example.com/r.git"),
        ("a http://u:p@h/x and ssh://me:pw@h:22/y", "a http://***@h/x and ssh://***@h:22/y"),
        ("no url here", "no url here"),
    ])
    func scrubsUserInfoFromURLs(_ text: String, _ expected: String) {
        #expect(scrubUserInfo(in: text) == expected)
    }

    @Test func errorsScrubTheirMessagesAndNameTheirFunction() {
        let error = GitError(
            code: .unreachable, message: "cannot reach https://bob:pw123@example.com/x.git", function: "git_remote_fetch",
            isRetryable: true)
        #expect(!error.description.contains("pw123"))
        #expect(error.description == "cannot reach https://***@example.com/x.git [git_remote_fetch]")
        #expect(error.code == .unreachable)
        #expect(error.code != .stalled)
    }

    @Test func objectIDsAcceptOnlyFullSHAs() {
        let id = ObjectID(hex: "ABCDEF0123456789abcdef0123456789ABCDEF01")
        #expect(id?.hex == "abcdef0123456789abcdef0123456789abcdef01")
        #expect(id?.short == "abcdef0")
        #expect(ObjectID(hex: "abcdef0") == nil)
        #expect(ObjectID(hex: String(repeating: "g", count: 40)) == nil)
    }
}
