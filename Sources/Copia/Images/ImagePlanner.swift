/// The resolved plan of an image run: every output with every random choice made.
struct ImagePlan: Sendable {
    var recipes: [ImageRecipe]
    var classes: [String]
    var trainCountsBefore: [String: Int]
    var trainCountsAfter: [String: Int]
    var splitCounts: [Split: [String: Int]]

    /// The plan in words, for `--dry-run`.
    func describe() -> [String] {
        var lines = ["\(recipes.count) outputs planned"]
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

/// Turns the split samples into recipes. Pure and cheap: the same inputs and seed always give the same plan, so every
/// shard of a distributed run computes the same one.
///
/// Order of recipes: splits (train, validation, test), then classes, then within a class the originals (sorted by
/// id), the augment stage's copies, and the balance stage's fill.
struct ImagePlanner {
    let spec: PipelineSpec
    let index: SampleIndex
    let facts: [InputFacts]
    let splits: [Split]

    func plan() -> ImagePlan {
        let format: ImageFormat = spec.write?.format == .jpeg ? .jpeg : .png
        var recipes: [ImageRecipe] = []
        var names = OutputNames()
        var before: [String: Int] = [:], after: [String: Int] = [:]
        var splitCounts: [Split: [String: Int]] = [:]

        for split in Split.allCases {
            for label in index.classes {
                let members = index.samples.indices.filter { splits[$0] == split && index.samples[$0].label == label }
                guard !members.isEmpty else { continue }
                for i in members {
                    let sample = index.samples[i]
                    let ext = FileIO.lastComponent(of: sample.locator).split(separator: ".").count > 1
                        ? String(FileIO.lastComponent(of: sample.locator).split(separator: ".").last!) : facts[i].format.fileExtension
                    let path = names.unique("\(split.rawValue)/\(label)/\(stem(of: sample))", ext: ext)
                    recipes.append(ImageRecipe(outputPath: path, label: label, split: split, origin: .original, source: i, ops: [],
                                               randomStage: nil, randomSample: nil, format: facts[i].format))
                }
                guard split == .train else {
                    splitCounts[split, default: [:]][label] = members.count
                    continue
                }
                before[label] = members.count
                var count = members.count
                if let augment = spec.augment, augment.copies > 0 {
                    for i in members {
                        for k in 0..<augment.copies {
                            recipes.append(augmented(i, label: label, stage: "augment", copy: k, tag: "aug", ops: augment.ops, format: format, names: &names))
                        }
                    }
                    count += members.count * augment.copies
                }
                after[label] = count
            }
            guard split == .train else { continue }
            // Balance: fill each class up to its target, spreading the new samples evenly over its training samples.
            if let balance = spec.balance, let augment = spec.augment {
                let targets = balance.targets(for: index.classes.compactMap { c in after[c].map { (c, $0) } })
                for label in index.classes {
                    guard let current = after[label], let target = targets[label], target > current else { continue }
                    let members = index.samples.indices.filter { splits[$0] == .train && index.samples[$0].label == label }
                    for j in 0..<(target - current) {
                        let i = members[j % members.count]
                        recipes.append(augmented(i, label: label, stage: "balance", copy: j / members.count, tag: "bal", ops: augment.ops, format: format, names: &names))
                    }
                    after[label] = target
                }
            }
            splitCounts[.train] = after
        }
        return ImagePlan(recipes: recipes, classes: index.classes, trainCountsBefore: before, trainCountsAfter: after, splitCounts: splitCounts)
    }

    private func augmented(_ i: Int, label: String, stage: String, copy: Int, tag: String, ops: [ImageOp], format: ImageFormat,
                           names: inout OutputNames) -> ImageRecipe {
        let sample = index.samples[i]
        let key = "\(sample.id)#\(copy)"
        var rng = CounterRandom(seed: spec.seed, stage: stage, sample: key)
        let (applied, _) = ImageChain.resolve(ops, for: facts[i].info, using: &rng)
        let number = String(copy).count >= 3 ? String(copy) : String(repeating: "0", count: 3 - String(copy).count) + String(copy)
        let path = names.unique("train/\(label)/\(stem(of: sample))_\(tag)\(number)", ext: format.fileExtension)
        return ImageRecipe(outputPath: path, label: label, split: .train, origin: .augmented, source: i, ops: applied,
                           randomStage: stage, randomSample: key, format: format)
    }

    /// The file name of a sample without its extension.
    private func stem(of sample: Sample) -> String {
        let name = FileIO.lastComponent(of: sample.id)
        guard let dot = name.lastIndex(of: "."), dot != name.startIndex else { return name }
        return String(name[..<dot])
    }
}

/// Hands out output paths, disambiguating collisions deterministically (`a.png`, `a-2.png`, ...).
struct OutputNames {
    private var used: Set<String> = []

    mutating func unique(_ stem: String, ext: String) -> String {
        var candidate = "\(stem).\(ext)"
        var n = 2
        while !used.insert(candidate).inserted {
            candidate = "\(stem)-\(n).\(ext)"
            n += 1
        }
        return candidate
    }
}
