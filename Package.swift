// swift-tools-version: 6.0
import PackageDescription

// One static binary for the Spark: the logic lives in Phase0Core, the procedure in Steps/,
// the generated files' text in Templates/ (embedded at build time, so a copied binary works).
let package = Package(
    name: "phase0",
    products: [
        .executable(name: "phase0", targets: ["phase0"])
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2")
    ],
    targets: [
        .systemLibrary(
            name: "CReadline",
            path: "Sources/CReadline",
            providers: [.apt(["libreadline-dev"])]
        ),
        .executableTarget(
            name: "embed-templates",
            path: "Sources/EmbedTemplates"
        ),
        .plugin(
            name: "EmbedTemplatesPlugin",
            capability: .buildTool(),
            dependencies: ["embed-templates"],
            path: "Sources/EmbedTemplatesPlugin"
        ),
        .target(
            name: "Phase0Templates",
            path: "Templates",
            exclude: ["README.md"],
            plugins: ["EmbedTemplatesPlugin"]
        ),
        .target(
            name: "Phase0Core",
            dependencies: ["CReadline"],
            path: "Sources/Phase0Core"
        ),
        .target(
            name: "Phase0Steps",
            dependencies: ["Phase0Core", "Phase0Templates"],
            path: "Steps",
            exclude: ["README.md"]
        ),
        .executableTarget(
            name: "phase0",
            dependencies: [
                "Phase0Core",
                "Phase0Steps",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            path: "Sources/phase0"
        ),
        .testTarget(
            name: "Phase0Tests",
            dependencies: ["Phase0Core", "Phase0Steps", "Phase0Templates"],
            path: "Tests/Phase0Tests",
            resources: [.copy("Fixtures")]
        ),
        // Runs the built phase0 binary in a pseudo-terminal (real readline) and through pipes.
        .testTarget(
            name: "Phase0EndToEndTests",
            path: "Tests/Phase0EndToEndTests",
            resources: [.copy("Fixtures")]
        ),
    ]
)
