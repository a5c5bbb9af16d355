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
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2")
    ],
    targets: [
        // System libraries: one module per C library, each with typed `static inline` shims for variadic calls.
        .systemLibrary(name: "COpenSSL", pkgConfig: "openssl", providers: [.apt(["libssl-dev"])]),
        // libcurl's header only: the library is loaded with dlopen on first remote use (see Sources/CCurl/shim.h).
        .systemLibrary(name: "CCurl", providers: [.apt(["libcurl4-openssl-dev"])]),
        // libexpat: the XML parser behind OBSXML (linked, not dlopen'd: it adds no measurable start-up time).
        .systemLibrary(name: "CExpat", providers: [.apt(["libexpat1-dev"])]),
        // What Swift's Glibc module leaves out: sync_file_range, fallocate.
        .systemLibrary(name: "CSystem"),
        // CRC-32C with the CPU's instructions (SSE4.2, AVX-512 VPCLMULQDQ) and a portable fallback.
        .target(name: "CCRC32C"),

        // OpenSSL EVP wrappers: AES-256-GCM, HKDF, HMAC, digests, RNG, secret bytes. No I/O.
        .target(name: "OBSCrypto", dependencies: ["CCRC32C", "COpenSSL"]),
        // Every date format read or written (HTTP, SigV4, RFC 3339, ISO 8601): pure functions, no formatter.
        .target(name: "OBSTime"),
        // Shared vocabulary and the storage protocol both backends implement.
        .target(name: "OBSCore", dependencies: ["OBSCrypto", "CSystem"]),
        // Request signers (OBS, AWS V2, AWS SigV4, presigned forms): pure functions of request, credentials, time.
        .target(name: "OBSSigner", dependencies: ["OBSCrypto", "OBSTime"]),
        // OBS/S3 XML bodies and strict response parsers over libexpat (no libxml2 and ICU at start-up).
        .target(name: "OBSXML", dependencies: ["CExpat", "OBSCore", "OBSTime"]),
        // The remote client: libcurl transport, OBS/S3 operations, configuration and credentials.
        .target(
            name: "OBSClient",
            dependencies: [
                "CCurl", "OBSCore", "OBSCrypto", "OBSSigner", "OBSTime", "OBSXML",
            ]),
        // The embedded backend: OBX object format, file store, local KMS, policy, audit log.
        .target(name: "OBSLocalBackend", dependencies: ["OBSCore", "OBSCrypto", "OBSTime"]),
        // The transfer engine: plans (what goes where, key <-> path mapping, filters, the sync comparison) and
        // runs many transfers at once within one bound, reporting typed events.
        .target(name: "OBSTransfer", dependencies: ["OBSCore"]),
        // The command tree; knows nothing of files on disk, HTTP or key material.
        .target(
            name: "ObsctlCLI",
            dependencies: [
                "OBSCore", "OBSLocalBackend", "OBSClient", "OBSSigner", "OBSTime", "OBSTransfer",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]),
        .executableTarget(name: "obsctl", dependencies: ["ObsctlCLI"]),

        .testTarget(name: "OBSCryptoTests", dependencies: ["OBSCrypto"]),
        .testTarget(name: "OBSCoreTests", dependencies: ["OBSCore"]),
        .testTarget(name: "OBSTimeTests", dependencies: ["OBSTime"]),
        // Vectors/: signature vectors made with Huawei's SDKs, read by path (no Bundle.module needed).
        .testTarget(name: "OBSSignerTests", dependencies: ["OBSSigner", "OBSCrypto"], exclude: ["Vectors"]),
        .testTarget(name: "OBSXMLTests", dependencies: ["OBSXML", "OBSCore"]),
        .testTarget(name: "OBSClientTests", dependencies: ["OBSClient", "OBSCore", "OBSCrypto", "OBSSigner"]),
        .testTarget(name: "OBSLocalBackendTests", dependencies: ["OBSLocalBackend", "OBSCore", "OBSCrypto"]),
        .testTarget(name: "OBSTransferTests", dependencies: ["OBSTransfer", "OBSCore", "OBSLocalBackend"]),
        .testTarget(name: "ObsctlCLITests", dependencies: ["ObsctlCLI", "obsctl", "OBSCrypto"]),
    ]
)
