import Foundation

/// Runs numbered work items on a bounded pool of threads and hands their results to `commit` strictly in item order.
///
/// Why: outputs are written by workers in whatever order they finish, but the manifest must list them in recipe order
/// (so that it is a prefix of the plan at every moment, which is what `--resume` relies on). Workers run at most
/// `window` items ahead of the oldest uncommitted one, so memory stays bounded whatever the dataset size.
///
/// Each worker thread owns a `State` made by `makeState` (decoders, encoders, hashers with reusable buffers).
/// The first error stops new work; items already committed stay committed, and the error is rethrown.
public struct OrderedExecutor: Sendable {
    public var jobs: Int
    public var window: Int

    public init(jobs: Int, window: Int? = nil) {
        precondition(jobs >= 1, "jobs must be >= 1, got \(jobs)")
        self.jobs = jobs
        self.window = window ?? max(64, jobs * 16)
    }

    public func run<State, Result>(
        range: Range<Int>,
        makeState: @escaping @Sendable () -> State,
        work: @escaping @Sendable (Int, State) throws -> Result,
        commit: @escaping @Sendable (Int, Result) throws -> Void
    ) throws {
        guard !range.isEmpty else { return }
        let shared = Shared<Result>(start: range.lowerBound, end: range.upperBound, window: window)
        let group = DispatchGroup()
        for w in 0..<min(jobs, range.count) {
            group.enter()
            let thread = Thread {
                defer { group.leave() }
                let state = makeState()
                while let i = shared.nextItem() {
                    do {
                        let result = try work(i, state)
                        try shared.finish(i, result, commit: commit)
                    } catch {
                        shared.fail(error)
                        return
                    }
                }
            }
            thread.name = "copia-worker-\(w)"
            thread.stackSize = 4 << 20
            thread.start()
        }
        group.wait()
        if let error = shared.error { throw error }
    }

    /// The state shared by the workers, guarded by one condition lock.
    private final class Shared<Result>: @unchecked Sendable {
        private let condition = NSCondition()
        private let commitLock = NSLock()
        private var next: Int
        private let end: Int
        private let window: Int
        private var committed: Int
        private var done: [Int: Result] = [:]
        private(set) var error: Error?

        init(start: Int, end: Int, window: Int) {
            next = start
            committed = start
            self.end = end
            self.window = window
        }

        func nextItem() -> Int? {
            condition.lock()
            defer { condition.unlock() }
            while error == nil, next < end, next >= committed + window { condition.wait() }
            guard error == nil, next < end else { return nil }
            defer { next += 1 }
            return next
        }

        func finish(_ i: Int, _ result: Result, commit: (Int, Result) throws -> Void) throws {
            condition.lock()
            done[i] = result
            condition.unlock()
            // One committer at a time; whoever holds the lock drains every ready item in order.
            commitLock.lock()
            defer { commitLock.unlock() }
            while true {
                condition.lock()
                let k = committed
                let ready = error == nil ? done.removeValue(forKey: k) : nil
                condition.unlock()
                guard let ready else { return }
                try commit(k, ready)
                condition.lock()
                committed += 1
                condition.broadcast()
                condition.unlock()
            }
        }

        func fail(_ e: Error) {
            condition.lock()
            if error == nil { error = e }
            condition.broadcast()
            condition.unlock()
        }
    }
}
