import CopiaCore
import Foundation
import Testing

@Suite struct OrderedExecutorTests {
    final class Log: @unchecked Sendable {
        let lock = NSLock()
        var items: [Int] = []
        func add(_ i: Int) { lock.withLock { items.append(i) } }
    }

    @Test(arguments: [1, 2, 4, 8])
    func commitsInItemOrderWhateverTheFinishingOrder(jobs: Int) throws {
        let log = Log()
        try OrderedExecutor(jobs: jobs, window: 8).run(range: 0..<300, makeState: { () }) { i, _ in
            if i % 7 == 0 { usleep(200) }
            return i * 2
        } commit: { i, result in
            #expect(result == i * 2)
            log.add(i)
        }
        #expect(log.items == Array(0..<300))
    }

    struct Boom: Error, Equatable { var at: Int }

    @Test func theFirstFailureStopsTheRunAndCommittedItemsFormAPrefix() {
        let log = Log()
        #expect(throws: Boom(at: 50)) {
            try OrderedExecutor(jobs: 2, window: 4).run(range: 0..<1000, makeState: { () }) { i, _ in
                if i == 50 { throw Boom(at: 50) }
                return i
            } commit: { i, _ in log.add(i) }
        }
        #expect(log.items == Array(0..<log.items.count))
        #expect(log.items.count <= 50)
    }

    @Test func emptyRangeDoesNothing() throws {
        try OrderedExecutor(jobs: 2).run(range: 0..<0, makeState: { () }) { i, _ in i } commit: { _, _ in Issue.record("no commit expected") }
    }
}
