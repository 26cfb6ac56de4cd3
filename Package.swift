// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "StreamSQL",
    platforms: [.macOS(.v14)],
    products: [
        .library(name: "StreamSQL", targets: ["StreamSQL"]),
        .executable(name: "streamsql", targets: ["streamsql"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-collections", from: "1.1.0"),
    ],
    targets: [
        .target(
            name: "StreamSQL",
            dependencies: [
                .product(name: "OrderedCollections", package: "swift-collections"),
                .product(name: "DequeModule", package: "swift-collections"),
                .product(name: "HeapModule", package: "swift-collections"),
            ],
            swiftSettings: [.unsafeFlags(["-enforce-exclusivity=unchecked"], .when(configuration: .release))]
        ),
        .systemLibrary(name: "CReadline", path: "Sources/CReadline", providers: [.apt(["libreadline-dev"])]),
        .systemLibrary(name: "CNcurses", path: "Sources/CNcurses", providers: [.apt(["libncurses-dev"])]),
        // Exporters and tools over the engine, each in a target of its own.
        .target(name: "StreamSQLFlink", dependencies: ["StreamSQL", .product(name: "OrderedCollections", package: "swift-collections")]),
        .target(name: "StreamSQLConformance", dependencies: ["StreamSQL", .product(name: "OrderedCollections", package: "swift-collections")]),
        .target(name: "StreamSQLScenarios", dependencies: ["StreamSQL", .product(name: "OrderedCollections", package: "swift-collections")]),
        .target(name: "StreamSQLShell", dependencies: [
            "StreamSQL", "StreamSQLScenarios", "CReadline", "CNcurses",
            .product(name: "OrderedCollections", package: "swift-collections"),
            .product(name: "DequeModule", package: "swift-collections"),
        ]),
        .executableTarget(
            name: "streamsql",
            dependencies: [
                "StreamSQL",
                "StreamSQLShell",
                "StreamSQLScenarios",
                "StreamSQLFlink",
                "StreamSQLConformance",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .testTarget(name: "StreamSQLTests", dependencies: ["StreamSQL"], exclude: ["Fuzz/Repros"]),
        .testTarget(name: "StreamSQLFlinkTests", dependencies: ["StreamSQLFlink", "StreamSQL"]),
        .testTarget(name: "StreamSQLConformanceTests", dependencies: ["StreamSQLConformance", "StreamSQL"]),
        .testTarget(name: "StreamSQLScenariosTests", dependencies: ["StreamSQLScenarios", "StreamSQL"]),
        .testTarget(name: "StreamSQLShellTests", dependencies: ["StreamSQLShell", "StreamSQL", "StreamSQLScenarios"],
                    exclude: ["Dashboard/Snapshots"]),
    ],
    swiftLanguageModes: [.v6]
)
