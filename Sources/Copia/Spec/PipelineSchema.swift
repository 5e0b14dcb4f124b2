/// The JSON Schema of pipeline files, generated from the same definitions that decode them.
public enum PipelineSchema {
    public static let id = "https://copia.dev/schema/pipeline-v1.json"

    public static var document: JSONValue {
        jsonSchemaDocument(for: PipelineSpec.self, id: id, title: "Copia pipeline (version 1)")
    }
}
