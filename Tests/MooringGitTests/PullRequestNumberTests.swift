import MooringGit
import Testing

/// The pull request a commit names, as the audit trail records it.
struct PullRequestNumberTests {
    @Test(arguments: [
        ("Merge pull request #12 from team/iris", "", 12),
        ("Serve iris v2 (#13)", "", 13),
        ("Serve iris v2", "Serve iris v2\n\nPR: #14\n", 14),
        ("Serve iris v2", "Serve iris v2\n\nPull-Request: 15\n", 15),
        ("Merge branch 'iris' into 'main'", "Merge branch 'iris' into 'main'\n\nSee merge request ml/deploy!16", 16),
        ("Fix #17 in the runtime", "", nil),
        ("Plain commit", "Plain commit\n", nil),
    ] as [(String, String, Int?)])
    func pullRequestFromSubjectOrTrailer(subject: String, message: String, expected: Int?) {
        #expect(pullRequestNumber(subject: subject, message: message) == expected)
    }
}
