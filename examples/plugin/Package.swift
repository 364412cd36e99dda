// swift-tools-version:6.0
// An out-of-tree compiler plugin: it depends on the openxla-nvgpu package two directories
// up (by path) and uses only its library products.
import Foundation
import PackageDescription

/// SwiftPM names a path dependency after its directory, which differs between clones.
let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    .appendingPathComponent("../..").standardizedFileURL
let core = root.lastPathComponent

let package = Package(
    name: "example-plugin",
    platforms: [.macOS(.v13)],
    products: [
        .library(name: "ExamplePlugin", targets: ["ExamplePlugin"]),
        .executable(name: "example-plugin-demo", targets: ["ExamplePluginDemo"]),
    ],
    dependencies: [.package(path: "../..")],
    targets: [
        // The plugin: the `example.square` op and the pass that lowers it.
        .target(name: "ExamplePlugin", dependencies: [
            .product(name: "StableHLO", package: core), .product(name: "Compiler", package: core),
        ]),
        // Compiles and runs a program using `example.square` on the `cpu` target.
        .executableTarget(name: "ExamplePluginDemo", dependencies: [
            "ExamplePlugin",
            .product(name: "StableHLO", package: core), .product(name: "Compiler", package: core),
            .product(name: "Runtime", package: core), .product(name: "Driver", package: core),
        ]),
        .testTarget(name: "ExamplePluginTests", dependencies: [
            "ExamplePlugin",
            .product(name: "StableHLO", package: core), .product(name: "Compiler", package: core),
            .product(name: "Runtime", package: core),
        ]),
    ]
)
