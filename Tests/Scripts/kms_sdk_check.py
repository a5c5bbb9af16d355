"""Drives `obsctl serve`'s KMS API with Huawei's own Python SDK (huaweicloudsdkkms 3.1.219).

Usage: kms_sdk_check.py SCENARIO ENDPOINT REGION PROJECT_ID
Credentials come from OBSCTL_SERVE_ACCESS_KEY_ID / OBSCTL_SERVE_SECRET_ACCESS_KEY. Scenarios:
  lifecycle    every key and data-key operation, with the project id given
  iam-lookup   the SDK finds the project id itself through IAM (GET /v3/projects?name=REGION)
  wrong-secret a wrong secret key: the SDK's 401 APIGW.0301
  denied       create-datakey under a policy that denies kms:dek:create: 403 KMS.0306
Prints one line per check; exits 0 when all pass, 1 on the first failure, 77 when the SDK is not installed.
"""

import hashlib
import os
import sys

try:
    from huaweicloudsdkcore.auth.credentials import BasicCredentials
    from huaweicloudsdkcore.exceptions import exceptions
    from huaweicloudsdkcore.region.region import Region
    from huaweicloudsdkkms.v2 import KmsClient
    from huaweicloudsdkkms.v2 import model as m
except ImportError as e:  # the Swift suite is skipped by its trait before this; 77 for other callers
    print(f"huaweicloudsdkkms is not importable ({e}): pip install huaweicloudsdkkms==3.1.219")
    sys.exit(77)


def check(condition, what):
    if not condition:
        print(f"FAIL {what}")
        sys.exit(1)
    print(f"ok {what}")


def client(endpoint, region, project_id, secret=None, lookup=False):
    ak = os.environ["OBSCTL_SERVE_ACCESS_KEY_ID"]
    sk = secret or os.environ["OBSCTL_SERVE_SECRET_ACCESS_KEY"]
    if lookup:
        credentials = BasicCredentials(ak, sk).with_iam_endpoint(endpoint)
        return KmsClient.new_builder().with_credentials(credentials).with_region(Region(region, endpoint)).build()
    credentials = BasicCredentials(ak, sk, project_id)
    return KmsClient.new_builder().with_credentials(credentials).with_endpoint(endpoint).build()


def expect_error(call, status, code, what):
    try:
        call()
    except exceptions.ClientRequestException as e:
        check(e.status_code == status and e.error_code == code, f"{what}: {e.status_code} {e.error_code}")
        return e
    check(False, f"{what}: no error")


def lifecycle(kms):
    created = kms.create_key(m.CreateKeyRequest(m.CreateKeyRequestBody(key_alias="sdk-one", key_description="d1")))
    key = created.key_info.key_id
    check(len(key) == 36 and len(created.key_info.domain_id) == 32, "create_key returns key_id and domain_id")
    expect_error(
        lambda: kms.create_key(m.CreateKeyRequest(m.CreateKeyRequestBody(key_alias="sdk-one"))),
        400, "KMS.1104", "alias taken")
    others = [kms.create_key(m.CreateKeyRequest(m.CreateKeyRequestBody(key_alias=f"sdk-{i}"))).key_info.key_id
              for i in range(2, 5)]

    seen, marker, pages = [], None, 0
    while True:
        page = kms.list_keys(m.ListKeysRequest(m.ListKeysRequestBody(limit="2", marker=marker, key_spec="ALL")))
        pages += 1
        check(len(page.keys) <= 2 and page.total == 4, f"list_keys page {pages}: {len(page.keys)} of {page.total}")
        seen += [d.key_id for d in page.key_details]
        if page.truncated != "true":
            break
        marker = page.next_marker
    check(pages == 2 and sorted(seen) == sorted([key] + others), "list_keys pages through every key")

    detail = kms.list_key_detail(m.ListKeyDetailRequest(m.OperateKeyRequestBody(key_id=key))).key_info
    check(detail.key_alias == "sdk-one" and detail.key_state == "2" and detail.key_description == "d1"
          and detail.key_spec == "AES_256" and detail.creation_date.isdigit(), "describe key")

    r = kms.disable_key(m.DisableKeyRequest(m.OperateKeyRequestBody(key_id=key)))
    check(r.key_info.key_state == "3", "disable_key")
    expect_error(
        lambda: kms.create_datakey(m.CreateDatakeyRequest(m.CreateDatakeyRequestBody(key_id=key))),
        400, "KMS.0209", "create_datakey under a disabled key")
    r = kms.enable_key(m.EnableKeyRequest(m.OperateKeyRequestBody(key_id=key)))
    check(r.key_info.key_state == "2", "enable_key")

    victim = others[0]
    r = kms.delete_key(m.DeleteKeyRequest(m.ScheduleKeyDeletionRequestBody(key_id=victim, pending_days="7")))
    check(r.key_state == "4" and r.key_id == victim, "schedule deletion (flat answer)")
    d = kms.list_key_detail(m.ListKeyDetailRequest(m.OperateKeyRequestBody(key_id=victim))).key_info
    check(d.scheduled_deletion_date.isdigit(), "deletion date set")
    expect_error(
        lambda: kms.create_datakey(m.CreateDatakeyRequest(m.CreateDatakeyRequestBody(key_id=victim))),
        400, "KMS.0210", "create_datakey under a key pending deletion")
    r = kms.cancel_key_deletion(m.CancelKeyDeletionRequest(m.OperateKeyRequestBody(key_id=victim)))
    check(r.key_state == "3", "cancel deletion (key comes back disabled)")
    expect_error(
        lambda: kms.delete_key(m.DeleteKeyRequest(m.ScheduleKeyDeletionRequestBody(key_id=key, pending_days="3"))),
        400, "KMS.1401", "pending_days below 7")

    dk = kms.create_datakey(m.CreateDatakeyRequest(m.CreateDatakeyRequestBody(
        key_id=key, datakey_length="256", additional_authenticated_data="ctx")))
    check(dk.key_id == key and len(dk.plain_text) == 64, "create_datakey returns a 256-bit key")
    back = kms.decrypt_datakey(m.DecryptDatakeyRequest(m.DecryptDatakeyRequestBody(
        key_id=key, cipher_text=dk.cipher_text, datakey_cipher_length="32", additional_authenticated_data="ctx")))
    plain = bytes.fromhex(dk.plain_text)
    check(back.data_key == dk.plain_text and back.datakey_dgst == hashlib.sha256(plain).hexdigest(),
          "decrypt_datakey round trip")
    expect_error(
        lambda: kms.decrypt_datakey(m.DecryptDatakeyRequest(m.DecryptDatakeyRequestBody(
            key_id=key, cipher_text=dk.cipher_text, datakey_cipher_length="32", additional_authenticated_data="x"))),
        400, "KMS.2201", "decrypt_datakey with other additional data")
    expect_error(
        lambda: kms.decrypt_datakey(m.DecryptDatakeyRequest(m.DecryptDatakeyRequestBody(
            key_id=others[1], cipher_text=dk.cipher_text, datakey_cipher_length="32",
            additional_authenticated_data="ctx"))),
        400, "KMS.2201", "decrypt_datakey under another key")

    nop = kms.create_datakey_without_plaintext(m.CreateDatakeyWithoutPlaintextRequest(
        m.CreateDatakeyRequestBody(key_id="sdk-one")))
    check(nop.key_id == key and nop.cipher_text and getattr(nop, "plain_text", None) is None,
          "create_datakey_without_plaintext by alias")

    own = os.urandom(32)
    enc = kms.encrypt_datakey(m.EncryptDatakeyRequest(m.EncryptDatakeyRequestBody(
        key_id=key, plain_text=(own + hashlib.sha256(own).digest()).hex(), datakey_plain_length="32")))
    check(enc.key_id == key and enc.datakey_length == "32", "encrypt_datakey")
    back = kms.decrypt_datakey(m.DecryptDatakeyRequest(m.DecryptDatakeyRequestBody(
        key_id=key, cipher_text=enc.cipher_text, datakey_cipher_length="32")))
    check(back.data_key == own.hex(), "encrypt_datakey then decrypt_datakey gives the key back")
    expect_error(
        lambda: kms.encrypt_datakey(m.EncryptDatakeyRequest(m.EncryptDatakeyRequestBody(
            key_id=key, plain_text=(own + bytes(32)).hex(), datakey_plain_length="32"))),
        400, "KMS.2103", "encrypt_datakey with a wrong digest")

    r = kms.update_key_alias(m.UpdateKeyAliasRequest(m.UpdateKeyAliasRequestBody(key_id=key, key_alias="sdk-new")))
    check(r.key_info.key_alias == "sdk-new", "update_key_alias")
    r = kms.update_key_description(m.UpdateKeyDescriptionRequest(
        m.UpdateKeyDescriptionRequestBody(key_id=key, key_description="d2")))
    check(r.key_info.key_description == "d2", "update_key_description")
    d = kms.list_key_detail(m.ListKeyDetailRequest(m.OperateKeyRequestBody(key_id="sdk-new"))).key_info
    check(d.key_id == key and d.key_description == "d2", "describe by the new alias")
    expect_error(
        lambda: kms.list_key_detail(m.ListKeyDetailRequest(m.OperateKeyRequestBody(
            key_id="00000000-0000-0000-0000-000000000000"))),
        404, "KMS.0207", "describe an unknown key")


def main():
    scenario, endpoint, region, project_id = sys.argv[1:5]
    if scenario == "lifecycle":
        lifecycle(client(endpoint, region, project_id))
    elif scenario == "iam-lookup":
        kms = client(endpoint, region, None, lookup=True)
        page = kms.list_keys(m.ListKeysRequest(m.ListKeysRequestBody(key_spec="ALL")))
        check(page.total >= 1, "list_keys with the project id looked up through IAM")
    elif scenario == "wrong-secret":
        kms = client(endpoint, region, project_id, secret="not-the-secret")
        expect_error(lambda: kms.list_keys(m.ListKeysRequest(m.ListKeysRequestBody(key_spec="ALL"))),
                     401, "APIGW.0301", "wrong secret key")
    elif scenario == "denied":
        kms = client(endpoint, region, project_id)
        key = kms.list_keys(m.ListKeysRequest(m.ListKeysRequestBody(key_spec="ALL"))).keys[0]
        e = expect_error(lambda: kms.create_datakey(m.CreateDatakeyRequest(m.CreateDatakeyRequestBody(key_id=key))),
                         403, "KMS.0306", "create_datakey denied by the policy")
        check("kms:dek:create" in e.error_msg, "the error names kms:dek:create")
    else:
        print(f"unknown scenario {scenario}")
        sys.exit(2)
    print("all passed")


if __name__ == "__main__":
    main()
