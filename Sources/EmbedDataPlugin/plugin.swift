import PackagePlugin

/// Turns every `*.json` file of a data target (Steps/Teaching: the drills and the practice
/// scenarios) into a Swift string constant at build time, keyed "folder/name", so a teacher
/// adds a drill as a file and the binary still carries everything it needs.
@main
struct EmbedDataPlugin: BuildToolPlugin {
    func createBuildCommands(context: PluginContext, target: Target) throws -> [Command] {
        guard let sourceTarget = target as? SourceModuleTarget else { return [] }
        let files = sourceTarget.sourceFiles(withSuffix: "json").map(\.url).sorted { $0.path < $1.path }
        let output = context.pluginWorkDirectoryURL.appending(path: "EmbeddedData.swift")
        return [
            .buildCommand(
                displayName: "Embedding \(files.count) teaching files",
                executable: try context.tool(named: "embed-templates").url,
                arguments: ["--data", "EmbeddedTeachingData", output.path] + files.map(\.path),
                inputFiles: files,
                outputFiles: [output]
            )
        ]
    }
}
