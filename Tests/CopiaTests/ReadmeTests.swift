import CopiaTestSupport
import Foundation
import Testing

@testable import Copia

/// The README's library snippet, compiled and run here. The test also checks that the README shows exactly this code,
/// so the front door cannot drift from the API.
@Suite struct ReadmeTests {
    static let snippet = """
        let pipeline = try Pipeline.load("Pipelines/digits.json")
        let summary = try pipeline.run(RunOptions(out: "out/digits", jobs: 2, overwrite: true))
        print(summary.after)                        // training samples per class, now all equal
        let report = try Verifier.verify("out/digits")
        print(report.ok ? "all \\(report.checked) outputs verified" : report.problems.joined(separator: "\\n"))
        """

    @Test func readmeShowsTheSnippetThisTestRuns() throws {
        let readme = String(decoding: try FileIO.read(TestSupport.repo("README.md")), as: UTF8.self)
        #expect(readme.contains("```swift\nimport Copia\n\n" + Self.snippet + "\n```"))
    }

    @Test func readmeSnippetRunsFromTheRepositoryRoot() throws {
        let previous = FileManager.default.currentDirectoryPath
        #expect(FileManager.default.changeCurrentDirectoryPath(TestSupport.repositoryRoot))
        defer { _ = FileManager.default.changeCurrentDirectoryPath(previous) }
        // The snippet, verbatim:
        let pipeline = try Pipeline.load("Pipelines/digits.json")
        let summary = try pipeline.run(RunOptions(out: "out/digits", jobs: 2, overwrite: true))
        print(summary.after)                        // training samples per class, now all equal
        let report = try Verifier.verify("out/digits")
        print(report.ok ? "all \(report.checked) outputs verified" : report.problems.joined(separator: "\n"))
        // What it promises:
        #expect(Set(summary.after.values).count == 1)
        #expect(report.ok)
    }
}
