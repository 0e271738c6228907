//! Parser and runner tests on small inline files.

use super::*;
use crate::conformance::mock::{MOCK, NONE_REASON, PARAMS_REASON, mock_seal};
use crate::conformance::outcome::SuiteRecord;

const DECRYPT: &str = "\
# CAVS 14.0
# GCM Decrypt with keysize 128 test information

[Keylen = 128]
[IVlen = 96]
[PTlen = 0]
[AADlen = 0]
[Taglen = 128]

Count = 0
Key = cf063a34d4a9a76c2c86787d3f96db71
IV = 113b9785971864c83b01c787
CT = 
AAD =
Tag = 72ac8493e3a5228b5d130a69d2510e42
PT = 

Count = 1
Key = a49a5e26a2f8cb63d05546c2a62f5343
IV = 907763b19b9b4ab6bd4f0281
CT = 
AAD = 
Tag = a2be08210d8c470a8df6e8fbd79ec5cf
FAIL

[Keylen = 128]
[IVlen = 8]
[PTlen = 16]
[AADlen = 8]
[Taglen = 32]

Count = 0
Key = bb01d703811c101a35e0ffd291baf24b
IV = ca
CT = 6b5f
AAD = 40
Tag = 0690ed01
PT = 57ce
";

fn decrypt(text: &str) -> Result<RspFile, NistError> {
    parse_rsp_str("gcmDecrypt128.rsp", RspKind::Decrypt, text)
}

fn encrypt(text: &str) -> Result<RspFile, NistError> {
    parse_rsp_str("gcmEncryptExtIV128.rsp", RspKind::Encrypt, text)
}

#[test]
fn parses_sections_records_fail_and_empty_values() {
    let f = decrypt(DECRYPT).unwrap();
    assert_eq!(f.kind, RspKind::Decrypt);
    assert_eq!(f.sections.len(), 2);
    let s = &f.sections[0];
    assert_eq!(
        (
            s.line, s.key_bits, s.iv_bits, s.pt_bits, s.aad_bits, s.tag_bits
        ),
        (4, 128, 96, 0, 0, 128)
    );
    assert_eq!(s.records.len(), 2);
    assert_eq!(s.records[0].line, 10);
    assert_eq!(s.records[0].pt, Some(vec![]));
    assert_eq!(s.records[0].ct, Vec::<u8>::new());
    assert_eq!(s.records[1].count, 1);
    assert_eq!(s.records[1].pt, None);
    let r = &f.sections[1].records[0];
    assert_eq!(r.iv, vec![0xca]);
    assert_eq!(r.pt, Some(vec![0x57, 0xce]));
    assert_eq!(r.tag, hex::decode("0690ed01").unwrap());
}

#[test]
fn crlf_and_lf_parse_identically() {
    let crlf = DECRYPT.replace('\n', "\r\n");
    assert_eq!(decrypt(&crlf).unwrap(), decrypt(DECRYPT).unwrap());
}

/// Replaces the first occurrence of `from` in [`DECRYPT`] and returns the error.
fn decrypt_error(from: &str, to: &str) -> NistError {
    assert!(DECRYPT.contains(from), "{from}");
    decrypt(&DECRYPT.replacen(from, to, 1)).unwrap_err()
}

#[test]
fn malformed_files_name_the_problem_and_line() {
    let cases: Vec<(NistError, usize, &str)> = vec![
        (
            decrypt_error("IV = 113b", "Nonce = 113b"),
            12,
            "unknown key `Nonce`",
        ),
        (
            decrypt_error("[Taglen = 128]", "[Tagsize = 128]"),
            8,
            "unknown key `Tagsize`",
        ),
        (
            decrypt_error("AAD =\n", "AAD =\nAAD = \n"),
            15,
            "duplicate `AAD`",
        ),
        (
            decrypt_error("[IVlen = 96]\n", "[IVlen = 96]\n[IVlen = 96]\n"),
            6,
            "duplicate `IVlen`",
        ),
        (
            decrypt_error("IV = 113b9785971864c83b01c787\n", ""),
            10,
            "record has no `IV`",
        ),
        (decrypt_error("PT = \n", ""), 10, "record has no `PT`"),
        (
            decrypt_error("[AADlen = 0]\n", ""),
            4,
            "section header has no `[AADlen = ..]`",
        ),
        (
            decrypt_error("Key = cf06", "Key = zz06"),
            11,
            "`Key` is not valid hex",
        ),
        (
            decrypt_error("Tag = 72ac", "Tag = 72"),
            15,
            "`Tag` has 120 bits, the section header says 128",
        ),
        (
            decrypt_error("CT = \n", "CT = 00\n"),
            13,
            "`CT` has 8 bits, the section header says 0",
        ),
        (
            decrypt_error("Count = 1", "Count = one"),
            18,
            "`Count` is not a decimal number",
        ),
        (
            decrypt_error("FAIL", "PT = \nFAIL"),
            25,
            "both `PT` and `FAIL`",
        ),
        (decrypt_error("FAIL", "FAIL\nFAIL"), 25, "duplicate `FAIL`"),
        (
            decrypt_error("Count = 1\n", ""),
            18,
            "`Key` outside a record",
        ),
        (
            decrypt_error("Count = 0\n", "Count = 0\n\n"),
            10,
            "record has no `Key`",
        ),
        (
            decrypt_error(
                "[Keylen = 128]\n[IVlen = 96]\n[PTlen = 0]\n[AADlen = 0]\n[Taglen = 128]\n",
                "",
            ),
            5,
            "record before any section header",
        ),
        (
            decrypt_error("Count = 0\n", "Count: 0\n"),
            10,
            "cannot parse `Count: 0`",
        ),
        (
            decrypt_error("[Keylen = 128]", "[Keylen = 128"),
            4,
            "cannot parse",
        ),
    ];
    for (err, line, text) in cases {
        assert_eq!(err.line(), Some(line), "{err}");
        let msg = err.to_string();
        assert!(
            msg.starts_with(&format!("gcmDecrypt128.rsp:{line}: ")),
            "{msg}"
        );
        assert!(msg.contains(text), "{msg} should contain {text}");
    }
}

#[test]
fn fail_in_an_encrypt_file_is_an_error() {
    let text = "[Keylen = 128]\n[IVlen = 8]\n[PTlen = 0]\n[AADlen = 0]\n[Taglen = 32]\n\n\
                Count = 0\nKey = 00000000000000000000000000000000\nIV = 00\nPT = \nAAD = \nCT = \nTag = 00000000\nFAIL\n";
    let err = encrypt(text).unwrap_err();
    assert!(
        matches!(err, NistError::FailInEncryptFile { line: 14, .. }),
        "{err}"
    );
}

#[test]
fn empty_files_and_trailing_headers_are_errors() {
    assert!(matches!(
        decrypt("# only a comment\n"),
        Err(NistError::NoRecords { .. })
    ));
    let trailing = format!("{DECRYPT}\n[Keylen = 256]\n");
    let err = decrypt(&trailing).unwrap_err();
    assert!(
        matches!(err, NistError::EmptySection { line: 40, .. }),
        "{err}"
    );
}

#[test]
fn parse_rsp_takes_the_kind_from_the_name_and_reports_io_errors() {
    let dir = std::env::temp_dir().join(format!("sealbench-nist-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("gcmDecrypt128.rsp");
    std::fs::write(&path, DECRYPT).unwrap();
    assert_eq!(parse_rsp(&path).unwrap().kind, RspKind::Decrypt);
    let other = dir.join("gcm128.rsp");
    std::fs::write(&other, DECRYPT).unwrap();
    assert!(matches!(
        parse_rsp(&other),
        Err(NistError::UnknownKind { .. })
    ));
    let missing = dir.join("gcmEncryptExtIV999.rsp");
    assert!(matches!(parse_rsp(&missing), Err(NistError::Io { .. })));
    std::fs::remove_dir_all(&dir).unwrap();
}

/// A file whose records were sealed with the mock AEAD, with one of each kind of case.
fn mock_file(kind: RspKind) -> RspFile {
    let key = [7u8; 16];
    let nonce = [1u8; 12];
    let (ct, tag) = mock_seal(&key, &nonce, b"aad", b"plaintext", 16);
    let good = Record {
        line: 10,
        count: 0,
        key: key.to_vec(),
        iv: nonce.to_vec(),
        aad: b"aad".to_vec(),
        ct: ct.clone(),
        tag: tag.clone(),
        pt: Some(b"plaintext".to_vec()),
    };
    let mut bad_tag = good.clone();
    bad_tag.tag[0] ^= 1;
    bad_tag.pt = None;
    let mut wrong_ct = good.clone();
    wrong_ct.ct[0] ^= 1;
    let section = |iv_bits, tag_bits, key_bits, records: Vec<Record>| Section {
        line: 1,
        key_bits,
        iv_bits,
        pt_bits: 72,
        aad_bits: 24,
        tag_bits,
        records,
    };
    let mut sections = vec![
        section(96, 128, 128, vec![good.clone(), wrong_ct]),
        section(8, 128, 128, vec![good.clone()]),
        section(96, 32, 128, vec![good.clone()]),
        section(4, 128, 128, vec![good.clone()]),
        section(96, 128, 192, vec![good.clone(), good.clone()]),
    ];
    if kind == RspKind::Decrypt {
        sections[0].records.push(bad_tag);
    }
    RspFile {
        name: "gcmMock.rsp".to_string(),
        kind,
        sections,
    }
}

fn find<'a>(records: &'a [SuiteRecord], alg: &str) -> &'a SuiteRecord {
    records.iter().find(|r| r.algorithm == alg).unwrap()
}

#[test]
fn runner_buckets_pass_fail_and_unsupported_sections() {
    for kind in [RspKind::Encrypt, RspKind::Decrypt] {
        let file = mock_file(kind);
        let records = run_nist(&MOCK, &file);
        assert_eq!(records.len(), 2, "one record per key length");
        let aes128 = find(&records, "aes128gcm");
        assert_eq!(aes128.suite, "nist-cavp/gcmMock");
        let fail_records = u64::from(kind == RspKind::Decrypt);
        assert_eq!(
            aes128.passed,
            1 + fail_records,
            "good record and FAIL record"
        );
        assert_eq!(aes128.failed, 1, "wrong CT");
        assert!(
            aes128.failures[0].starts_with("gcmMock.rsp:10 Count = 0: seal"),
            "{:?}",
            aes128.failures
        );
        assert_eq!(aes128.unsupported, 3);
        assert_eq!(aes128.unsupported_reasons.get(PARAMS_REASON), Some(&2));
        assert_eq!(
            aes128
                .unsupported_reasons
                .get("IV length not a whole number of bytes"),
            Some(&1)
        );
        let total: usize = file
            .sections
            .iter()
            .filter(|s| s.key_bits == 128)
            .map(|s| s.records.len())
            .sum();
        assert_eq!(aes128.total(), total as u64);

        let aes192 = find(&records, "aes192gcm");
        assert_eq!(
            (aes192.passed, aes192.failed, aes192.unsupported),
            (0, 0, 2)
        );
    }
}

#[test]
fn unsupported_algorithm_makes_every_record_unsupported() {
    let file = mock_file(RspKind::Encrypt);
    let records = run_nist(&crate::conformance::mock::NOTHING, &file);
    let aes128 = find(&records, "aes128gcm");
    assert_eq!(aes128.passed + aes128.failed, 0);
    assert_eq!(aes128.unsupported_reasons.get(NONE_REASON), Some(&5));
}
