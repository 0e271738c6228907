//! The trust-store loader: the committed fixtures (`tests/data/keys/`, made by
//! `scripts/make-test-keys.sh`), every rejection, the warnings, and that secrets stay out
//! of `Debug` and error messages.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use std::path::{Path, PathBuf};

use sealbench::backend::{
    self, ALL_BACKENDS, Backend, KeyAgreementId, KeyTransportId, SignatureId,
};
use sealbench::envelope::keys::fingerprint;
use sealbench::envelope::keystore::{KeyStoreError, agreement_scalar, load_dir, load_key_file};
use sealbench::envelope::{KeyAlg, KeyMaterial, TrustStore};

const ED: KeyAlg = KeyAlg::Sign(SignatureId::Ed25519);
const ES256: KeyAlg = KeyAlg::Sign(SignatureId::EcdsaP256Sha256);
const PS256: KeyAlg = KeyAlg::Sign(SignatureId::RsaPss2048Sha256);
const X25519: KeyAlg = KeyAlg::EcdhEs(KeyAgreementId::X25519);
const P256: KeyAlg = KeyAlg::EcdhEs(KeyAgreementId::EcdhP256);

/// Every key pair fixture and its algorithm.
const PAIRS: &[(&str, KeyAlg)] = &[
    ("eddsa", ED),
    ("es256", ES256),
    ("ps256", PS256),
    ("rsa-oaep-256", KeyAlg::RsaOaep256),
    ("ecdh-es-p256", P256),
    ("ecdh-es-x25519", X25519),
];

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/keys")
}

fn fixture(name: &str) -> Vec<u8> {
    std::fs::read(fixtures().join(name)).expect("fixture")
}

fn pem_to_der(name: &str) -> Vec<u8> {
    pem_rfc7468::decode_vec(&fixture(name)).expect("PEM").1
}

/// A fresh directory under the system temp dir, removed on drop.
struct TempDir(PathBuf);

impl TempDir {
    fn new(name: &str) -> Self {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .expect("clock")
            .as_nanos();
        let dir = std::env::temp_dir().join(format!(
            "sealbench-keystore-{name}-{}-{nanos}",
            std::process::id()
        ));
        std::fs::create_dir_all(&dir).expect("temp dir");
        Self(dir)
    }

    /// Writes a file with mode 0600 (so the world-readable warning only appears on purpose).
    fn write(&self, name: &str, data: &[u8]) -> PathBuf {
        let path = self.0.join(name);
        std::fs::write(&path, data).expect("write");
        set_mode(&path, 0o600);
        path
    }

    fn copy(&self, fixture_name: &str, name: &str) -> PathBuf {
        self.write(name, &fixture(fixture_name))
    }

    fn trust(&self, toml: &str) -> Result<(TrustStore, Vec<String>), KeyStoreError> {
        self.write("trust.toml", toml.as_bytes());
        load_dir(&self.0)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

#[cfg(unix)]
fn set_mode(path: &Path, mode: u32) {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).expect("chmod");
}

#[cfg(not(unix))]
fn set_mode(_path: &Path, _mode: u32) {}

fn entry(file: &str, alg: &str, extra: &str) -> String {
    format!("[[key]]\nfile = \"{file}\"\nalg = \"{alg}\"\nrole = \"r\"\n{extra}\n")
}

/// Loads a one-entry trust store and returns the error.
fn reject(dir: &TempDir, file: &str, alg: &str, extra: &str) -> KeyStoreError {
    match dir.trust(&entry(file, alg, extra)) {
        Ok((store, _)) => panic!("{file} as {alg} loaded: {:?}", store.entries),
        Err(e) => e,
    }
}

fn public_spki(name: &str, alg: KeyAlg) -> Vec<u8> {
    let path = fixtures().join(format!("{name}.pub.pem"));
    match load_key_file(&path, alg).expect("public key") {
        KeyMaterial::Public(spki) => spki,
        other => panic!("{name}.pub.pem loaded as {other:?}"),
    }
}

/// The committed store, or `None` in a build where no backend loads one of its private
/// keys (EdDSA, PS256, ECDH-ES-P256), which must then be rejected for lack of one.
fn fixture_store() -> Option<(TrustStore, Vec<String>)> {
    let loaded = load_dir(&fixtures());
    let privates = [("eddsa", ED), ("ps256", PS256), ("ecdh-es-p256", P256)];
    if !privates.iter().all(|&(name, alg)| loadable(name, alg)) {
        let err = loaded.expect_err("a private key no backend loads");
        assert!(matches!(err, KeyStoreError::KeyRejected { .. }), "{err}");
        return None;
    }
    Some(loaded.expect("committed trust store"))
}

#[test]
fn committed_fixtures_load() {
    let Some((store, warnings)) = fixture_store() else {
        return;
    };
    // Git does not keep file modes, so a checkout may make the keys group- or
    // world-readable.
    for w in &warnings {
        assert!(w.contains("run chmod 600"), "unexpected warning: {w}");
    }
    assert_eq!(store.entries.len(), 10);
    let by_file = |alg: KeyAlg| store.entries.iter().find(|e| e.alg == alg).expect("entry");

    let ed = by_file(ED);
    assert_eq!(ed.kid, fingerprint(&public_spki("eddsa", ED)));
    assert_eq!(ed.material.spki(), Some(&public_spki("eddsa", ED)[..]));
    assert!(matches!(ed.material, KeyMaterial::Private { .. }));
    assert_eq!(ed.cert.as_deref(), Some(&pem_to_der("eddsa.crt")[..]));

    let ps = by_file(PS256);
    assert_eq!(ps.kid, b"scheduler-ps256");
    assert_eq!(ps.role, "scheduler");
    assert_eq!(ps.cert.as_deref(), Some(&pem_to_der("ps256.crt")[..]));

    let es = by_file(ES256);
    assert!(matches!(es.material, KeyMaterial::Public(_)));
    assert_eq!(es.kid, fingerprint(&public_spki("es256", ES256)));

    let x = by_file(X25519);
    assert!(x.legacy && !es.legacy);

    let a128 = by_file(KeyAlg::Aead(sealbench::backend::AeadId::Aes128Gcm));
    assert_eq!(a128.kid, [0xa1, 0x28]);
    let hex_key = String::from_utf8(fixture("a128gcm.key")).expect("hex text");
    match &a128.material {
        KeyMaterial::Symmetric(k) => assert_eq!(hex::encode(&k[..]), hex_key.trim_end()),
        other => panic!("{other:?}"),
    }
    match &by_file(KeyAlg::Hmac256).material {
        KeyMaterial::Symmetric(k) => assert_eq!(&k[..], &fixture("hmac256.key")[..]),
        other => panic!("{other:?}"),
    }

    assert!(store.policy.allows("scheduler", "boot_vm"));
    assert!(store.policy.allows("compute", "heartbeat"));
    assert!(!store.policy.allows("compute", "boot_vm"));
    assert_eq!(store.get(b"hmac-1").map(|e| e.alg), Some(KeyAlg::Hmac256));
}

/// The SPKI one backend derives from a fixture private key (ECDH: from the raw public key).
fn backend_spki(b: &Backend, name: &str, alg: KeyAlg) -> Result<Vec<u8>, backend::Error> {
    let pkcs8 = pem_to_der(&format!("{name}.pem"));
    match alg {
        KeyAlg::Sign(id) => (b.signature)(id)?.signing_key(&pkcs8)?.public_key_spki(),
        KeyAlg::RsaOaep256 => (b.key_transport)(KeyTransportId::RsaOaep2048Sha256)?
            .decrypting_key(&pkcs8)?
            .public_key_spki(),
        KeyAlg::EcdhEs(id) => {
            let scalar = agreement_scalar(&pkcs8, id).expect("scalar");
            let key = (b.key_agreement)(id)?.private_key(&scalar)?;
            let mut point = [0u8; 65];
            let n = key.public_key(&mut point)?;
            let want = public_spki(name, alg);
            assert_eq!(&point[..n], spki_key(&want), "{} {name}", b.name);
            Ok(want)
        }
        KeyAlg::Hmac256 | KeyAlg::Aead(_) => unreachable!("{name} is a key pair"),
    }
}

/// Whether some backend in this build loads the fixture private key `name`.
fn loadable(name: &str, alg: KeyAlg) -> bool {
    ALL_BACKENDS
        .iter()
        .any(|b| backend_spki(b, name, alg).is_ok())
}

/// A private key's derived SPKI is the one `openssl pkey -pubout` wrote, so both ends of
/// a link compute the same default kid; checked for every backend that loads the key.
#[test]
fn private_keys_derive_the_openssl_public_key_in_every_backend() {
    for &(name, alg) in PAIRS {
        let want = public_spki(name, alg);
        let mut loaded_by = Vec::new();
        for b in ALL_BACKENDS {
            match backend_spki(b, name, alg) {
                Ok(spki) => {
                    assert_eq!(spki, want, "{} derives another SPKI for {name}", b.name);
                    loaded_by.push(b.name);
                }
                Err(e) => eprintln!("{}: cannot load {name}.pem: {e}", b.name),
            }
        }
        let loaded = load_key_file(&fixtures().join(format!("{name}.pem")), alg);
        if loaded_by.is_empty() {
            assert!(
                matches!(loaded, Err(KeyStoreError::KeyRejected { .. })),
                "{name}"
            );
        } else {
            assert_eq!(loaded.expect(name).spki(), Some(&want[..]), "{name}");
        }
    }
}

/// The `subjectPublicKey` bytes of an SPKI.
fn spki_key(spki: &[u8]) -> &[u8] {
    use der::Decode;
    let info = spki::SubjectPublicKeyInfoRef::from_der(spki).expect("SPKI");
    let bits = info.subject_public_key.raw_bytes();
    // The BIT STRING contents are the last bytes of the SPKI.
    &spki[spki.len() - bits.len()..]
}

#[test]
fn agreement_scalar_reads_openssl_pkcs8_and_checks_the_curve() {
    let x = pem_to_der("ecdh-es-x25519.pem");
    let p = pem_to_der("ecdh-es-p256.pem");
    assert_eq!(
        agreement_scalar(&x, KeyAgreementId::X25519)
            .expect("x25519")
            .len(),
        32
    );
    assert_eq!(
        agreement_scalar(&p, KeyAgreementId::EcdhP256)
            .expect("p256")
            .len(),
        32
    );
    let wrong = [
        (&x[..], KeyAgreementId::EcdhP256),
        (&p[..], KeyAgreementId::X25519),
        (&pem_to_der("eddsa.pem")[..], KeyAgreementId::X25519),
    ];
    for (pkcs8, id) in wrong {
        let err = agreement_scalar(pkcs8, id).expect_err("wrong key type");
        assert!(matches!(err, KeyStoreError::WrongKeyType { .. }), "{err}");
    }
    let err = agreement_scalar(b"\x30\x03\x02\x01\x00", KeyAgreementId::X25519).expect_err("junk");
    assert!(matches!(err, KeyStoreError::Malformed { .. }), "{err}");
}

#[test]
fn der_files_load_like_pem() {
    let dir = TempDir::new("der");
    for &(name, alg) in PAIRS {
        let public = dir.write(
            &format!("{name}.pub.der"),
            &pem_to_der(&format!("{name}.pub.pem")),
        );
        let loaded = load_key_file(&public, alg).expect("DER public key");
        assert_eq!(loaded.spki(), Some(&public_spki(name, alg)[..]), "{name}");
        if !loadable(name, alg) {
            continue;
        }
        let private = dir.write(&format!("{name}.der"), &pem_to_der(&format!("{name}.pem")));
        let loaded = load_key_file(&private, alg).expect("DER private key");
        assert!(matches!(loaded, KeyMaterial::Private { .. }), "{name}");
    }
    dir.write("ps256.crt.der", &pem_to_der("ps256.crt"));
    dir.copy("ps256.pub.pem", "ps256.pub.pem");
    let (store, _) = dir
        .trust(&entry("ps256.pub.pem", "PS256", "cert = \"ps256.crt.der\""))
        .expect("DER certificate");
    assert_eq!(
        store.entries[0].cert.as_deref(),
        Some(&pem_to_der("ps256.crt")[..])
    );
}

#[test]
fn missing_files_are_named() {
    let dir = TempDir::new("missing");
    let err = load_dir(&dir.0).expect_err("no trust.toml");
    assert!(matches!(err, KeyStoreError::Read { .. }), "{err}");
    assert!(err.to_string().contains("trust.toml"), "{err}");

    let err = reject(&dir, "nope.pem", "EdDSA", "");
    assert!(matches!(err, KeyStoreError::Read { .. }), "{err}");
    let msg = err.to_string();
    assert!(
        msg.contains("nope.pem") && msg.contains("trust.toml:2: `file`"),
        "{msg}"
    );

    dir.copy("es256.pub.pem", "k.pem");
    let err = reject(&dir, "k.pem", "ES256", "cert = \"nope.crt\"");
    assert!(matches!(err, KeyStoreError::Read { .. }), "{err}");
    assert!(
        err.to_string().contains("nope.crt") && err.to_string().contains("`cert`"),
        "{err}"
    );

    let err = load_key_file(&dir.0.join("absent.key"), KeyAlg::Hmac256).expect_err("absent");
    assert!(matches!(err, KeyStoreError::Read { .. }) && err.to_string().contains("absent.key"));
}

#[test]
fn toml_syntax_errors_and_unknown_fields_give_the_line() {
    let dir = TempDir::new("toml");
    let cases = [
        ("[[key]]\nfile = \"a\"\nalg = ES256\n", 3, "syntax"),
        (
            "[[key]]\nfile = \"a\"\nalg = \"ES256\"\nrole = \"r\"\nalgo = \"x\"\n",
            5,
            "unknown field",
        ),
        ("[keys]\n", 1, "unknown field"),
        (
            "[[key]]\nfile = \"a\"\nalg = \"ES256\"\n",
            1,
            "missing field",
        ),
        (
            "[[key]]\nfile = \"a\"\nalg = \"ES256\"\nrole = \"r\"\nlegacy = \"no\"\n",
            5,
            "type",
        ),
        ("[policy]\nscheduler = \"*\"\n", 2, "type"),
    ];
    for (toml, line, what) in cases {
        let err = dir.trust(toml).expect_err(what);
        match &err {
            KeyStoreError::TrustToml {
                line: l, message, ..
            } => {
                assert_eq!(*l, Some(line), "{what}: {err}");
                if what != "syntax" && what != "type" {
                    assert!(message.contains(what), "{err}");
                }
            }
            other => panic!("{what}: {other}"),
        }
        assert!(
            err.to_string().contains(&format!("trust.toml:{line}:")),
            "{err}"
        );
    }
}

#[test]
fn unknown_alg_is_rejected_with_its_line() {
    let dir = TempDir::new("alg");
    dir.copy("es256.pub.pem", "k.pem");
    let err = reject(&dir, "k.pem", "ES384", "");
    assert!(
        matches!(&err, KeyStoreError::UnknownAlg { at, name } if at.line == 3 && name == "ES384")
    );
    assert!(
        err.to_string().contains("ECDH-ES-X25519"),
        "lists the known names: {err}"
    );
}

#[test]
fn keys_of_another_algorithm_are_rejected() {
    let dir = TempDir::new("wrongalg");
    dir.copy("ps256.pem", "rsa.pem");
    dir.copy("wrong/p384.pem", "p384.pem");
    dir.copy("wrong/rsa1024.pem", "rsa1024.pem");
    dir.copy("eddsa.pem", "ed.pem");
    dir.copy("eddsa.pub.pem", "ed.pub.pem");
    dir.copy("es256.pub.pem", "es.pub.pem");
    dir.copy("ecdh-es-x25519.pem", "x.pem");
    let cases = [
        ("rsa.pem", "ES256", "RSA-2048"),
        ("p384.pem", "ES256", "EC P-384"),
        ("p384.pem", "ECDH-ES-P256", "EC P-384"),
        ("ed.pem", "ECDH-ES-X25519", "Ed25519"),
        ("ed.pub.pem", "ECDH-ES-X25519", "Ed25519"),
        ("x.pem", "EdDSA", "X25519"),
        ("rsa1024.pem", "PS256", "RSA-1024"),
        ("rsa1024.pem", "RSA-OAEP-256", "RSA-1024"),
        ("es.pub.pem", "PS256", "EC P-256"),
    ];
    for (file, alg, found) in cases {
        let err = reject(&dir, file, alg, "kid = \"k\"");
        match &err {
            KeyStoreError::WrongKeyType { found: f, .. } => assert_eq!(f, found, "{err}"),
            other => panic!("{file} as {alg}: {other}"),
        }
        assert!(err.to_string().contains(file), "{err}");
    }
    // A symmetric key file where a key pair is expected is neither PEM nor DER.
    dir.write("sym.key", &[7u8; 32]);
    let err = reject(&dir, "sym.key", "EdDSA", "");
    assert!(matches!(err, KeyStoreError::Malformed { .. }), "{err}");
}

#[test]
fn symmetric_keys_of_the_wrong_length_are_rejected() {
    let dir = TempDir::new("symlen");
    dir.write("raw31.key", &[1u8; 31]);
    dir.write("raw32.key", &[1u8; 32]);
    dir.write("hex16.key", format!("{}\n", "ab".repeat(16)).as_bytes());
    dir.write("hex64.key", "cd".repeat(64).as_bytes());
    let cases = [
        ("raw31.key", "A256GCM", 31),
        ("raw31.key", "ChaCha20/Poly1305", 31),
        ("raw32.key", "A128GCM", 32),
        ("hex16.key", "HMAC256", 16),
        ("hex16.key", "A256GCM", 16),
    ];
    for (file, alg, len) in cases {
        let err = reject(&dir, file, alg, "kid = \"k\"");
        assert!(
            matches!(&err, KeyStoreError::SymmetricKeyLength { len: l, .. } if *l == len),
            "{file} as {alg}: {err}"
        );
        let msg = err.to_string();
        assert!(
            msg.contains(file) && !msg.contains("abab") && !msg.contains("0101"),
            "{msg}"
        );
    }
    for (file, alg) in [
        ("raw32.key", "A256GCM"),
        ("hex16.key", "A128GCM"),
        ("hex64.key", "HMAC256"),
    ] {
        dir.trust(&entry(file, alg, "kid = \"k\"")).expect(file);
    }
}

#[test]
fn bad_pem_is_rejected() {
    let dir = TempDir::new("pem");
    let mut junk = fixture("es256.pem");
    junk.extend_from_slice(b"junk\n");
    dir.write("junk.pem", &junk);
    let mut two = fixture("es256.pem");
    two.extend_from_slice(&fixture("es256.pub.pem"));
    dir.write("two.pem", &two);
    let mut spaces = fixture("es256.pub.pem");
    spaces.extend_from_slice(b"\n\n  \n");
    dir.write("spaces.pem", &spaces);
    for file in ["junk.pem", "two.pem"] {
        let err = reject(&dir, file, "ES256", "");
        assert!(
            matches!(err, KeyStoreError::PemTrailingData { .. }),
            "{file}: {err}"
        );
        assert!(err.to_string().contains(file), "{err}");
    }
    dir.trust(&entry("spaces.pem", "ES256", ""))
        .expect("trailing whitespace is fine");

    let relabel = String::from_utf8(fixture("es256.pem"))
        .expect("PEM")
        .replace("PRIVATE KEY", "EC PRIVATE KEY");
    dir.write("sec1.pem", relabel.as_bytes());
    dir.copy("ps256.crt", "cert.pem");
    for (file, label) in [("sec1.pem", "EC PRIVATE KEY"), ("cert.pem", "CERTIFICATE")] {
        let err = reject(&dir, file, "ES256", "");
        assert!(
            matches!(&err, KeyStoreError::PemLabel { label: l, .. } if l == label),
            "{file}: {err}"
        );
    }
    // A key where a certificate is expected.
    dir.copy("ps256.pub.pem", "ps.pub.pem");
    let err = reject(&dir, "ps.pub.pem", "PS256", "cert = \"ps.pub.pem\"");
    assert!(
        matches!(&err, KeyStoreError::PemLabel { label, .. } if label == "PUBLIC KEY"),
        "{err}"
    );

    let broken = String::from_utf8(fixture("es256.pub.pem"))
        .expect("PEM")
        .replace('A', "*");
    dir.write("broken.pem", broken.as_bytes());
    let err = reject(&dir, "broken.pem", "ES256", "");
    assert!(matches!(err, KeyStoreError::Malformed { .. }), "{err}");
}

#[test]
fn der_with_trailing_bytes_is_rejected() {
    let dir = TempDir::new("dertrail");
    for (name, out) in [
        ("es256.pem", "priv.der"),
        ("es256.pub.pem", "pub.der"),
        ("ps256.crt", "crt.der"),
    ] {
        let mut der = pem_to_der(name);
        der.extend_from_slice(&[0, 0]);
        dir.write(out, &der);
    }
    dir.copy("ps256.pub.pem", "ps.pub.pem");
    for (file, alg, extra) in [
        ("priv.der", "ES256", ""),
        ("pub.der", "ES256", ""),
        ("ps.pub.pem", "PS256", "cert = \"crt.der\""),
    ] {
        let err = reject(&dir, file, alg, extra);
        assert!(
            matches!(err, KeyStoreError::DerTrailingData { trailing: 2, .. }),
            "{file}: {err}"
        );
    }
}

#[test]
fn certificates_must_carry_the_key() {
    let dir = TempDir::new("cert");
    dir.copy("rsa-oaep-256.pub.pem", "oaep.pub.pem");
    dir.copy("ps256.crt", "ps256.crt");
    dir.copy("eddsa.crt", "eddsa.crt");
    let err = reject(&dir, "oaep.pub.pem", "RSA-OAEP-256", "cert = \"ps256.crt\"");
    assert!(matches!(err, KeyStoreError::CertMismatch { .. }), "{err}");
    let msg = err.to_string();
    assert!(
        msg.contains("ps256.crt") && msg.contains("oaep.pub.pem") && msg.contains(":5:"),
        "{msg}"
    );

    dir.copy("ps256.pub.pem", "ps.pub.pem");
    let err = reject(&dir, "ps.pub.pem", "PS256", "cert = \"eddsa.crt\"");
    assert!(matches!(err, KeyStoreError::CertMismatch { .. }), "{err}");

    dir.write("k.key", &[1u8; 32]);
    let err = reject(
        &dir,
        "k.key",
        "A256GCM",
        "kid = \"k\"\ncert = \"ps256.crt\"",
    );
    assert!(
        matches!(&err, KeyStoreError::InvalidField { at, .. } if at.field == "cert"),
        "{err}"
    );
}

#[test]
fn duplicate_kids_are_rejected() {
    let dir = TempDir::new("dupkid");
    dir.write("a.key", &[1u8; 32]);
    dir.write("b.key", &[2u8; 32]);
    dir.copy("eddsa.pub.pem", "ed.pub.pem");
    let toml = format!(
        "{}{}",
        entry("a.key", "A256GCM", "kid = \"x\""),
        entry("b.key", "HMAC256", "kid_hex = \"78\"")
    );
    let err = dir.trust(&toml).expect_err("kid x twice");
    assert!(
        matches!(&err, KeyStoreError::DuplicateKid { at, kid, first_line: 5 } if at.line == 10 && kid == "\"x\""),
        "{err}"
    );
    // The default kid of the same public key, twice.
    let toml = format!(
        "{}{}",
        entry("ed.pub.pem", "EdDSA", ""),
        entry("ed.pub.pem", "EdDSA", "")
    );
    let err = dir.trust(&toml).expect_err("same key twice");
    assert!(
        matches!(&err, KeyStoreError::DuplicateKid { at, .. } if at.field == "file"),
        "{err}"
    );
}

#[test]
fn kid_fields_and_roles_are_checked() {
    let dir = TempDir::new("kid");
    dir.write("a.key", &[1u8; 32]);
    let cases = [
        ("kid = \"x\"\nkid_hex = \"78\"", "kid_hex"),
        ("kid_hex = \"7\"", "kid_hex"),
        ("kid_hex = \"zz\"", "kid_hex"),
        ("kid = \"\"", "kid"),
        ("", "kid"),
    ];
    for (extra, field) in cases {
        let err = reject(&dir, "a.key", "A256GCM", extra);
        assert!(
            matches!(&err, KeyStoreError::InvalidField { at, .. } if at.field == field),
            "{extra:?}: {err}"
        );
    }
    let toml = "[[key]]\nfile = \"a.key\"\nalg = \"A256GCM\"\nrole = \"\"\nkid = \"k\"\n";
    let err = dir.trust(toml).expect_err("empty role");
    assert!(
        matches!(&err, KeyStoreError::InvalidField { at, .. } if at.field == "role" && at.line == 4),
        "{err}"
    );
}

#[test]
fn policy_roles_without_keys_are_warnings() {
    let dir = TempDir::new("policy");
    dir.write("a.key", &[1u8; 32]);
    let toml = format!(
        "{}[policy]\nr = [\"*\"]\nghost = [\"boot_vm\"]\nanonymous = [\"heartbeat\"]\n",
        entry("a.key", "A256GCM", "kid = \"k\"")
    );
    let (store, warnings) = dir.trust(&toml).expect("warnings are not errors");
    assert_eq!(warnings.len(), 1, "{warnings:?}");
    assert!(
        warnings[0].contains("\"ghost\"") && warnings[0].contains("trust.toml:8"),
        "{warnings:?}"
    );
    assert!(
        store.policy.allows("ghost", "boot_vm") && store.policy.allows("anonymous", "heartbeat")
    );
}

#[cfg(unix)]
#[test]
fn secret_keys_open_to_group_or_others_are_warnings() {
    let dir = TempDir::new("mode");
    let key = dir.write("a.key", &[1u8; 32]);
    let private = dir.copy("eddsa.pem", "ed.pem");
    let public = dir.copy("es256.pub.pem", "es.pub.pem");
    set_mode(&public, 0o644);
    let private_loads = loadable("eddsa", ED);
    let toml = format!(
        "{}{}{}",
        entry("a.key", "A256GCM", "kid = \"k\""),
        entry("es.pub.pem", "ES256", ""),
        if private_loads {
            entry("ed.pem", "EdDSA", "")
        } else {
            String::new()
        }
    );
    let (_, warnings) = dir.trust(&toml).expect("load");
    assert!(warnings.is_empty(), "{warnings:?}");
    for (mode, who) in [
        (0o640, "open to its group (mode 640)"),
        (0o620, "open to its group (mode 620)"),
        (0o604, "open to all users (mode 604)"),
        (0o644, "open to its group and all users (mode 644)"),
    ] {
        set_mode(&key, mode);
        let (store, warnings) = dir.trust(&toml).expect("a warning, not an error");
        assert_eq!(store.entries.len(), 2 + usize::from(private_loads));
        assert_eq!(warnings.len(), 1, "{warnings:?}");
        assert!(
            warnings[0].contains("a.key")
                && warnings[0].contains("symmetric key")
                && warnings[0].contains(who)
                && warnings[0].contains("chmod 600"),
            "{warnings:?}"
        );
    }
    set_mode(&key, 0o600);
    if private_loads {
        set_mode(&private, 0o640);
        let (_, warnings) = dir.trust(&toml).expect("load");
        assert_eq!(warnings.len(), 1, "{warnings:?}");
        assert!(
            warnings[0].contains("ed.pem")
                && warnings[0].contains("private key file is open to its group"),
            "{warnings:?}"
        );
    }
}

/// Every 8-byte window of a secret, as hex and as a `Debug` byte list.
fn secret_windows(secret: &[u8]) -> Vec<String> {
    secret
        .windows(8)
        .flat_map(|w| {
            [
                hex::encode(w),
                format!("{:?}", w).trim_matches(['[', ']']).to_string(),
            ]
        })
        .collect()
}

#[test]
fn debug_of_a_loaded_store_has_no_secret_bytes() {
    let Some((mut store, _)) = fixture_store() else {
        return;
    };
    // Certificates are public and printed in full; their DER headers and RSA modulus
    // would match windows of the PKCS#8 structure, so they are left out of the search.
    for e in &mut store.entries {
        e.cert = None;
    }
    let debug = format!("{store:?} {store:#?}");
    let mut secrets = 0;
    for e in &store.entries {
        let secret: &[u8] = match &e.material {
            KeyMaterial::Symmetric(k) => k,
            KeyMaterial::Private { pkcs8, .. } => pkcs8,
            KeyMaterial::Public(_) => continue,
        };
        secrets += 1;
        for w in secret_windows(secret) {
            assert!(
                !debug.contains(&w),
                "{} secret bytes in Debug output",
                e.alg
            );
        }
    }
    assert_eq!(secrets, 7);
    assert!(debug.contains("secret bytes"), "{debug}");
}

#[test]
fn node_table_names_this_node() {
    let dir = TempDir::new("node");
    dir.write("a.key", &[1u8; 32]);
    dir.copy("es256.pem", "es.pem");
    dir.copy("eddsa.pub.pem", "ed.pub.pem");
    let keys = format!(
        "{}{}{}",
        entry("a.key", "A256GCM", "kid = \"pair\""),
        entry("es.pem", "ES256", "kid = \"mine\""),
        entry("ed.pub.pem", "EdDSA", "kid = \"peer\"")
    );
    let (store, _) = dir.trust(&keys).expect("no [node]");
    assert!(store.node.is_none());
    assert_eq!(store.own_kids(), vec![b"mine".to_vec()]);

    let toml = format!("[node]\nkid = \"compute-1\"\nrole = \"compute\"\n\n{keys}");
    let (store, _) = dir.trust(&toml).expect("[node]");
    let node = store.node.as_ref().expect("node");
    assert_eq!(
        (&node.kid[..], node.role.as_str()),
        (&b"compute-1"[..], "compute")
    );
    assert_eq!(
        store.own_kids(),
        vec![b"compute-1".to_vec(), b"mine".to_vec()]
    );

    // The node kid may be one of its own private keys' kid (listed once).
    let toml = format!("{keys}[node]\nkid_hex = \"6d696e65\"\nrole = \"compute\"\n");
    let (store, _) = dir.trust(&toml).expect("node kid = own key kid");
    assert_eq!(store.own_kids(), vec![b"mine".to_vec()]);

    // Unknown fields, a missing or empty role, no kid, both kids, a peer's or shared kid.
    let cases: &[(&str, usize, &str)] = &[
        (
            "[node]\nkid = \"n\"\nrole = \"r\"\nname = \"x\"\n",
            4,
            "unknown field",
        ),
        ("[node]\nkid = \"n\"\n", 1, "missing field"),
        ("[node]\nkid = 7\nrole = \"r\"\n", 2, "type"),
    ];
    for &(node, line, what) in cases {
        let err = dir.trust(&format!("{node}{keys}")).expect_err(what);
        match &err {
            KeyStoreError::TrustToml {
                line: l, message, ..
            } => {
                assert_eq!(*l, Some(line), "{what}: {err}");
                if what != "type" {
                    assert!(message.contains(what), "{err}");
                }
            }
            other => panic!("{what}: {other}"),
        }
        assert!(
            err.to_string().contains(&format!("trust.toml:{line}")),
            "{err}"
        );
    }
    let invalid: &[(&str, &str, usize)] = &[
        ("[node]\nrole = \"r\"\n", "kid", 1),
        ("[node]\nkid = \"n\"\nrole = \"\"\n", "role", 3),
        ("[node]\nkid = \"\"\nrole = \"r\"\n", "kid", 2),
        (
            "[node]\nkid = \"n\"\nkid_hex = \"6e\"\nrole = \"r\"\n",
            "kid_hex",
            3,
        ),
        ("[node]\nkid = \"pair\"\nrole = \"r\"\n", "kid", 2),
        ("[node]\nkid = \"peer\"\nrole = \"r\"\n", "kid", 2),
    ];
    for &(node, field, line) in invalid {
        let err = dir.trust(&format!("{node}\n{keys}")).expect_err(node);
        assert!(
            matches!(&err, KeyStoreError::InvalidField { at, .. } if at.field == field && at.line == line),
            "{node:?}: {err}"
        );
        assert!(err.to_string().contains("trust.toml"), "{err}");
    }
    let err = dir
        .trust(&format!("[node]\nkid = \"pair\"\nrole = \"r\"\n\n{keys}"))
        .expect_err("shared kid");
    assert!(err.to_string().contains("shared symmetric key"), "{err}");
}

/// Runs the `openssl` CLI (a CI dependency, `scripts/deps.sh`) and returns its stdout.
fn openssl(args: &[&str]) -> Vec<u8> {
    let out = std::process::Command::new("openssl")
        .args(args)
        .output()
        .expect("the openssl CLI (scripts/deps.sh installs it)");
    assert!(
        out.status.success(),
        "openssl {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}

/// A public key is not a secret: taken as an HMAC key, anyone could forge MACs with it.
#[test]
fn symmetric_key_files_holding_key_material_are_refused() {
    let dir = TempDir::new("notsecret");
    let rsa = dir.0.join("rsa.pem");
    let rsa = rsa.to_str().expect("UTF-8 temp path");
    openssl(&[
        "genpkey",
        "-quiet",
        "-algorithm",
        "RSA",
        "-pkeyopt",
        "rsa_keygen_bits:2048",
        "-out",
        rsa,
    ]);
    let ed = dir.0.join("ed.pem");
    let ed = ed.to_str().expect("UTF-8 temp path");
    openssl(&["genpkey", "-algorithm", "ed25519", "-out", ed]);
    let files = [
        // An openssl-made DER SubjectPublicKeyInfo: the case that verified a forged Mac0.
        (
            "rsa.pub.der",
            openssl(&["pkey", "-in", rsa, "-pubout", "-outform", "DER"]),
            "DER SubjectPublicKeyInfo",
        ),
        (
            "ed.pub.der",
            openssl(&["pkey", "-in", ed, "-pubout", "-outform", "DER"]),
            "DER SubjectPublicKeyInfo",
        ),
        (
            "ed.der",
            openssl(&["pkey", "-in", ed, "-outform", "DER"]),
            "DER PKCS#8 PrivateKeyInfo",
        ),
        (
            "rsa.pkcs1.der",
            openssl(&["rsa", "-in", rsa, "-RSAPublicKey_out", "-outform", "DER"]),
            "DER SEQUENCE of INTEGERs",
        ),
        (
            "rsa.trad.der",
            openssl(&["rsa", "-in", rsa, "-traditional", "-outform", "DER"]),
            "DER SEQUENCE of INTEGERs",
        ),
        (
            "enc.der",
            openssl(&[
                "pkcs8", "-topk8", "-in", ed, "-passout", "pass:x", "-outform", "DER",
            ]),
            "DER SEQUENCE starting with an AlgorithmIdentifier",
        ),
        ("crt.der", pem_to_der("ps256.crt"), "DER X.509 certificate"),
        (
            "es.sec1.der",
            openssl(&[
                "ec",
                "-in",
                fixtures().join("es256.pem").to_str().expect("path"),
                "-outform",
                "DER",
            ]),
            "DER SEC1 ECPrivateKey",
        ),
        (
            "es.pub.hex",
            format!("{}\n", hex::encode(pem_to_der("es256.pub.pem"))).into_bytes(),
            "DER SubjectPublicKeyInfo",
        ),
        (
            "rsa.pub.pem",
            openssl(&["pkey", "-in", rsa, "-pubout"]),
            "PEM \"PUBLIC KEY\"",
        ),
        ("ed.pem", fixture("eddsa.pem"), "PEM \"PRIVATE KEY\""),
        (
            "begin.txt",
            b"-----BEGIN PUBLIC KEY-----\nMCowBQYDK2VwAyEA\n".to_vec(),
            "PEM text",
        ),
    ];
    for (name, data, found) in &files {
        assert!(data.len() >= 32, "{name} would fail on its length anyway");
        dir.write(name, data);
        let err = reject(&dir, name, "HMAC256", "kid = \"k\"");
        match &err {
            KeyStoreError::NotASecretKey { found: f, alg, .. } => {
                assert!(f.starts_with(found), "{name}: {err}");
                assert_eq!(*alg, KeyAlg::Hmac256);
            }
            other => panic!("{name}: {other}"),
        }
        let msg = err.to_string();
        assert!(
            msg.contains(name) && msg.contains("trust.toml:2") && msg.contains("never PEM or DER"),
            "{msg}"
        );
        let err = load_key_file(&dir.0.join(name), KeyAlg::Hmac256).expect_err(name);
        assert!(
            matches!(err, KeyStoreError::NotASecretKey { .. }),
            "{name}: {err}"
        );
    }
    // The same for an AEAD key, and random bytes of every length still load.
    let err = reject(&dir, "ed.pem", "A256GCM", "kid = \"k\"");
    assert!(matches!(err, KeyStoreError::NotASecretKey { .. }), "{err}");
    for (alg, len) in [("HMAC256", 64), ("A256GCM", 32), ("A128GCM", 16)] {
        let mut raw = openssl(&["rand", &len.to_string()]);
        raw[0] = 0x30; // DER SEQUENCE tag: not enough to be refused
        dir.write("rand.key", &raw);
        dir.trust(&entry("rand.key", alg, "kid = \"k\""))
            .expect(alg);
        dir.write("rand.hex", &openssl(&["rand", "-hex", &len.to_string()]));
        dir.trust(&entry("rand.hex", alg, "kid = \"k\""))
            .expect(alg);
    }
}

/// An entry list with explicit kids (so kids never collide) and optional extra lines.
fn entries(list: &[(&str, &str, &str)]) -> String {
    list.iter()
        .enumerate()
        .map(|(i, (file, alg, extra))| entry(file, alg, &format!("kid = \"k{i}\"\n{extra}")))
        .collect()
}

#[test]
fn one_key_serves_one_alg_unless_both_entries_allow_it() {
    let dir = TempDir::new("multialg");
    dir.copy("ps256.pem", "rsa.pem");
    dir.copy("ps256.pub.pem", "rsa.pub.pem");
    dir.write("rsa.pub.der", &pem_to_der("ps256.pub.pem"));
    dir.copy("es256.pub.pem", "p256.pub.pem");
    dir.copy("rsa-oaep-256.pub.pem", "oaep.pub.pem");
    let secret = [9u8; 32];
    dir.write("s.key", &secret);
    dir.write("s.hex", hex::encode(secret).as_bytes());
    let ps_private = loadable("ps256", PS256);
    let allow = "allow_multi_alg = true";

    // (entries, how, first line) — each entry takes 6 lines, its `file` on line 2.
    let mut refused = vec![
        (
            [
                ("rsa.pub.pem", "PS256", ""),
                ("rsa.pub.pem", "RSA-OAEP-256", ""),
            ],
            "this file",
        ),
        (
            [
                ("rsa.pub.pem", "PS256", ""),
                ("rsa.pub.der", "RSA-OAEP-256", ""),
            ],
            "this key",
        ),
        (
            [
                ("p256.pub.pem", "ES256", ""),
                ("p256.pub.pem", "ECDH-ES-P256", ""),
            ],
            "this file",
        ),
        (
            [("s.key", "HMAC256", ""), ("s.hex", "A256GCM", "")],
            "this key",
        ),
        (
            [("s.key", "A256GCM", allow), ("s.key", "HMAC256", "")],
            "this file",
        ),
        (
            [("s.key", "A256GCM", ""), ("s.key", "HMAC256", allow)],
            "this file",
        ),
    ];
    if ps_private {
        // A private key and its public key file are one key.
        refused.push((
            [
                ("rsa.pem", "PS256", ""),
                ("rsa.pub.pem", "RSA-OAEP-256", ""),
            ],
            "this key",
        ));
        refused.push((
            [("rsa.pem", "PS256", ""), ("rsa.pem", "RSA-OAEP-256", "")],
            "this file",
        ));
    }
    for (list, how) in &refused {
        let err = dir.trust(&entries(list)).expect_err(how);
        match &err {
            KeyStoreError::KeyReuse {
                at,
                how: h,
                first_line,
                ..
            } => {
                assert_eq!(
                    (at.line, at.field, *first_line, *h),
                    (8, "file", 2, *how),
                    "{err}"
                );
            }
            other => panic!("{list:?}: {other}"),
        }
        let msg = err.to_string();
        assert!(
            msg.contains("trust.toml:8: `file`")
                && msg.contains("line 2")
                && msg.contains("allow_multi_alg = true"),
            "{msg}"
        );
    }

    // Allowed: both entries opt in; the same key under the same alg twice; other keys.
    let mut allowed = vec![
        [
            ("rsa.pub.pem", "PS256", allow),
            ("rsa.pub.der", "RSA-OAEP-256", allow),
        ],
        [("s.key", "HMAC256", allow), ("s.hex", "A256GCM", allow)],
        [("s.key", "A256GCM", ""), ("s.hex", "A256GCM", "")],
        [
            ("rsa.pub.pem", "PS256", ""),
            ("oaep.pub.pem", "RSA-OAEP-256", ""),
        ],
    ];
    if ps_private {
        allowed.push([
            ("rsa.pem", "PS256", allow),
            ("rsa.pem", "RSA-OAEP-256", allow),
        ]);
    }
    for list in &allowed {
        let (store, _) = dir
            .trust(&entries(list))
            .unwrap_or_else(|e| panic!("{list:?}: {e}"));
        assert_eq!(store.entries.len(), 2);
    }
    // A third use needs the flag too, against every earlier entry.
    let three = [
        ("s.key", "HMAC256", allow),
        ("s.hex", "A256GCM", allow),
        ("s.key", "ChaCha20/Poly1305", ""),
    ];
    let err = dir.trust(&entries(&three)).expect_err("third use");
    assert!(
        matches!(&err, KeyStoreError::KeyReuse { at, first_line: 2, .. } if at.line == 14),
        "{err}"
    );
    // The field is strict like the rest.
    let err = dir
        .trust(&entries(&[(
            "s.key",
            "HMAC256",
            "allow_multi_alg = \"yes\"",
        )]))
        .expect_err("type");
    assert!(
        matches!(err, KeyStoreError::TrustToml { line: Some(6), .. }),
        "{err}"
    );
}

/// `seal --out` and `open --out` write through one function: a new file is 0600, and an
/// existing world-readable one is replaced by a 0600 file.
#[cfg(unix)]
#[test]
fn output_files_are_created_owner_only() {
    use std::os::unix::fs::PermissionsExt;
    let dir = TempDir::new("out");
    dir.copy("hmac256.key", "hmac256.key");
    dir.write(
        "trust.toml",
        entry("hmac256.key", "HMAC256", "kid = \"hmac-1\"").as_bytes(),
    );
    let payload = dir.write("payload.txt", b"boot compute-7");
    let old = dir.write("old.cose", b"old");
    set_mode(&old, 0o644);
    for out in ["new.cose", "old.cose"] {
        let out = dir.0.join(out);
        let status = std::process::Command::new(env!("CARGO_BIN_EXE_sealbench"))
            .args([
                "seal", "--mode", "mac0", "--as", "hmac-1", "--method", "boot_vm",
            ])
            .arg("--no-audience")
            .arg("--trust")
            .arg(&dir.0)
            .arg("--in")
            .arg(&payload)
            .arg("--out")
            .arg(&out)
            .status()
            .expect("run sealbench");
        assert!(status.success(), "{status}");
        let mode = std::fs::metadata(&out).expect("out").permissions().mode();
        assert_eq!(mode & 0o777, 0o600, "{}", out.display());
        let written = std::fs::read(&out).expect("out");
        assert!(written.len() > 14 && written != b"old", "{written:?}");
    }
}
