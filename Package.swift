// swift-tools-version:6.1
import PackageDescription

let package = Package(
    name: "obsctl",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "obsctl", targets: ["obsctl"]),
        .executable(name: "obsctl-serve", targets: ["obsctl-serve"]),
        .library(name: "OBSCore", targets: ["OBSCore"]),
        .library(name: "OBSLocalBackend", targets: ["OBSLocalBackend"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        // Only `obsctl serve` (the obsctl-serve executable) links the server stack; traits off: no
        // swift-configuration, and Foundation as the rest of the package uses it.
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1", traits: []),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-nio-extras", from: "1.35.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl", from: "2.37.6"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-http-types", from: "1.8.0"),
    ],
    targets: [
        // System libraries: one module per C library, each with typed `static inline` shims for variadic calls.
        .systemLibrary(name: "COpenSSL", pkgConfig: "openssl", providers: [.apt(["libssl-dev"])]),
        // libcurl's header only: the library is loaded with dlopen on first remote use (see Sources/CCurl/shim.h).
        .systemLibrary(name: "CCurl", providers: [.apt(["libcurl4-openssl-dev"])]),
        // libexpat: the XML parser behind OBSXML (linked, not dlopen'd: it adds no measurable start-up time).
        .systemLibrary(name: "CExpat", providers: [.apt(["libexpat1-dev"])]),
        // What Swift's Glibc module leaves out: sync_file_range, fallocate.
        .systemLibrary(name: "CLinuxSystem"),
        // CRC-32C with the CPU's instructions (SSE4.2, AVX-512 VPCLMULQDQ) and a portable fallback.
        .target(name: "CCRC32C"),
        // Read-only file windows (mmap) that survive the file's truncation (no SIGBUS): a checksum pass without a copy.
        .target(name: "CMappedFile"),

        // OpenSSL EVP wrappers: AES-256-GCM, HKDF, HMAC, digests, RNG, secret bytes. No I/O.
        .target(name: "OBSCrypto", dependencies: ["CCRC32C", "COpenSSL"]),
        // Every date format read or written (HTTP, SigV4, RFC 3339, ISO 8601): pure functions, no formatter.
        .target(name: "OBSTime"),
        // Shared vocabulary and the storage protocol both backends implement.
        .target(name: "OBSCore", dependencies: ["OBSCrypto", "CLinuxSystem", "CMappedFile"]),
        // Request signers (OBS, AWS V2, AWS SigV4, presigned forms): pure functions of request, credentials, time.
        .target(name: "OBSSigner", dependencies: ["OBSCrypto", "OBSTime"]),
        // OBS/S3 XML bodies and strict response parsers over libexpat (no libxml2 and ICU at start-up).
        .target(name: "OBSXML", dependencies: ["CExpat", "OBSCore", "OBSCrypto", "OBSTime"]),
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
                "OBSCore", "OBSLocalBackend", "OBSClient", "OBSServer", "OBSSigner", "OBSTime", "OBSTransfer",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]),
        .executableTarget(name: "obsctl", dependencies: ["ObsctlCLI"]),
        // The server behind `obsctl serve`: OBS/S3 and KMS APIs over the embedded backend as plain request ->
        // response functions (authentication, routing, XML and JSON), testable in process without a socket.
        .target(
            name: "OBSServer",
            dependencies: ["OBSCore", "OBSCrypto", "OBSLocalBackend", "OBSSigner", "OBSTime", "OBSXML"]),
        // The HTTP listener for OBSServer (Hummingbird over SwiftNIO, TLS by swift-nio-ssl). A program of its own so
        // that only `obsctl serve`, which execs it, loads the server stack: obsctl's start-up stays as it was.
        .executableTarget(
            name: "obsctl-serve",
            dependencies: [
                "OBSServer", "ObsctlCLI", "CLinuxSystem",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "HummingbirdTLS", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOHTTPTypes", package: "swift-nio-extras"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
            ]),

        .testTarget(name: "OBSCryptoTests", dependencies: ["OBSCrypto"]),
        .testTarget(name: "OBSCoreTests", dependencies: ["OBSCore"]),
        .testTarget(name: "OBSTimeTests", dependencies: ["OBSTime"]),
        // Vectors/: signature vectors made with Huawei's SDKs, read by path (no Bundle.module needed).
        .testTarget(name: "OBSSignerTests", dependencies: ["OBSSigner", "OBSCrypto"], exclude: ["Vectors"]),
        .testTarget(name: "OBSXMLTests", dependencies: ["OBSXML", "OBSCore"]),
        .testTarget(name: "OBSClientTests", dependencies: ["OBSClient", "OBSCore", "OBSCrypto", "OBSSigner"]),
        .testTarget(name: "OBSLocalBackendTests", dependencies: ["OBSLocalBackend", "OBSCore", "OBSCrypto"]),
        .testTarget(name: "OBSTransferTests", dependencies: ["OBSTransfer", "OBSCore", "OBSLocalBackend"]),
        .testTarget(name: "OBSServerTests", dependencies: ["OBSServer", "OBSCore", "OBSLocalBackend", "OBSSigner"]),
        .testTarget(name: "ObsctlCLITests", dependencies: ["ObsctlCLI", "obsctl", "obsctl-serve", "OBSCrypto"]),
    ]
)
