// swift-tools-version: 6.0
import PackageDescription

// One static binary for the Spark. Read the targets in this order:
//   Phase0Parsers   pure parsers of what the machine prints (/proc, fstab, JSON, templates);
//                   no dependencies, so the fuzzer links exactly this
//   Phase0Core      the engine (Engine/), the resume file (Persistence/), the host seam and the
//                   live machine (Host/), the terminal (Terminal/)
//   Phase0Steps     the guide: Steps/ (one file a step), its artifacts and its knowledge
//                   (Steps/Artifacts, Steps/Guide); Templates/ holds the generated files' text
//   Phase0Practice  the simulated Spark of practice mode, behind the same host seam
//   Phase0TeachingData  Steps/Teaching: the drills and practice scenarios (JSON), embedded
//   Phase0Teaching  drills, the runbook, the glossary: teaching a new operator
//   phase0          the command line: flags, subcommands, and the one host factory
let strictTargets: [SwiftSetting] = [.unsafeFlags(["-warnings-as-errors"])]

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
        .plugin(
            name: "EmbedDataPlugin",
            capability: .buildTool(),
            dependencies: ["embed-templates"],
            path: "Sources/EmbedDataPlugin"
        ),
        .target(
            name: "Phase0TeachingData",
            path: "Steps/Teaching",
            plugins: ["EmbedDataPlugin"]
        ),
        .target(
            name: "Phase0Templates",
            path: "Templates",
            exclude: ["README.md"],
            plugins: ["EmbedTemplatesPlugin"]
        ),
        .target(
            name: "Phase0Parsers",
            path: "Sources/Phase0Parsers",
            swiftSettings: strictTargets
        ),
        .target(
            name: "Phase0Core",
            dependencies: ["CReadline", "Phase0Parsers"],
            path: "Sources/Phase0Core",
            swiftSettings: strictTargets
        ),
        .target(
            name: "Phase0Steps",
            dependencies: ["Phase0Core", "Phase0Parsers", "Phase0Templates"],
            path: "Steps",
            exclude: ["README.md", "Teaching"],
            swiftSettings: strictTargets
        ),
        .target(
            name: "Phase0Practice",
            dependencies: ["Phase0Core", "Phase0Parsers", "Phase0TeachingData"],
            path: "Sources/Phase0Practice",
            swiftSettings: strictTargets
        ),
        .target(
            name: "Phase0Teaching",
            dependencies: ["Phase0Core", "Phase0Parsers", "Phase0Steps", "Phase0Practice", "Phase0TeachingData"],
            path: "Sources/Phase0Teaching",
            swiftSettings: strictTargets
        ),
        .executableTarget(
            name: "phase0",
            dependencies: [
                "Phase0Core",
                "Phase0Steps",
                "Phase0Practice",
                "Phase0Teaching",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            path: "Sources/phase0",
            swiftSettings: strictTargets
        ),
        // Doubles and harnesses shared by the test targets; never linked into phase0.
        .target(
            name: "Phase0TestSupport",
            dependencies: ["Phase0Core", "Phase0Steps", "Phase0Practice"],
            path: "Tests/Phase0TestSupport"
        ),
        .testTarget(
            name: "Phase0Tests",
            dependencies: ["Phase0Parsers", "Phase0Core", "Phase0Steps", "Phase0Practice", "Phase0Templates", "Phase0Teaching", "Phase0TeachingData", "Phase0TestSupport"],
            path: "Tests/Phase0Tests",
            resources: [.copy("Fixtures")]
        ),
        // Runs the built phase0 binary in a pseudo-terminal (real readline) and through pipes.
        .testTarget(
            name: "Phase0EndToEndTests",
            path: "Tests/Phase0EndToEndTests"
        ),
    ]
)
