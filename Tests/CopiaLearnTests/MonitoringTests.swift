import CopiaCore
import Foundation
import Testing
@testable import CopiaLearn

@Test func checksumsMatchTheirCheckValues() {
    let check = Array("123456789".utf8)
    #expect(CRC32C.checksum(check) == 0xE306_9283)
    #expect(CRC32.checksum(check) == 0xCBF4_3926)
    #expect(Adler32.checksum(Array("Wikipedia".utf8)) == 0x11E6_0398)
    // TensorFlow's masked CRC of an empty record's length field (eight zero bytes), as in every empty TFRecord.
    #expect(CRC32C.masked([UInt8](repeating: 0, count: 8)) == ((CRC32C.checksum([UInt8](repeating: 0, count: 8)) >> 15 | CRC32C.checksum([UInt8](repeating: 0, count: 8)) << 17) &+ 0xA282_EAD8))
}

@Test func protobufVarintsAndFieldsRoundTrip() throws {
    var w = ProtobufWriter()
    w.int64(2, 300)
    w.double(1, 1.5)
    w.string(3, "brain.Event:2")
    w.float(2, -0.25)
    #expect(Array(w.bytes.prefix(3)) == [0x10, 0xAC, 0x02])  // field 2 varint 300, the protobuf guide's example
    let fields = try ProtobufReader.fields(w.bytes[...])
    #expect(fields.map(\.0) == [2, 1, 3, 2])
    #expect(fields[0].1.int == 300 && fields[1].1.double == 1.5 && fields[2].1.string == "brain.Event:2")
    #expect(fields[3].1.float == -0.25)
}

func temporaryDirectory(_ name: String) -> String {
    let dir = NSTemporaryDirectory() + "copia-learn-tests-\(ProcessInfo.processInfo.processIdentifier)-\(name)"
    try? FileManager.default.removeItem(atPath: dir)
    return dir
}

@Test func eventFileRoundTripsScalarsHistogramsAndImages() throws {
    let dir = temporaryDirectory("events")
    var rng = CounterRandom(seed: 1, stage: "t", sample: "tb")
    let model = Sequential(Linear(3, 2, rng: &rng))
    var t = 1000.0
    let log = try SummaryWriter(logDirectory: dir, clock: { t += 1; return t })
    try log.addScalar("loss/train", 0.75, step: 1)
    try log.addScalar("learning_rate", 1e-3, step: 1)
    try log.addScalar("loss/train", .nan, step: 2)
    try log.addHistograms(of: model, step: 2)
    let images = Tensor(shape: [3, 1, 4, 4], scalars: (0..<48).map { Float($0) / 47 })
    try log.addImage("samples", ImageGrid(images, columns: 2, padding: 1), step: 3)
    try log.flush()

    let events = try EventFileReader.read(path: log.eventFilePath)
    #expect(events.first?.fileVersion == "brain.Event:2")
    #expect(events.count == 1 + 3 + 4 + 1)
    #expect(events[1].step == 1 && events[1].wallTime == 1003)
    #expect(events[1].values == [SummaryValue(tag: "loss/train", content: .scalar(0.75))])
    #expect(events[2].values == [SummaryValue(tag: "learning_rate", content: .scalar(1e-3))])
    let tags = events.dropFirst(4).flatMap(\.values).map(\.tag)
    #expect(tags == ["weights/0.weight", "gradients/0.weight", "weights/0.bias", "gradients/0.bias", "samples"])
    guard case .histogram(let h) = events[4].values[0].content else { Issue.record("not a histogram"); return }
    let w = model.layers[0].parameters[0].value.scalars
    #expect(h.count == 6 && h.bucketCounts.reduce(0, +) == 6 && h.bucketLimits.count == 30)
    #expect(h.min == Double(w.min()!) && h.max == Double(w.max()!))
    guard case .image(let width, let height, let colorspace, let png) = events[8].values[0].content else {
        Issue.record("not an image"); return
    }
    #expect((width, height, colorspace) == (2 * 4 + 3, 2 * 4 + 3, 1))
    #expect(Array(png.prefix(8)) == [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A])

    let lines = try String(contentsOfFile: log.scalarsPath, encoding: .utf8).split(separator: "\n")
    #expect(lines.count == 3)
    #expect(lines[0] == #"{"step":1,"tag":"loss/train","value":0.75,"wall_time":1003.0}"#)
    #expect(lines[2].contains(#""value":null"#))
}

@Test func corruptedEventFileIsReportedWithItsPath() throws {
    let dir = temporaryDirectory("corrupt")
    let log = try SummaryWriter(logDirectory: dir)
    try log.addScalar("x", 1, step: 0)
    try log.flush()
    var bytes = [UInt8](FileManager.default.contents(atPath: log.eventFilePath)!)
    bytes[bytes.count - 6] ^= 0xFF
    let path = dir + "/broken.tfevents"
    FileManager.default.createFile(atPath: path, contents: Data(bytes))
    #expect(throws: LearnError.self) { try EventFileReader.read(path: path) }
    do { _ = try EventFileReader.read(path: path) } catch let e as LearnError {
        #expect(e.description.hasPrefix(path) && e.description.contains("CRC mismatch"))
    }
    #expect(throws: LearnError.io(path: dir + "/missing", reason: "cannot read event file")) {
        try EventFileReader.read(path: dir + "/missing")
    }
}

@Test func pngWriterFramesStoredDeflateWithValidChecksums() {
    let png = PNGWriter.encode(width: 300, height: 300, channels: 3, pixels: [UInt8](repeating: 7, count: 270_000))
    // IHDR: width 300, height 300, depth 8, colour type 2
    #expect(Array(png[16..<26]) == [0, 0, 1, 44, 0, 0, 1, 44, 8, 2])
    // Walk the chunks and check each CRC.
    var i = 8, types: [String] = []
    while i < png.count {
        let n = Int(png[i]) << 24 | Int(png[i + 1]) << 16 | Int(png[i + 2]) << 8 | Int(png[i + 3])
        let body = Array(png[(i + 4)..<(i + 8 + n)])
        let crc = UInt32(png[i + 8 + n]) << 24 | UInt32(png[i + 9 + n]) << 16 | UInt32(png[i + 10 + n]) << 8 | UInt32(png[i + 11 + n])
        #expect(CRC32.checksum(body) == crc)
        types.append(String(decoding: body.prefix(4), as: UTF8.self))
        i += 12 + n
    }
    #expect(types == ["IHDR", "IDAT", "IEND"])
}

@Test func histogramSkipsNonFiniteValuesAndCountsEveryOther() {
    let h = Histogram([0, 1, 2, 3, .nan, .infinity, 4], bucketCount: 4)!
    #expect(h.count == 5 && h.min == 0 && h.max == 4 && h.sum == 10 && h.sumOfSquares == 30)
    #expect(h.bucketLimits == [1, 2, 3, 4] && h.bucketCounts == [1, 1, 1, 2])
    #expect(Histogram([.nan]) == nil)
    #expect(Histogram([5, 5])!.bucketCounts.reduce(0, +) == 2)
}
