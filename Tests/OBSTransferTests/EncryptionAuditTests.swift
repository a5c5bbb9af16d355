import OBSCore
import OBSTransfer
import Testing

@Suite("Encryption audit: requirements, summary, apply decisions")
struct EncryptionAuditTests {
    let plain = ObjectEncryption(mode: .unencrypted)
    let obs = ObjectEncryption(mode: .obs)
    let kmsA = ObjectEncryption(mode: .kms, kmsKeyID: "aaaa", kmsKeyURN: "local:d:key/aaaa")
    let kmsB = ObjectEncryption(mode: .kms, kmsKeyID: "bbbb", kmsKeyURN: "local:d:key/bbbb")
    let cKnown = ObjectEncryption(mode: .c, customerKeyMD5: "md5-1")
    let cUnknown = ObjectEncryption(mode: .c)

    @Test("each requirement accepts exactly the modes it names; a KMS key matches by id, URN or URN suffix")
    func requirements() {
        let all = [plain, obs, kmsA, kmsB, cKnown, cUnknown]
        func met(_ r: EncryptionRequirement) -> [Bool] { all.map(r.isMet) }
        #expect(met(.unencrypted) == [true, false, false, false, false, false])
        #expect(met(.obs) == [false, true, false, false, false, false])
        #expect(met(.kms(keyID: nil)) == [false, false, true, true, false, false])
        #expect(met(.kms(keyID: "aaaa")) == [false, false, true, false, false, false])
        #expect(met(.kms(keyID: "local:d:key/bbbb")) == [false, false, false, true, false, false])
        #expect(met(.customer(keyMD5: nil)) == [false, false, false, false, true, true])
        #expect(met(.customer(keyMD5: "md5-1")) == [false, false, false, false, true, false])
        #expect(met(.any) == [false, true, true, true, true, true])
        // A key id that is only a prefix of the object's is not the same key.
        #expect(!EncryptionRequirement.kms(keyID: "aaa").isMet(by: kmsA))
        #expect(EncryptionRequirement(BucketEncryption.kms(keyID: "aaaa")) == .kms(keyID: "aaaa"))
        #expect(EncryptionRequirement(BucketEncryption.obs) == .obs)
    }

    @Test("the summary counts objects and bytes per mode and per key, the shortfall and the difference to the default")
    func summary() {
        var s = EncryptionSummary(requirement: .kms(keyID: "aaaa"), bucketDefault: .obs)
        let met = [(plain, 1), (obs, 10), (kmsA, 100), (kmsA, 1000), (kmsB, 10_000), (cUnknown, 100_000)].map {
            s.add($0.0, size: Int64($0.1))
        }
        #expect(met == [false, false, true, true, false, false])
        s.addUnreadable(size: 7)
        #expect(s.total == Tally(objects: 7, bytes: 111_118))
        #expect(s.modes.map(\.mode) == [.unencrypted, .obs, .kms, .c])
        #expect(s.byMode[.kms] == Tally(objects: 3, bytes: 11_100))
        #expect(s.kmsKeys.map(\.key) == ["aaaa", "bbbb"])
        #expect(s.byKMSKey["aaaa"] == Tally(objects: 2, bytes: 1100))
        #expect(s.shortfall == Tally(objects: 4, bytes: 110_011))
        #expect(s.differingFromDefault == Tally(objects: 5, bytes: 111_101), "all but the SSE-OBS object")
        #expect(s.unreadable == Tally(objects: 1, bytes: 7))

        var none = EncryptionSummary(requirement: nil, bucketDefault: nil)
        let meets = none.add(plain, size: 1)
        #expect(meets, "no requirement: everything meets it")
        #expect(none.shortfall == Tally() && none.differingFromDefault == Tally())
    }

    @Test("apply: right objects are left alone, SSE-C needs its own key, everything else converts")
    func decisions() {
        let target = EncryptionRequirement.kms(keyID: "aaaa")
        #expect(ApplyDecision(kmsA, target: target, sourceKeyMD5: nil) == .alreadyRight)
        #expect(ApplyDecision(kmsB, target: target, sourceKeyMD5: nil) == .convert)
        #expect(ApplyDecision(plain, target: target, sourceKeyMD5: nil) == .convert)
        #expect(ApplyDecision(obs, target: target, sourceKeyMD5: "x") == .convert)
        #expect(ApplyDecision(cUnknown, target: target, sourceKeyMD5: nil) == .skipNoCustomerKey)
        #expect(ApplyDecision(cUnknown, target: target, sourceKeyMD5: "md5-1") == .skipOtherCustomerKey)
        #expect(ApplyDecision(cKnown, target: target, sourceKeyMD5: "md5-1") == .convert)
        #expect(ApplyDecision(cKnown, target: .customer(keyMD5: "md5-1"), sourceKeyMD5: "md5-1") == .alreadyRight)
        #expect(ApplyDecision(cKnown, target: .customer(keyMD5: "md5-2"), sourceKeyMD5: "md5-1") == .convert)

        var plan = ApplyPlan()
        plan.add(.convert, mode: .unencrypted, size: 5)
        plan.add(.convert, mode: .kms, size: 6)
        plan.add(.convert, mode: .unencrypted, size: 7)
        plan.add(.alreadyRight, mode: .kms, size: 8)
        plan.add(.skipNoCustomerKey, mode: .c, size: 9)
        #expect(plan.convert == Tally(objects: 3, bytes: 18))
        #expect(plan.modes.map(\.mode) == [.unencrypted, .kms])
        #expect(plan.convertByMode[.unencrypted] == Tally(objects: 2, bytes: 12))
        #expect(plan.alreadyRight == Tally(objects: 1, bytes: 8))
        #expect(plan.skipped == Tally(objects: 1, bytes: 9))
    }
}

/// Whose key a copy's KMS failure concerns: the target's stops a run (every other copy would fail alike), the
/// source's fails that object alone.
@Suite("a copy's KMS failure: the target's key or the source's")
struct CopyKMSFailureTests {
    let plain = ObjectEncryption(mode: .unencrypted)
    let underSource = ObjectEncryption(mode: .kms, kmsKeyID: "src-id", kmsKeyURN: "local:obs:key/src-id")

    func concerns(_ e: OBSError, targetKey: String? = "tgt-id", source: ObjectEncryption?) -> Bool {
        ObjectEncryption.failureConcernsTarget(e, targetKey: targetKey, source: source)
    }

    @Test func keyStates() {
        #expect(concerns(.kmsDisabled("tgt-id", state: "disabled"), source: nil))
        #expect(concerns(.kmsDisabled("tgt-id", state: "disabled"), source: plain))
        #expect(!concerns(.kmsDisabled("src-id", state: "disabled"), source: underSource))
        #expect(!concerns(.kmsDisabled("src-id", state: "disabled"), source: nil), "names another key")
        #expect(!concerns(.kmsDisabled("x", state: "disabled"), targetKey: nil, source: nil), "no evidence")
        #expect(!concerns(.noSuchBucket("b"), source: plain), "not a KMS failure")
    }

    @Test func policyDenials() {
        let create = OBSError.kmsPermissionDenied("kms:dek:create"),
            crypto = OBSError.kmsPermissionDenied("kms:dek:crypto")
        // Only a new data key needs kms:dek:create: the target's, whatever the source.
        for source in [nil, plain, underSource] { #expect(concerns(create, targetKey: nil, source: source)) }
        // Unwrapping a key is the source's when it has one (or may have: unknown).
        #expect(!concerns(crypto, source: underSource))
        #expect(!concerns(crypto, targetKey: nil, source: nil))
        #expect(!concerns(crypto, source: nil))
        #expect(concerns(crypto, source: plain), "a plain source unwraps nothing")
        // A denial that names no permission (a service's 403): the target's where its key is known.
        let bare = OBSError(code: "AccessDenied", message: "denied", httpStatus: 403, category: .kms)
        #expect(concerns(bare, source: nil))
        #expect(!concerns(bare, targetKey: nil, source: nil))
        #expect(concerns(bare, targetKey: nil, source: underSource))
    }
}
