import Foundation
import MooringTesting
import Testing

/// The status page at `/` (docs/api.md): a real controller serves it, headless Chromium
/// renders it, and every deployment has its row; each name leads to a page with its
/// rollouts and events. Strings from Git are escaped, never markup.
@Suite(.timeLimit(.minutes(5)))
struct StatusPageTests {
    @Test func aBrowserShowsEveryDeploymentAndItsHistory() async throws {
        try await ControllerHarness.with(name: "status-page") { h in
            try h.repo.write("manifests/iris.yaml", ControllerHarness.deployment("iris", version: 1))
            try h.repo.write("manifests/wine.yaml", ControllerHarness.deployment("wine", version: 2))
            let subject = "deploy <script>alert(1)</script> & \"friends\""
            let first = try h.repo.commitAll(subject)
            try h.startController()
            #expect(try await h.waitUntilServing("iris", at: first), "\(h.controllerLog)")
            #expect(try await h.waitUntilServing("wine", at: first), "\(h.controllerLog)")
            let base = try await h.apiURL()

            // The HTML itself: a page, the subject escaped, no script from the commit.
            let page = try await h.api("GET", "/")
            #expect(page.status == 200, "\(page.text)")
            #expect(page.text.hasPrefix("<!DOCTYPE html>"))
            #expect(page.text.contains("deploy &lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;friends&quot;"))
            #expect(!page.text.contains("<script"))
            #expect(page.text.contains("<meta http-equiv=\"refresh\" content=\"5\">"))

            // Rendered by a browser: a screenshot of the window's size, with content in it.
            let browser = try HeadlessChromium(profiles: h.directory.url)
            let output = MooringBinary.packageRoot.appendingPathComponent(".build/test-output")
            try FileManager.default.createDirectory(at: output, withIntermediateDirectories: true)
            let screenshot = output.appendingPathComponent("status-page.png")
            if FileManager.default.fileExists(atPath: screenshot.path) {
                try FileManager.default.removeItem(at: screenshot)
            }
            try await browser.screenshot(base + "/", to: screenshot)
            let png = try Data(contentsOf: screenshot)
            let header = try PNGHeader(png)
            #expect(header.width == 1280 && header.height == 800, "\(header)")
            #expect(png.count > 10_000, "a 1280×800 page with two tables is more than a blank PNG: \(png.count) bytes")

            // Every deployment's row is in the DOM, coloured, and its name links to its page.
            let dom = try await browser.dumpDOM(base + "/")
            for name in ["iris", "wine"] {
                #expect(dom.contains("id=\"deployment-\(name)\""), "\(dom)")
                #expect(dom.contains("href=\"/deployments/\(name)\""))
            }
            #expect(dom.contains("<span class=\"badge green\">Synced</span>"))
            #expect(dom.contains("<span class=\"badge green\">Healthy</span>"))
            #expect(dom.contains(String(first.prefix(7))))
            #expect(!dom.contains("<script"))

            // The deployment's page: its status, its rollout, its events.
            let detail = try await browser.dumpDOM(base + "/deployments/iris")
            #expect(detail.contains("<h1>iris</h1>"), "\(detail)")
            #expect(detail.contains("id=\"rollouts\""))
            #expect(detail.contains("<span class=\"badge green\">Succeeded</span>"))
            #expect(detail.contains("id=\"events\""))
            let missing = try await h.api("GET", "/deployments/nope")
            #expect(missing.status == 404)
            #expect(missing.text.contains("no deployment named nope"))
        }
    }

    @Test func aDegradedDeploymentIsRedAndSaysWhy() async throws {
        try await ControllerHarness.with(name: "status-page-red") { h in
            try h.repo.write("manifests/iris.yaml", ControllerHarness.deployment("iris", version: 1))
            let first = try h.repo.commitAll("deploy iris v1")
            try h.startController()
            #expect(try await h.waitUntilServing("iris", at: first), "\(h.controllerLog)")
            // v2 with a health path the server never answers: the rollout fails, iris is Degraded.
            try h.repo.write("manifests/iris.yaml", ControllerHarness.deployment(
                "iris", version: 2, progressDeadlineSeconds: 6,
                extra: "  health: {http: {path: /never}, startupTimeoutSeconds: 60}"))
            _ = try await h.commit("iris: serve v2 (wrong health path)")
            #expect(try await h.waitForStatus { _ in try await h.deployment("iris")?["health"] as? String == "Degraded" },
                    "\(h.controllerLog)")
            let message = try #require(try await h.deployment("iris")?["message"] as? String)

            let page = try await h.api("GET", "/")
            #expect(page.text.contains("<span class=\"badge red\">Degraded</span>"), "\(page.text)")
            #expect(page.text.contains("<span class=\"badge yellow\">OutOfSync</span>"))
            #expect(page.text.contains(message.replacingOccurrences(of: "&", with: "&amp;")
                .replacingOccurrences(of: "<", with: "&lt;").replacingOccurrences(of: ">", with: "&gt;")
                .replacingOccurrences(of: "\"", with: "&quot;").replacingOccurrences(of: "'", with: "&#39;")))
        }
    }
}
