//! The contract every backend keeps, written once and run per backend: standard vectors
//! (GCM spec, RFC 8439, RFC 4231, RFC 5869, RFC 8032, RFC 7748, RFC 5903) through the
//! backend's lookup table, tamper tests that also check the buffer is wiped, and the
//! length checks. [`contract_tests!`] makes one module of named tests per backend
//! (`backend::contract::ring::aead_tampering_fails_and_zeroes_the_buffer`), so a failure
//! names the backend; [`every_compiled_backend_is_covered`] fails when a backend is added
//! to `ALL_BACKENDS` without an instantiation. What only one library does (OpenSSL's odd
//! IV lengths, ring's one-shot agreement keys, dispatch paths) stays in its directory.
//!
//! A backend that lacks an algorithm skips it only through an explicit `Unsupported`.

use super::keys::ed25519_spki;
use super::{
    ALL_BACKENDS, Aead, AeadId, AeadParams, Backend, Error, KdfId, KeyAgreementId, KeyTransportId,
    MacId, Signature, SignatureId, Unsupported,
};

fn unhex(s: &str) -> Vec<u8> {
    hex::decode(s).unwrap()
}

fn aead(b: &Backend, id: AeadId) -> &'static dyn Aead {
    (b.aead)(id).unwrap_or_else(|u| panic!("{}: {id:?} unsupported: {u:?}", b.name))
}

/// Seals `p` (hex) and opens the result again; returns ciphertext ‖ tag as hex.
fn seal_open(alg: &dyn Aead, params: AeadParams, k: &str, n: &str, a: &str, p: &str) -> String {
    let key = alg.new_key(&unhex(k), params).unwrap();
    let (nonce, aad, plaintext) = (unhex(n), unhex(a), unhex(p));
    let mut buf = plaintext.clone();
    buf.resize(buf.len() + params.tag_len, 0);
    key.seal_in_place(&nonce, &aad, &mut buf).unwrap();
    let sealed = hex::encode(&buf);
    let len = key.open_in_place(&nonce, &aad, &mut buf).unwrap();
    assert_eq!(buf.get(..len), Some(&plaintext[..]), "round trip");
    sealed
}

// ref: McGrew & Viega, "The Galois/Counter Mode of Operation", Appendix B, test cases 4
// and 16
const GCM_IV: &str = "cafebabefacedbaddecaf888";
const GCM_A: &str = "feedfacedeadbeeffeedfacedeadbeefabaddad2";
const GCM_P: &str = "d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a721c3c0c95956809532fcf0e2449a6b525b16aedf5aa0de657ba637b39";

pub(crate) fn aead_gcm_spec_test_cases_4_and_16(b: &Backend) {
    let id = AeadId::Aes128Gcm;
    assert_eq!(
        seal_open(
            aead(b, id),
            id.default_params(),
            "feffe9928665731c6d6a8f9467308308",
            GCM_IV,
            GCM_A,
            GCM_P
        ),
        "42831ec2217774244b7221b784d0d49ce3aa212f2c02a4e035c17e2329aca12e21d514b25466931c7d8f6a5aac84aa051ba30b396a0aac973d58e091\
         5bc94fbc3221a5db94fae95ae7121a47"
    );
    let id = AeadId::Aes256Gcm;
    assert_eq!(
        seal_open(
            aead(b, id),
            id.default_params(),
            "feffe9928665731c6d6a8f9467308308feffe9928665731c6d6a8f9467308308",
            GCM_IV,
            GCM_A,
            GCM_P
        ),
        "522dc1f099567d07f47f37a32a84427d643a8cdcbfe5c0c97598a2bd2555d1aa8cb08e48590dbb3da7b08b1056828838c5f61e6393ba7a0abcc9f662\
         76fc6ece0f4e1768cddf8853bb2d551b"
    );
}

pub(crate) fn aead_chacha20_poly1305_rfc8439_2_8_2(b: &Backend) {
    // ref: RFC 8439 §2.8.2
    let id = AeadId::ChaCha20Poly1305;
    let p = hex::encode(
        "Ladies and Gentlemen of the class of '99: If I could offer you only one tip for the future, sunscreen would be it.",
    );
    assert_eq!(
        seal_open(
            aead(b, id),
            id.default_params(),
            "808182838485868788898a8b8c8d8e8f909192939495969798999a9b9c9d9e9f",
            "070000004041424344454647",
            "50515253c0c1c2c3c4c5c6c7",
            &p
        ),
        "d31a8d34648e60db7b86afbc53ef7ec2a4aded51296e08fea9e2b5a736ee62d63dbea45e8ca9671282fafb69da92728b1a71de0a9e060b2905d6a5b67ecd3b3692ddbd7f2d778b8c9803aee328091b58fab324e4fad675945585808b4831d7bc3ff4def08e4b7a9de576d26586cec64b6116\
         1ae10b594f09e26a7e902ecbd0600691"
    );
}

/// With `params`: a flipped byte anywhere, or other AAD, fails and leaves the buffer all
/// zero; an input shorter than the tag fails and is wiped; the key still opens the genuine
/// message afterwards.
pub(crate) fn aead_tamper_check(alg: &dyn Aead, params: AeadParams) {
    let id = alg.id();
    let key = alg.new_key(&vec![7u8; id.key_len()], params).unwrap();
    let nonce = vec![9u8; params.nonce_len];
    let mut sealed = vec![0x55u8; 64 + params.tag_len];
    key.seal_in_place(&nonce, b"aad", &mut sealed).unwrap();
    for flip in [0, 63, 64, sealed.len() - 1] {
        let mut buf = sealed.clone();
        buf[flip] ^= 1;
        assert_eq!(
            key.open_in_place(&nonce, b"aad", &mut buf),
            Err(Error::Crypto)
        );
        assert!(buf.iter().all(|&x| x == 0), "{id:?} byte {flip} not wiped");
    }
    let mut buf = sealed.clone();
    assert_eq!(
        key.open_in_place(&nonce, b"aaD", &mut buf),
        Err(Error::Crypto)
    );
    assert!(buf.iter().all(|&x| x == 0), "{id:?}: wrong aad, not wiped");
    let mut short = vec![9u8; params.tag_len - 1];
    assert!(key.open_in_place(&nonce, b"", &mut short).is_err());
    assert!(
        short.iter().all(|&x| x == 0),
        "{id:?}: short input not wiped"
    );
    let mut buf = sealed.clone();
    assert_eq!(key.open_in_place(&nonce, b"aad", &mut buf), Ok(64));
    assert!(buf[..64].iter().all(|&x| x == 0x55));
}

pub(crate) fn aead_tampering_fails_and_zeroes_the_buffer(b: &Backend) {
    for id in [
        AeadId::Aes128Gcm,
        AeadId::Aes256Gcm,
        AeadId::ChaCha20Poly1305,
    ] {
        aead_tamper_check(aead(b, id), id.default_params());
    }
}

pub(crate) fn aead_bad_lengths_are_rejected(b: &Backend) {
    for id in [
        AeadId::Aes128Gcm,
        AeadId::Aes256Gcm,
        AeadId::ChaCha20Poly1305,
    ] {
        let alg = aead(b, id);
        let params = id.default_params();
        assert!(matches!(
            alg.new_key(&vec![0u8; id.key_len() - 1], params),
            Err(Error::BadLength(_))
        ));
        let key = alg.new_key(&vec![1u8; id.key_len()], params).unwrap();
        assert!(matches!(
            key.seal_in_place(&[0u8; 8], b"", &mut [0u8; 32]),
            Err(Error::BadLength(_))
        ));
        assert!(key.seal_in_place(&[0u8; 12], b"", &mut [0u8; 15]).is_err());
    }
}

fn hmac(b: &Backend, key: &[u8], parts: &[&[u8]]) -> String {
    let mac = (b.mac)(MacId::HmacSha256).unwrap();
    let mut out = [0u8; 32];
    mac.new_key(key).unwrap().sign(parts, &mut out).unwrap();
    hex::encode(out)
}

// ref: RFC 4231 §4.3 (test case 2)
const RFC4231_TC2: &str = "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843";

pub(crate) fn mac_rfc4231_test_cases_1_2_and_6(b: &Backend) {
    // ref: RFC 4231 §4.2 (test case 1)
    assert_eq!(
        hmac(b, &[0x0b; 20], &[b"Hi There"]),
        "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7"
    );
    // Test case 2, the message in parts, an empty one among them.
    assert_eq!(
        hmac(b, b"Jefe", &[b"what do ya want ", b"", b"for nothing?"]),
        RFC4231_TC2
    );
    // ref: RFC 4231 §4.7 (test case 6: a 131-byte key is hashed first)
    assert_eq!(
        hmac(
            b,
            &[0xaa; 131],
            &[b"Test Using Larger Than Block-Size Key - Hash Key First"]
        ),
        "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54"
    );
    // One key, several messages: the same tag each time.
    let key = (b.mac)(MacId::HmacSha256)
        .unwrap()
        .new_key(b"Jefe")
        .unwrap();
    for _ in 0..3 {
        let mut out = [0u8; 32];
        key.sign(&[b"what do ya want for nothing?"], &mut out)
            .unwrap();
        assert_eq!(hex::encode(out), RFC4231_TC2);
    }
}

pub(crate) fn mac_verify_accepts_truncated_and_rejects_tampered_tags(b: &Backend) {
    let mac = (b.mac)(MacId::HmacSha256).unwrap();
    let key = mac.new_key(b"Jefe").unwrap();
    let msg: &[&[u8]] = &[b"what do ya ", b"want for nothing?"];
    let tag = unhex(RFC4231_TC2);
    assert_eq!(key.verify(msg, &tag), Ok(()));
    assert_eq!(key.verify(msg, &tag[..16]), Ok(()));
    assert_eq!(key.verify(msg, &tag[..15]), Err(Error::Crypto));
    let mut bad = tag.clone();
    bad[31] ^= 1;
    assert_eq!(key.verify(msg, &bad), Err(Error::Crypto));
    assert_eq!(
        key.verify(&[b"what do ya want for nothing!"], &tag),
        Err(Error::Crypto)
    );
    assert!(key.sign(msg, &mut [0u8; 31]).is_err());
    assert!(mac.new_key(b"").is_err());
}

fn hkdf(b: &Backend, salt: &[u8], ikm: &[u8], info: &[u8], len: usize) -> Result<String, Error> {
    let mut out = vec![0u8; len];
    (b.kdf)(KdfId::HkdfSha256)
        .unwrap()
        .derive(salt, ikm, info, &mut out)?;
    Ok(hex::encode(out))
}

pub(crate) fn kdf_rfc5869_test_cases_1_and_3(b: &Backend) {
    // ref: RFC 5869 Appendix A.1
    assert_eq!(
        hkdf(
            b,
            &unhex("000102030405060708090a0b0c"),
            &[0x0b; 22],
            &unhex("f0f1f2f3f4f5f6f7f8f9"),
            42
        ),
        Ok(
            "3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf34007208d5b887185865"
                .into()
        )
    );
    // ref: RFC 5869 Appendix A.3 (empty salt and info)
    assert_eq!(
        hkdf(b, b"", &[0x0b; 22], b"", 42),
        Ok(
            "8da4e775a563c18f715f802a063c5a31b8a11f5c5ee1879ec3454e5f3c738d2d9d201395faa4b61a96c8"
                .into()
        )
    );
}

pub(crate) fn kdf_output_is_at_most_255_hash_lengths(b: &Backend) {
    assert!(hkdf(b, b"s", b"k", b"i", 255 * 32).is_ok());
    assert!(matches!(
        hkdf(b, b"s", b"k", b"i", 255 * 32 + 1),
        Err(Error::BadLength(_))
    ));
}

fn signature(b: &Backend, id: SignatureId) -> Option<&'static dyn Signature> {
    (b.signature)(id).ok()
}

pub(crate) fn sign_ed25519_rfc8032_test_1_from_pkcs8_v1(b: &Backend) {
    // ref: RFC 8032 §7.1 TEST 1; RFC 8410 §7 PKCS#8 v1 prefix
    let seed = "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60";
    let public = "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a";
    let alg = signature(b, SignatureId::Ed25519).unwrap();
    let signer = alg
        .signing_key(&unhex(&format!("302e020100300506032b657004220420{seed}")))
        .unwrap();
    let mut sig = [0u8; 64];
    assert_eq!(signer.sign(b"", &mut sig), Ok(64));
    assert_eq!(
        hex::encode(sig),
        "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b"
    );
    let spki = ed25519_spki(&unhex(public)).unwrap();
    assert_eq!(signer.public_key_spki().unwrap(), spki);
    let verifier = alg.verifying_key(&spki).unwrap();
    assert_eq!(verifier.verify(b"", &sig), Ok(()));
    sig[0] ^= 1;
    assert_eq!(verifier.verify(b"", &sig), Err(Error::Crypto));
}

/// Signs with the key `pkcs8`, verifies; a changed message, a flipped byte or a cut
/// signature fails; a too-short output buffer is a length error.
pub(crate) fn signature_round_trip(alg: &dyn Signature, pkcs8: &[u8]) {
    let signer = alg.signing_key(pkcs8).unwrap();
    let verifier = alg
        .verifying_key(&signer.public_key_spki().unwrap())
        .unwrap();
    let len = alg.id().signature_len();
    let mut sig = vec![0u8; len + 3];
    assert_eq!(signer.sign(b"message", &mut sig), Ok(len));
    sig.truncate(len);
    assert_eq!(verifier.verify(b"message", &sig), Ok(()));
    assert_eq!(verifier.verify(b"messagE", &sig), Err(Error::Crypto));
    for i in [0, len / 2, len - 1] {
        let mut bad = sig.clone();
        bad[i] ^= 1;
        assert_eq!(
            verifier.verify(b"message", &bad),
            Err(Error::Crypto),
            "byte {i}"
        );
    }
    assert_eq!(verifier.verify(b"message", &sig[1..]), Err(Error::Crypto));
    assert!(matches!(
        signer.sign(b"message", &mut sig[..len - 1]),
        Err(Error::BadLength(_))
    ));
}

pub(crate) fn sign_generated_keys_round_trip(b: &Backend) {
    for id in [
        SignatureId::Ed25519,
        SignatureId::EcdsaP256Sha256,
        SignatureId::RsaPss2048Sha256,
    ] {
        let Some(alg) = signature(b, id) else {
            continue;
        };
        match alg.generate_pkcs8() {
            Ok(pkcs8) => signature_round_trip(alg, &pkcs8),
            Err(Error::Unsupported(_)) => {}
            Err(e) => panic!("{}: {id:?} key generation: {e:?}", b.name),
        }
    }
}

pub(crate) fn sign_ecdsa_verify_der_takes_asn1_and_verify_the_fixed_form(b: &Backend) {
    let Some(alg) = signature(b, SignatureId::EcdsaP256Sha256) else {
        return;
    };
    let signer = alg.signing_key(&alg.generate_pkcs8().unwrap()).unwrap();
    let verifier = alg
        .verifying_key(&signer.public_key_spki().unwrap())
        .unwrap();
    let mut fixed = [0u8; 64];
    signer.sign(b"msg", &mut fixed).unwrap();
    let (r, s) = fixed.split_at(32);
    // ECDSA-Sig-Value ::= SEQUENCE { r INTEGER, s INTEGER } (RFC 3279 §2.2.3)
    use der::Encode as _;
    let der = [
        der::asn1::UintRef::new(r).unwrap(),
        der::asn1::UintRef::new(s).unwrap(),
    ]
    .to_der()
    .unwrap();
    assert_eq!(verifier.verify_der(b"msg", &der), Ok(()));
    assert_eq!(verifier.verify(b"msg", &der), Err(Error::Crypto));
    assert_eq!(verifier.verify_der(b"msg", &fixed), Err(Error::Crypto));
}

/// Alice's and Bob's key pairs and the shared secret, when the backend imports private
/// keys (ring does not: an explicit `Unsupported`).
fn kx_vector(b: &Backend, id: KeyAgreementId, v: [&str; 5]) {
    let kx = (b.key_agreement)(id).unwrap();
    let [a, a_pub, bob, b_pub, shared] = v;
    let alice = match kx.private_key(&unhex(a)) {
        Ok(k) => k,
        Err(Error::Unsupported(_)) => return,
        Err(e) => panic!("{}: {id:?} import: {e:?}", b.name),
    };
    let bob = kx.private_key(&unhex(bob)).unwrap();
    for (key, public) in [(&alice, a_pub), (&bob, b_pub)] {
        let mut buf = [0u8; 65];
        let n = key.public_key(&mut buf).unwrap();
        assert_eq!(hex::encode(&buf[..n]), public);
    }
    let mut out = [0u8; 32];
    assert_eq!(alice.agree(&unhex(b_pub), &mut out), Ok(32));
    assert_eq!(hex::encode(out), shared);
    assert_eq!(bob.agree(&unhex(a_pub), &mut out), Ok(32));
    assert_eq!(hex::encode(out), shared);
}

pub(crate) fn kx_x25519_rfc7748_6_1_and_p256_rfc5903_8_1(b: &Backend) {
    // ref: RFC 7748 §6.1
    kx_vector(
        b,
        KeyAgreementId::X25519,
        [
            "77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a",
            "8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a",
            "5dab087e624a8a4b79e17f8b83800ee66f3bb1292618b6fd1c2f8b27ff88e0eb",
            "de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f",
            "4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742",
        ],
    );
    // ref: RFC 5903 §8.1
    kx_vector(
        b,
        KeyAgreementId::EcdhP256,
        [
            "c88f01f510d9ac3f70a292daa2316de544e9aab8afe84049c62a9c57862d1433",
            "04dad0b65394221cf9b051e1feca5787d098dfe637fc90b9ef945d0c37725811805271a0461cdb8252d61f1c456fa3e59ab1f45b33accf5f58389e0577b8990bb3",
            "c6ef9c5d78ae012a011164acb397ce2088685d8f06bf9be0b283ab46476bee53",
            "04d12dfb5289c8d4f81208b70270398c342296970a0bccb74c736fc7554494bf6356fbf3ca366cc23e8157854c13c58d6aac23f046ada30f8353e74f33039872ab",
            "d6840f6b42f6edafd13116e0e12565202fef8e9ece7dce03812464d04b9442de",
        ],
    );
}

pub(crate) fn kx_generated_keys_agree(b: &Backend) {
    for id in [KeyAgreementId::X25519, KeyAgreementId::EcdhP256] {
        let kx = (b.key_agreement)(id).unwrap();
        let (x, y) = (kx.generate().unwrap(), kx.generate().unwrap());
        let (mut px, mut py) = ([0u8; 65], [0u8; 65]);
        let (lx, ly) = (
            x.public_key(&mut px).unwrap(),
            y.public_key(&mut py).unwrap(),
        );
        assert_eq!((lx, ly), (id.public_len(), id.public_len()));
        let (mut sx, mut sy) = ([0u8; 32], [0u8; 32]);
        assert_eq!(x.agree(&py[..ly], &mut sx), Ok(32));
        assert_eq!(y.agree(&px[..lx], &mut sy), Ok(32));
        assert_eq!(sx, sy);
        assert_ne!(sx, [0u8; 32]);
    }
}

/// Each check on a fresh key: ring's keys agree once, even when the peer is refused.
pub(crate) fn kx_invalid_peers_are_rejected(b: &Backend) {
    let fresh = |id| (b.key_agreement)(id).unwrap().generate().unwrap();
    // u = 0 has small order: the all-zero result is refused.
    let k = fresh(KeyAgreementId::X25519);
    assert_eq!(k.agree(&[0u8; 32], &mut [0u8; 32]), Err(Error::Crypto));
    let k = fresh(KeyAgreementId::X25519);
    assert!(k.agree(&[9u8; 31], &mut [0u8; 32]).is_err());
    let mut off_curve = [0u8; 65];
    off_curve[0] = 4;
    off_curve[64] = 1;
    let k = fresh(KeyAgreementId::EcdhP256);
    assert_eq!(k.agree(&off_curve, &mut [0u8; 32]), Err(Error::Crypto));
}

/// RFC 8017 §7.1.2 step 1.b: a ciphertext that is not k octets is a decryption error. A
/// k-octet ciphertext whose first octet is zero, shortened by that octet, is the same
/// integer; OpenSSL's EVP decrypt opened it (found when a round-trip test failed about one
/// run in 200). Every backend must refuse it. ring has no RSA encryption (`Unsupported`).
pub(crate) fn key_transport_refuses_a_ciphertext_shorter_than_the_modulus(b: &Backend) {
    let kt = match (b.key_transport)(KeyTransportId::RsaOaep2048Sha256) {
        Ok(kt) => kt,
        Err(Unsupported(_)) => return,
    };
    let (_, pkcs8) =
        pem_rfc7468::decode_vec(include_bytes!("../../tests/data/keys/rsa-oaep-256.pem")).unwrap();
    let dk = kt.decrypting_key(&pkcs8).unwrap();
    let ek = kt.encrypting_key(&dk.public_key_spki().unwrap()).unwrap();
    let cek = [0x42u8; 16];
    let mut ct = [0u8; 256];
    // About one ciphertext in 128 to 256 starts with a zero octet (c < n < 2^2048).
    let mut tries = 0;
    loop {
        ek.encrypt(&cek, b"", &mut ct).unwrap();
        if ct[0] == 0 {
            break;
        }
        tries += 1;
        assert!(
            tries < 20_000,
            "{}: no ciphertext with a zero first octet",
            b.name
        );
    }
    let mut pt = [0u8; 256];
    assert_eq!(dk.decrypt(&ct, b"", &mut pt), Ok(16), "{}: whole", b.name);
    assert_eq!(
        dk.decrypt(&ct[1..], b"", &mut pt),
        Err(Error::Crypto),
        "{}: shortened by its zero octet",
        b.name
    );
}

/// One module of named tests per backend.
macro_rules! contract_tests {
    ($($feature:literal => $module:ident: $backend:expr;)+) => {
        /// The backends instantiated below, for [`every_compiled_backend_is_covered`].
        const COVERED: &[&str] = &[$(#[cfg(feature = $feature)] $feature,)+];
        $(
            #[cfg(feature = $feature)]
            mod $module {
                contract_tests!(@tests $backend;
                    aead_gcm_spec_test_cases_4_and_16,
                    aead_chacha20_poly1305_rfc8439_2_8_2,
                    aead_tampering_fails_and_zeroes_the_buffer,
                    aead_bad_lengths_are_rejected,
                    mac_rfc4231_test_cases_1_2_and_6,
                    mac_verify_accepts_truncated_and_rejects_tampered_tags,
                    kdf_rfc5869_test_cases_1_and_3,
                    kdf_output_is_at_most_255_hash_lengths,
                    sign_ed25519_rfc8032_test_1_from_pkcs8_v1,
                    sign_generated_keys_round_trip,
                    sign_ecdsa_verify_der_takes_asn1_and_verify_the_fixed_form,
                    kx_x25519_rfc7748_6_1_and_p256_rfc5903_8_1,
                    kx_generated_keys_agree,
                    kx_invalid_peers_are_rejected,
                    key_transport_refuses_a_ciphertext_shorter_than_the_modulus,
                );
            }
        )+
    };
    (@tests $backend:expr; $($test:ident,)+) => {
        $(
            #[test]
            fn $test() {
                super::$test(&$backend);
            }
        )+
    };
}

contract_tests! {
    "rustcrypto" => rustcrypto: crate::backend::rustcrypto::RUSTCRYPTO;
    "ring" => ring: crate::backend::ring::RING;
    "openssl" => openssl: crate::backend::openssl::OPENSSL;
    "aws-lc" => aws_lc: crate::backend::aws_lc::AWS_LC;
}

#[test]
fn every_compiled_backend_is_covered() {
    let names: Vec<&str> = ALL_BACKENDS.iter().map(|b| b.name).collect();
    assert_eq!(names, COVERED, "a backend without contract tests");
}
