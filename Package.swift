// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "obsctl",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "obsctl", targets: ["obsctl"]),
        .library(name: "OBSCore", targets: ["OBSCore"]),
        .library(name: "OBSLocalBackend", targets: ["OBSLocalBackend"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
    ],
    targets: [
        // System libraries: one module per C library, each with typed `static inline` shims for variadic calls.
        .systemLibrary(name: "COpenSSL", pkgConfig: "openssl", providers: [.apt(["libssl-dev"])]),
        // libcurl's header only: the library is loaded with dlopen on first remote use (see Sources/CCurl/shim.h).
        .systemLibrary(name: "CCurl", providers: [.apt(["libcurl4-openssl-dev"])]),
        // What Swift's Glibc module leaves out: sync_file_range, the CPU's CRC32C instruction.
        .systemLibrary(name: "CSystem"),

        // OpenSSL EVP wrappers: AES-256-GCM, HKDF, HMAC, digests, RNG, secret bytes. No I/O.
        .target(name: "OBSCrypto", dependencies: ["COpenSSL", "CSystem"]),
        // Shared vocabulary and the storage protocol both backends implement.
        .target(name: "OBSCore", dependencies: ["OBSCrypto", "CSystem"]),
        // Request signers (OBS, AWS V2, AWS SigV4, presigned forms): pure functions of request, credentials, time.
        .target(name: "OBSSigner", dependencies: ["OBSCrypto"]),
        // OBS/S3 XML bodies and strict response parsers (a scanner of its own: no libxml2 at start-up).
        .target(name: "OBSXML", dependencies: ["OBSCore"]),
        // The remote client: libcurl transport, OBS/S3 operations, configuration and credentials.
        .target(name: "OBSClient", dependencies: ["CCurl", "OBSCore", "OBSCrypto", "OBSSigner", "OBSXML"]),
        // The embedded backend: OBX object format, file store, local KMS, policy, audit log.
        .target(name: "OBSLocalBackend", dependencies: ["OBSCore", "OBSCrypto"]),
        // The transfer engine: plans, and runs many transfers at once within one bound, reporting typed events.
        .target(name: "OBSTransfer", dependencies: ["OBSCore"]),
        // The command tree; knows nothing of files on disk, HTTP or key material.
        .target(name: "ObsctlCLI", dependencies: [
            "OBSCore", "OBSLocalBackend", "OBSClient", "OBSSigner", "OBSTransfer",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),
        .executableTarget(name: "obsctl", dependencies: ["ObsctlCLI"]),

        .testTarget(name: "OBSCryptoTests", dependencies: ["OBSCrypto"]),
        .testTarget(name: "OBSCoreTests", dependencies: ["OBSCore"]),
        // Vectors/: signature vectors made with Huawei's SDKs, read by path (no Bundle.module needed).
        .testTarget(name: "OBSSignerTests", dependencies: ["OBSSigner", "OBSCrypto"], exclude: ["Vectors"]),
        .testTarget(name: "OBSXMLTests", dependencies: ["OBSXML", "OBSCore"]),
        .testTarget(name: "OBSClientTests", dependencies: ["OBSClient", "OBSCore", "OBSCrypto", "OBSSigner"]),
        .testTarget(name: "OBSLocalBackendTests", dependencies: ["OBSLocalBackend", "OBSCore", "OBSCrypto"]),
        .testTarget(name: "OBSTransferTests", dependencies: ["OBSTransfer", "OBSCore"]),
        .testTarget(name: "ObsctlCLITests", dependencies: ["ObsctlCLI", "obsctl", "OBSCrypto"]),
    ]
)
