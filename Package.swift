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
// Tests/ mirrors them: Phase0ParsersTests, Phase0CoreTests (Engine/, Persistence/, Host/,
// Reliability/), Phase0StepsTests (a file a step, Artifacts/, Guide/), Phase0PracticeTests,
// Phase0EndToEndTests (the built binary); Phase0TestSupport and Phase0TestKit are their helpers.
// New here? Read this file, then Steps/README.md, Steps/Procedure.swift and
// Sources/Phase0Core/Engine/Engine.swift.
let strictTargets: [SwiftSetting] = [.unsafeFlags(["-warnings-as-errors"])]
let testDependencies: [Target.Dependency] = [
    "Phase0Parsers", "Phase0Core", "Phase0Steps", "Phase0Practice", "Phase0Templates", "Phase0Teaching", "Phase0TeachingData",
    "Phase0TestSupport", "Phase0TestKit",
]

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
        // What any test needs without the product: run a program (posix_spawn), a private
        // temporary directory, where the built phase0 is. The end-to-end tests use only this.
        .target(
            name: "Phase0TestKit",
            path: "Tests/Phase0TestKit",
            swiftSettings: strictTargets
        ),
        // Doubles, simulated Sparks and the one engine harness shared by the test targets;
        // never linked into phase0.
        .target(
            name: "Phase0TestSupport",
            dependencies: ["Phase0Core", "Phase0Steps", "Phase0Practice", "Phase0TestKit"],
            path: "Tests/Phase0TestSupport",
            swiftSettings: strictTargets
        ),
        // The tests mirror the targets they test.
        .testTarget(
            name: "Phase0ParsersTests",
            dependencies: ["Phase0Parsers", "Phase0TestKit"],
            path: "Tests/Phase0ParsersTests",
            resources: [.copy("Fixtures")],
            swiftSettings: strictTargets
        ),
        .testTarget(
            name: "Phase0CoreTests",
            dependencies: testDependencies,
            path: "Tests/Phase0CoreTests",
            swiftSettings: strictTargets
        ),
        .testTarget(
            name: "Phase0StepsTests",
            dependencies: testDependencies,
            path: "Tests/Phase0StepsTests",
            swiftSettings: strictTargets
        ),
        .testTarget(
            name: "Phase0PracticeTests",
            dependencies: testDependencies,
            path: "Tests/Phase0PracticeTests",
            swiftSettings: strictTargets
        ),
        // Runs the built phase0 binary in a pseudo-terminal (real readline) and through pipes;
        // links no product module, so it can only see what an operator sees.
        .testTarget(
            name: "Phase0EndToEndTests",
            dependencies: ["Phase0TestKit"],
            path: "Tests/Phase0EndToEndTests",
            swiftSettings: strictTargets
        ),
    ]
)
