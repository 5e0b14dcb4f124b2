/// One planned output, in 16 bytes: which training sample, which copy, made how. Everything else about it (its path,
/// its ops with their sampled parameters) is a pure function of this and the spec, derived when a worker needs it,
/// so the plan of a 20,000-image run stays a few hundred kilobytes.
struct PlannedOutput: Sendable {
    enum Kind: UInt8, Sendable {
        /// The source file, copied byte for byte.
        case original
        /// One of the augment stage's `copies`.
        case augmentCopy
        /// A balance stage fill.
        case balanceFill
        /// A balance stage fill decoded by the generate stage's model (`source` is any training sample of the class,
        /// `copy` numbers the class's generated images).
        case generated
    }

    var source: Int32
    var copy: Int32
    var kind: Kind
    var split: Split
}

/// The plan of an image run: every output, in order, with every random choice determined by its key.
///
/// Order of outputs: splits (train, validation, test), then classes, then within a class the originals (sorted by
/// id), the augment stage's copies, and the balance stage's fill.
struct ImagePlan: Sendable {
    let outputs: [PlannedOutput]
    let classes: [String]
    let trainCountsBefore: [String: Int]
    let trainCountsAfter: [String: Int]
    let splitCounts: [Split: [String: Int]]

    let index: SampleIndex
    let facts: [InputFacts]
    /// Each sample's output file name without extension, unique within its class.
    let stems: [String]
    let ops: [ImageOp]
    let seed: UInt64
    let format: ImageFormat
    /// Training samples per class (indices, sorted by id), from which mixing ops draw partners.
    let trainMembers: [String: [Int]]
    /// The generate stage's name, when balance fills with generated images.
    let generatorName: String?

    var count: Int { outputs.count }

    /// The relative output path of output `k`.
    func outputPath(_ k: Int) -> String {
        let o = outputs[k]
        let i = Int(o.source)
        let sample = index.samples[i]
        switch o.kind {
        case .original:
            return "\(o.split.rawValue)/\(sample.label)/\(stems[i]).\(originalExtension(i))"
        case .generated:
            let n = String(o.copy + 1)
            return "train/\(sample.label)/generated_\(String(repeating: "0", count: max(0, 4 - n.count)))\(n).\(format.fileExtension)"
        case .augmentCopy, .balanceFill:
            let tag = o.kind == .augmentCopy ? "aug" : "bal"
            let n = String(o.copy)
            return "train/\(sample.label)/\(stems[i])_\(tag)\(String(repeating: "0", count: max(0, 3 - n.count)))\(n).\(format.fileExtension)"
        }
    }

    /// The full recipe of output `k`: resolves its ops from its random key (the same key always gives the same ops).
    func recipe(_ k: Int) -> ImageRecipe {
        let o = outputs[k]
        let i = Int(o.source)
        let sample = index.samples[i]
        switch o.kind {
        case .original:
            return ImageRecipe(outputPath: outputPath(k), label: sample.label, split: o.split, origin: .original, source: i, ops: [],
                               randomStage: nil, randomSample: nil, format: facts[i].format)
        case .generated:
            return ImageRecipe(outputPath: outputPath(k), label: sample.label, split: .train, origin: .generated, source: i, ops: [],
                               randomStage: "generate/\(generatorName ?? "generate")", randomSample: "\(sample.label)#\(o.copy)", format: format)
        case .augmentCopy, .balanceFill:
            let stage = o.kind == .augmentCopy ? "augment" : "balance"
            let key = "\(sample.id)#\(o.copy)"
            var rng = CounterRandom(seed: seed, stage: stage, sample: key)
            var (applied, _) = ImageChain.resolve(ops, for: facts[i].info, using: &rng)
            var partners: [Int] = []
            for j in applied.indices {
                guard let draw = applied[j].partnerDraw else { continue }
                let p = partner(of: i, draw: draw)
                applied[j].partner = index.samples[p].id
                if !partners.contains(p) { partners.append(p) }
            }
            return ImageRecipe(outputPath: outputPath(k), label: sample.label, split: .train, origin: .augmented, source: i, ops: applied,
                               partners: partners, randomStage: stage, randomSample: key, format: format)
        }
    }

    /// The partner a mixing op's draw picks: uniformly among the other training samples of `i`'s class (itself when it
    /// is the only one, which makes MixUp and CutMix the identity).
    private func partner(of i: Int, draw: Double) -> Int {
        let members = trainMembers[index.samples[i].label] ?? [i]
        let others = members.filter { $0 != i }
        guard !others.isEmpty else { return i }
        return others[min(others.count - 1, Int(draw * Double(others.count)))]
    }

    private func originalExtension(_ i: Int) -> String {
        let name = FileIO.lastComponent(of: index.samples[i].locator)
        if let dot = name.lastIndex(of: "."), dot != name.startIndex { return String(name[name.index(after: dot)...]) }
        return facts[i].format.fileExtension
    }

    /// The plan in words, for `--dry-run`.
    func describe() -> [String] {
        var lines = ["\(outputs.count) outputs planned"]
        for split in Split.allCases {
            guard let counts = splitCounts[split], !counts.isEmpty else { continue }
            let total = counts.values.reduce(0, +)
            lines.append("\(split.rawValue): \(total) (" + classes.compactMap { c in counts[c].map { "\(c): \($0)" } }.joined(separator: ", ") + ")")
        }
        if !trainCountsBefore.isEmpty {
            lines.append("train before balancing: " + classes.map { "\($0): \(trainCountsBefore[$0] ?? 0)" }.joined(separator: ", "))
        }
        return lines
    }
}

/// Decides every output of an image run. Pure and cheap: the same inputs and seed always give the same plan, so every
/// shard of a distributed run computes the same one.
struct ImagePlanner {
    let spec: PipelineSpec
    let index: SampleIndex
    let facts: [InputFacts]
    let splits: [Split]

    func plan() -> ImagePlan {
        var outputs: [PlannedOutput] = []
        var before: [String: Int] = [:], after: [String: Int] = [:]
        var splitCounts: [Split: [String: Int]] = [:]
        var members: [String: [Split: [Int]]] = [:]
        for (i, s) in index.samples.enumerated() { members[s.label, default: [:]][splits[i], default: []].append(i) }

        for split in Split.allCases {
            for label in index.classes {
                guard let mine = members[label]?[split], !mine.isEmpty else { continue }
                for i in mine { outputs.append(PlannedOutput(source: Int32(i), copy: 0, kind: .original, split: split)) }
                splitCounts[split, default: [:]][label] = mine.count
                guard split == .train else { continue }
                before[label] = mine.count
                var count = mine.count
                if let augment = spec.augment, augment.copies > 0 {
                    for i in mine {
                        for k in 0..<augment.copies { outputs.append(PlannedOutput(source: Int32(i), copy: Int32(k), kind: .augmentCopy, split: .train)) }
                    }
                    count += mine.count * augment.copies
                }
                after[label] = count
            }
            guard split == .train else { continue }
            // Balance: fill each class up to its target, spreading the new samples evenly over its training samples.
            if let balance = spec.balance, spec.augment != nil || balance.method == .generate {
                let kind: PlannedOutput.Kind = balance.method == .generate ? .generated : .balanceFill
                let targets = balance.targets(for: index.classes.compactMap { c in after[c].map { (c, $0) } })
                for label in index.classes {
                    guard let current = after[label], let target = targets[label], target > current, let mine = members[label]?[.train] else { continue }
                    for j in 0..<(target - current) {
                        if kind == .generated {
                            outputs.append(PlannedOutput(source: Int32(mine[0]), copy: Int32(j), kind: .generated, split: .train))
                        } else {
                            outputs.append(PlannedOutput(source: Int32(mine[j % mine.count]), copy: Int32(j / mine.count), kind: .balanceFill, split: .train))
                        }
                    }
                    after[label] = target
                }
            }
            if !after.isEmpty { splitCounts[.train] = after }
        }
        return ImagePlan(outputs: outputs, classes: index.classes, trainCountsBefore: before, trainCountsAfter: after, splitCounts: splitCounts,
                         index: index, facts: facts, stems: uniqueStems(), ops: spec.augment?.ops ?? [], seed: spec.seed,
                         format: spec.write?.format == .jpeg ? .jpeg : .png,
                         trainMembers: members.mapValues { $0[.train] ?? [] },
                         generatorName: spec.balance?.method == .generate ? spec.generate?.name : nil)
    }

    /// File stems unique within each class folder (`a`, `a-2`, ... in id order). Augmented names add `_augNNN` or
    /// `_balNNN` and generated images are `generated_NNNN`; an original whose own stem looks like either is renamed
    /// too, so names can never collide.
    private func uniqueStems() -> [String] {
        var used: [String: Set<String>] = [:]
        return index.samples.map { sample in
            let name = FileIO.lastComponent(of: sample.id)
            var stem = name
            if let dot = name.lastIndex(of: "."), dot != name.startIndex { stem = String(name[..<dot]) }
            if stem.range(of: #"_(aug|bal)[0-9]{3,}$|^generated_[0-9]{4,}$"#, options: .regularExpression) != nil { stem += "-orig" }
            var candidate = stem
            var n = 2
            while !used[sample.label, default: []].insert(candidate).inserted {
                candidate = "\(stem)-\(n)"
                n += 1
            }
            return candidate
        }
    }
}
