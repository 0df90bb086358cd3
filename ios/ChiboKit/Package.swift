// swift-tools-version:5.9
// ChiboKit: the core's generated Swift bindings (ChiboCore), the pure-Swift Presentation layer
// over them (state holders, the protocols they use, and their implementation on the bindings),
// and test support (fakes, a demo cell, a real store in a temporary folder).
//
// Generated/ is made by ../generate-bindings.sh and never committed: on a Mac,
// ../build-xcframework.sh builds the core for iOS and writes Generated/ChiboFFI.xcframework
// and Generated/ChiboCore; on Linux, tests/run ios writes Generated/ChiboFFI (headers and
// module map) and Generated/ChiboCore and links the host-built libchibo_core.so.
import PackageDescription

#if os(Linux)
let ffi: Target = .systemLibrary(name: "ChiboFFI", path: "Generated/ChiboFFI")
#else
let ffi: Target = .binaryTarget(name: "ChiboFFI", path: "Generated/ChiboFFI.xcframework")
#endif

let package = Package(
    name: "ChiboKit",
    platforms: [.iOS(.v16), .macOS(.v13)],
    products: [
        .library(name: "ChiboCore", targets: ["ChiboCore"]),
        .library(name: "Presentation", targets: ["Presentation"]),
        .library(name: "ChiboTestSupport", targets: ["ChiboTestSupport"]),
    ],
    targets: [
        ffi,
        .target(
            name: "ChiboCore",
            dependencies: ["ChiboFFI"],
            path: "Generated/ChiboCore",
            linkerSettings: [
                .linkedLibrary("chibo_core", .when(platforms: [.linux])),
                // On Apple systems the core draws its randomness through the Security framework.
                .linkedFramework("Security", .when(platforms: [.iOS, .macOS])),
            ]
        ),
        // Pure Swift: Foundation and the bindings' types only (no SwiftUI, UIKit, CoreLocation).
        .target(name: "Presentation", dependencies: ["ChiboCore"]),
        // libsodium signs for the tests' Ed25519 keystore on Linux (no CryptoKit there).
        .systemLibrary(name: "CSodium", path: "Sources/CSodium"),
        .target(
            name: "ChiboTestSupport",
            dependencies: ["Presentation", .target(name: "CSodium", condition: .when(platforms: [.linux]))]
        ),
        .testTarget(name: "PresentationTests", dependencies: ["Presentation", "ChiboTestSupport"]),
    ]
)
