import CopiaTable

/// Lists image samples without decoding them.
enum ImageScan {
    /// `root/<class>/<file>`, recursively inside each class folder, as torchvision's ImageFolder reads it. Hidden
    /// files and folders (names starting with ".") are ignored; every other file must be a PNG or JPEG, which the
    /// input check verifies.
    static func imageFolder(_ root: String, masks: String? = nil) throws -> SampleIndex {
        guard FileIO.isDirectory(root) else {
            throw RunError(FileIO.exists(root) ? "\(root): input is not a folder" : "\(root): input folder does not exist")
        }
        var samples: [Sample] = []
        for name in try FileIO.list(root) where !name.hasPrefix(".") {
            let classPath = FileIO.join(root, name)
            guard FileIO.isDirectory(classPath) else { continue }
            for rel in try FileIO.walk(classPath) where !rel.split(separator: "/").contains(where: { $0.hasPrefix(".") }) {
                let mask = masks.map { FileIO.join($0, name + "/" + maskName(for: rel)) }
                samples.append(Sample(id: name + "/" + rel, label: name, locator: FileIO.join(classPath, rel), mask: mask))
            }
        }
        guard !samples.isEmpty else {
            throw RunError("\(root): no images found; expected one folder per class, e.g. \(root)/cat/001.png")
        }
        if let masks, !FileIO.isDirectory(masks) { throw RunError("\(masks): mask folder does not exist") }
        return SampleIndex(samples: samples)
    }

    /// A mask's file name: the image's, with the extension .png (masks must be lossless).
    static func maskName(for imagePath: String) -> String {
        let name = FileIO.lastComponent(of: imagePath)
        let folder = FileIO.parentDirectory(of: imagePath)
        let stem = name.lastIndex(of: ".").map { String(name[..<$0]) } ?? name
        return (folder.isEmpty ? "" : folder + "/") + stem + ".png"
    }

    /// A CSV with file, label and optional group columns; file paths are relative to `imageRoot` (default: the CSV's folder).
    static func labelsCSV(_ source: SourceStage) throws -> SampleIndex {
        guard FileIO.exists(source.path) else { throw RunError("\(source.path): labels CSV does not exist") }
        let root = source.imageRoot ?? FileIO.parentDirectory(of: source.path)
        var schema: [String: ColumnType] = [source.fileColumn: .categorical, source.labelColumn: .categorical]
        if let g = source.groupColumn { schema[g] = .categorical }
        if let m = source.maskColumn { schema[m] = .categorical }
        let table = try CSVReader.read(path: source.path, options: CSVReadOptions(delimiter: source.delimiter, schema: schema))
        func column(_ name: String) throws -> Int {
            guard let i = table.columnIndex(named: name) else {
                throw RunError("\(source.path): no column \"\(name)\"; columns are \(table.columnNames.joined(separator: ", "))")
            }
            return i
        }
        let fileColumn = try column(source.fileColumn), labelColumn = try column(source.labelColumn)
        let groupColumn = try source.groupColumn.map(column)
        let maskColumn = try source.maskColumn.map(column)
        var samples: [Sample] = []
        var seen: Set<String> = []
        for row in 0..<table.rowCount {
            guard let file = table.columns[fileColumn].text(at: row), !file.isEmpty else {
                throw RunError("\(source.path): row \(table.rowLocation(row)), column \"\(source.fileColumn)\": missing file name")
            }
            guard let label = table.columns[labelColumn].text(at: row), !label.isEmpty else {
                throw RunError("\(source.path): row \(table.rowLocation(row)), column \"\(source.labelColumn)\": missing label")
            }
            // Labels become folder names under the output: they must be one plain path component.
            guard !label.contains("/"), !label.contains("\\"), label != ".", label != "..", !label.hasPrefix(".") else {
                throw RunError("\(source.path): row \(table.rowLocation(row)), column \"\(source.labelColumn)\": label \"\(label)\" cannot be a folder name (no slashes, no leading dot)")
            }
            guard seen.insert(file).inserted else {
                throw RunError("\(source.path): row \(table.rowLocation(row)): file \"\(file)\" is listed twice")
            }
            let group = groupColumn.flatMap { table.columns[$0].text(at: row) }
            let mask = maskColumn.flatMap { table.columns[$0].text(at: row) }.map { FileIO.join(root, $0) }
            samples.append(Sample(id: file, label: label, locator: FileIO.join(root, file), group: group, mask: mask))
        }
        guard !samples.isEmpty else { throw RunError("\(source.path): no rows") }
        return SampleIndex(samples: samples)
    }
}
