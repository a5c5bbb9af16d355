import Foundation
import OBSCore
import OBSSigner

/// Huawei KMS (DEW) as obsctl's key management: the signed requests of `KMSRequests` sent over libcurl with the
/// OBS endpoint's TLS trust (`--ca-bundle`, `--insecure`), retries (5xx, 429, network) and `--debug` dump; errors
/// mapped by `KMSErrors`. The project id is the one given, else the one cached for this KMS endpoint, region and
/// access key, else asked of IAM (then cached). Safe to share: one request at a time goes over the one connection
/// (`transport` is only used under its lock), and the project id is read and set under its own.
public final class RemoteKMS: KeyManagement, Sendable {
    public let settings: KMSSettings
    let credentials: Credentials
    let transportOptions: TransportOptions
    let policy: RetryPolicy
    let debugLog: DebugLog?
    let cache: KMSProjectCache?
    let sleep: @Sendable (TimeInterval) -> Void
    private let transport = Exclusive<HTTPTransport?>(nil)
    /// The project id once known, and where it came from.
    private let project = Locked<KnownProject?>(nil)

    struct KnownProject: Sendable {
        enum Source: Sendable {
            /// `--project-id`, `OBSCTL_PROJECT_ID` or the profile: the user's word, never dropped.
            case given(origin: String)
            /// The cache's entry under this key.
            case cached(key: String)
            /// IAM's answer, just now.
            case iam
        }
        var id: String
        var source: Source
    }

    public init(
        settings: KMSSettings, credentials: Credentials, transport: TransportOptions, retries: Int,
        debug: DebugLog?, cache: KMSProjectCache?
    ) {
        self.settings = settings
        self.credentials = credentials
        self.transportOptions = transport
        self.policy = RetryPolicy(retries: max(0, retries))
        self.debugLog = debug
        self.cache = cache
        self.sleep = { Thread.sleep(forTimeInterval: $0) }
    }

    // MARK: Sending

    /// Sends the request `make` builds (signed anew for each attempt: a fresh X-Sdk-Date), resending 5xx (but
    /// 501), 429 and retryable network failures with the OBS backoff. Any answer that is not resent is returned.
    func exchange(_ service: String, _ endpoint: ServiceEndpoint, _ make: () -> HTTPRequest) throws -> HTTPResponse {
        var retries = 0
        while true {
            do {
                let response = try transport.withLock { t in
                    if t == nil { t = try CurlTransport(options: transportOptions) }
                    // Signed once the connection is ours: a wait for the lock does not age the X-Sdk-Date.
                    let request = make()
                    debugLog?.write(DebugDump.request(request))
                    let response = try t!.send(request, responseSink: nil)
                    debugLog?.write(DebugDump.response(response))
                    return response
                }
                guard KMSErrors.isRetryable(status: response.status), retries < policy.retries else { return response }
            } catch let e as TransportError {
                if e.isTLSVerification {
                    throw OBSError(
                        code: "TLSError",
                        message: "TLS connection to \(service) at \(endpoint.url) (\(endpoint.origin)) failed: "
                            + "\(e.message); for a private CA pass --ca-bundle FILE",
                        httpStatus: 0, category: .configuration)
                }
                guard e.retryable, retries < policy.retries else {
                    throw OBSError(
                        code: "NetworkError",
                        message: "cannot reach \(service) at \(endpoint.url) (\(endpoint.origin)): \(e.message)"
                            + (retries > 0 ? " (after \(retries) retries)" : ""),
                        httpStatus: 0, category: .transient)
                }
            }
            retries += 1
            sleep(policy.delay(beforeRetry: retries, jitter: Double.random(in: 0...1)))
        }
    }

    /// The project id KMS's paths carry: given, cached, or looked up through IAM (`GET /v3/projects?name=REGION`).
    public func projectID() throws -> String { try knownProject().id }

    /// `useCache` false: the cached id was refused, so IAM is asked (and the cache updated).
    func knownProject(useCache: Bool = true) throws -> KnownProject {
        if let known = project.value { return known }
        if let given = settings.projectID {
            let known = KnownProject(id: given.value, source: .given(origin: given.origin))
            project.value = known
            return known
        }
        guard let region = settings.region, let iam = settings.iamEndpoint else {
            throw OBSError.configuration(
                "no project id for Huawei KMS at \(settings.endpoint.url) and no region to look it up through IAM; "
                    + "pass --project-id ID (the console's My Credentials page lists it) or --region REGION")
        }
        let key = KMSProjectCache.key(kms: settings.endpoint, region: region, accessKeyID: credentials.accessKeyID)
        if useCache, let cache, let cached = cache.lookup(key) {
            debugLog?.write("* project id \(cached) of region \(region) from \(cache.path)")
            let known = KnownProject(id: cached, source: .cached(key: key))
            project.value = known
            return known
        }
        let response = try exchange("IAM", iam) {
            KMSRequests.projectLookup(region: region, iam: iam, credentials: credentials, date: Date())
        }
        let id = try KMSRequests.projectID(fromIAM: response, region: region, iam: iam)
        cache?.store(id, for: key)
        let known = KnownProject(id: id, source: .iam)
        project.value = known
        return known
    }

    /// One KMS operation: its answer read as `T`, or the mapped error (`KMSErrors`) naming `keyRef` / `alias`.
    /// A cached project id that KMS does not know (it went stale) is dropped from the cache, IAM is asked once
    /// more, and the operation is sent once more; a project id given by the user or just found is not retried.
    func call<T: Decodable>(
        _ op: KMSOperation, _ body: some KMSRequestBody, as type: T.Type, keyRef: String? = nil, alias: String? = nil
    ) throws -> T {
        var known = try knownProject()
        var r = try send(op, body, projectID: known.id)
        if KMSErrors.isUnknownProject(r), case .cached(let key) = known.source {
            debugLog?.write(
                "* Huawei KMS does not know the cached project id \(known.id): dropped from "
                    + "\(cache?.path ?? "the cache"), asking IAM again")
            cache?.remove(key, ifStill: known.id)
            project.update { if $0?.id == known.id { $0 = nil } }
            known = try knownProject(useCache: false)
            r = try send(op, body, projectID: known.id)
        }
        if KMSErrors.isUnknownProject(r) { throw unknownProject(known, r) }
        guard (200...299).contains(r.status) else {
            throw KMSErrors.map(r, operation: op, keyRef: keyRef, alias: alias, endpoint: settings.endpoint)
        }
        return try op.decode(T.self, from: r.body)
    }

    private func send(_ op: KMSOperation, _ body: some KMSRequestBody, projectID: String) throws -> HTTPResponse {
        let endpoint = settings.endpoint
        return try exchange("Huawei KMS", endpoint) {
            KMSRequests.request(
                op, body: body, endpoint: endpoint, projectID: projectID, credentials: credentials, date: Date())
        }
    }

    /// KMS refused `known` as a project id: which one, where it came from, and what to do (exit 12).
    private func unknownProject(_ known: KnownProject, _ r: HTTPResponse) -> OBSError {
        let e = KMSServerError(r)
        let said = "(\(e.code): \(e.message))"
        let kms = "Huawei KMS at \(settings.endpoint.url) (\(settings.endpoint.origin))"
        let message: String
        switch known.source {
        case .given(let origin):
            message =
                "\(kms) does not know project id \(known.id) (from \(origin)) \(said): the project id is wrong for "
                + "this region or these credentials; correct it (the console's My Credentials page lists it), "
                + "or leave it out to look it up through IAM"
        case .cached, .iam:
            message =
                "\(kms) does not know project id \(known.id), which IAM gave for region "
                + "\(settings.region ?? "?") \(said); check that the KMS endpoint and the region agree, "
                + "or pass --project-id ID"
        }
        return OBSError(
            code: e.code, message: message + (e.requestID.map { " [request id \($0)]" } ?? ""),
            httpStatus: e.status, category: .configuration, requestID: e.requestID)
    }

    // MARK: Keys

    /// Every key of the project, of every key spec, page by page.
    public func allKeys() throws -> [KMSKeyDetails] {
        var listing = KMSKeyListing()
        while let body = listing.nextRequest { try listing.add(call(.listKeys, body, as: KMSListKeysResponse.self)) }
        return listing.keys
    }

    /// The key `ref` names: an id or URN described (`kms:cmk:get`), an alias found in the list (`kms:cmk:list`).
    public func details(_ ref: String) throws -> KMSKeyDetails {
        switch KMSKeyReference(ref) {
        case .keyID(let id, _, _):
            return try call(.describeKey, KMSKeyIDBody(keyID: id), as: KMSDescribeKeyResponse.self, keyRef: ref).keyInfo
        case .alias: return try KMSKeyReference.find(ref, in: allKeys())
        }
    }

    /// The key id of `ref`: as written for an id or URN, looked up for an alias.
    func keyID(_ ref: String) throws -> String {
        if let id = KMSKeyReference(ref).keyID { return id }
        return try details(ref).keyID
    }

    func info(_ d: KMSKeyDetails) -> KMSKeyInfo { d.info(region: settings.region) }

    /// The key an SSE-KMS write names, checked before any byte is sent: it must exist and be enabled (exit 5).
    /// Returns the key id to send for an alias or an id (as KMS writes it), the URN itself for a URN (OBS takes both).
    public func keyForEncryption(_ ref: String) throws -> String {
        let d = try details(ref)
        if let refused = d.state.unusable(keyID: ref) { throw refused }
        if case .keyID(_, _?, _) = KMSKeyReference(ref) { return ref }  // a URN, for OBS to check as well
        return d.keyID
    }

    public func createKey(alias: String?, description: String) throws -> KMSKeyInfo {
        guard let alias else {
            throw OBSError.invalidArgument("Huawei KMS needs an alias for a new key: pass --alias NAME")
        }
        let body = KMSCreateKeyBody(keyAlias: alias, keyDescription: description.isEmpty ? nil : description)
        let created = try call(.createKey, body, as: KMSCreateKeyResponse.self, alias: alias)
        return try describeKey(created.keyInfo.keyID)
    }

    /// The keys OBS can encrypt objects with (`obs/default` among them, marked as the default key).
    public func listKeys() throws -> [KMSKeyInfo] {
        try allKeys().filter(\.canEncryptOBSObjects).map(info)
    }

    public func describeKey(_ ref: String) throws -> KMSKeyInfo { info(try details(ref)) }

    public func enableKey(_ ref: String) throws -> KMSKeyInfo { try change(.enableKey, ref) }

    public func disableKey(_ ref: String) throws -> KMSKeyInfo { try change(.disableKey, ref) }

    public func scheduleKeyDeletion(_ ref: String, pendingDays: Int) throws -> KMSKeyInfo {
        let id = try keyID(ref)
        _ = try call(
            .scheduleKeyDeletion, KMSScheduleDeletionBody(keyID: id, pendingDays: pendingDays),
            as: KMSKeyStateResponse.self, keyRef: ref)
        return try describeKey(id)
    }

    public func cancelKeyDeletion(_ ref: String) throws -> KMSKeyInfo { try change(.cancelKeyDeletion, ref) }

    /// A state change, then the key as it now is.
    private func change(_ op: KMSOperation, _ ref: String) throws -> KMSKeyInfo {
        let id = try keyID(ref)
        _ = try call(op, KMSKeyIDBody(keyID: id), as: KMSKeyStateResponse.self, keyRef: ref)
        return try describeKey(id)
    }
}
