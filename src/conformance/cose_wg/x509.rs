//! Signer keys from X.509 header parameters (RFC 9360): `x5chain`, `x5bag`, `x5t`.
//!
//! The key a signature is verified with is the end-entity certificate's. Where the
//! header also carries the issuer, the end-entity certificate's own signature is
//! verified with the issuer's key through the backend (ECDSA P-256 / SHA-256 only).
//! Validity periods, extensions and the path to a trust anchor are out of scope; each
//! record that uses a certificate says so in its notes. `x5t` thumbprints are resolved
//! against the `*.der` certificates next to the example file.

use coset::Header;
use coset::cbor::value::Value;
use coset::iana::{self, EnumI64};
use der::asn1::{AnyRef, BitStringRef, ObjectIdentifier};
use der::{Decode, Encode, Reader, SliceReader, Tag, TagNumber, Tagged};
use spki::AlgorithmIdentifierRef;

use super::check::{Ctx, Step, check_error, failed, setup_error, unsupported};
use super::headers::either;
use crate::backend::SignatureId;
use crate::backend::keys::{SpkiAlgorithm, parse_spki};

// ref: RFC 5758 §3.2
const OID_ECDSA_WITH_SHA256: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.4.3.2");

const SCOPE: &str =
    "scope: X.509 signer — certificate validity, extensions and trust anchor not checked";

/// The parts of a certificate this module needs, as owned DER.
struct Cert {
    /// `tbsCertificate`, the signed bytes.
    tbs: Vec<u8>,
    issuer: Vec<u8>,
    subject: Vec<u8>,
    spki: Vec<u8>,
    signature_alg: ObjectIdentifier,
    signature: Vec<u8>,
}

fn der_err(e: der::Error) -> String {
    format!("certificate DER: {e}")
}

impl Cert {
    // ref: RFC 5280 §4.1
    fn parse(bytes: &[u8]) -> Result<Self, String> {
        let mut outer = SliceReader::new(bytes).map_err(der_err)?;
        let cert = AnyRef::decode(&mut outer).map_err(der_err)?;
        outer.finish().map_err(der_err)?;
        if cert.tag() != Tag::Sequence {
            return Err("certificate is not a SEQUENCE".to_string());
        }
        let mut r = SliceReader::new(cert.value()).map_err(der_err)?;
        let tbs = AnyRef::decode(&mut r).map_err(der_err)?;
        let alg = AlgorithmIdentifierRef::decode(&mut r).map_err(der_err)?;
        let sig = BitStringRef::decode(&mut r).map_err(der_err)?;
        r.finish().map_err(der_err)?;

        let mut t = SliceReader::new(tbs.value()).map_err(der_err)?;
        let mut fields = Vec::new();
        while !t.is_finished() {
            fields.push(AnyRef::decode(&mut t).map_err(der_err)?);
        }
        let explicit_version = fields.first().is_some_and(|f| {
            f.tag()
                == Tag::ContextSpecific {
                    constructed: true,
                    number: TagNumber(0),
                }
        });
        let skip = usize::from(explicit_version);
        // serialNumber, signature, issuer, validity, subject, subjectPublicKeyInfo
        let field = |i: usize| -> Result<Vec<u8>, String> {
            fields
                .get(skip + i)
                .ok_or_else(|| "tbsCertificate is too short".to_string())?
                .to_der()
                .map_err(der_err)
        };
        Ok(Self {
            tbs: tbs.to_der().map_err(der_err)?,
            issuer: field(2)?,
            subject: field(4)?,
            spki: field(5)?,
            signature_alg: alg.oid,
            signature: sig
                .as_bytes()
                .ok_or("certificate signature has unused bits")?
                .to_vec(),
        })
    }
}

/// Certificates of an `x5chain` / `x5bag` value (one bstr or an array of bstr).
fn cert_list(v: &Value, what: &str) -> Step<Vec<Vec<u8>>> {
    match v {
        Value::Bytes(b) => Ok(vec![b.clone()]),
        Value::Array(items) if !items.is_empty() => items
            .iter()
            .map(|i| match i {
                Value::Bytes(b) => Ok(b.clone()),
                _ => Err(failed(format!("{what} holds a non-bstr item"))),
            })
            .collect(),
        _ => Err(failed(format!(
            "{what} is neither a bstr nor a non-empty array of bstr"
        ))),
    }
}

fn parse_all(ders: &[Vec<u8>], what: &str) -> Step<Vec<Cert>> {
    ders.iter()
        .map(|d| Cert::parse(d).map_err(|e| failed(format!("{what}: {e}"))))
        .collect()
}

/// The signer's SPKI from the X.509 header parameters, if the signer has any.
pub(super) fn certificate_key(
    ctx: &mut Ctx<'_>,
    protected: &Header,
    unprotected: &Header,
) -> Step<Option<Vec<u8>>> {
    let chain = either(
        protected,
        unprotected,
        iana::HeaderParameter::X5Chain.to_i64(),
    )?;
    let bag = either(
        protected,
        unprotected,
        iana::HeaderParameter::X5Bag.to_i64(),
    )?;
    let thumb = either(protected, unprotected, iana::HeaderParameter::X5T.to_i64())?;
    let leaf = match (chain, bag, thumb) {
        (None, None, None) => return Ok(None),
        (Some(v), _, _) => {
            // ref: RFC 9360 §2: the end-entity certificate comes first, each
            // certificate is followed by its issuer.
            let certs = parse_all(&cert_list(v, "x5chain")?, "x5chain")?;
            for pair in certs.windows(2) {
                if let [child, issuer] = pair {
                    verify_issued(ctx, child, issuer)?;
                }
            }
            certs.into_iter().next()
        }
        (None, Some(v), _) => {
            let mut certs = parse_all(&cert_list(v, "x5bag")?, "x5bag")?;
            let leaf = certs.swap_remove(bag_leaf(&certs)?);
            if let Some(issuer) = certs.iter().find(|c| c.subject == leaf.issuer) {
                verify_issued(ctx, &leaf, issuer)?;
            }
            Some(leaf)
        }
        (None, None, Some(v)) => Some(by_thumbprint(ctx, v)?),
    };
    ctx.note(SCOPE.to_string());
    leaf.map(|c| Some(c.spki))
        .ok_or_else(|| failed("empty certificate list"))
}

/// The index of the one certificate of a bag that issues none of the others.
fn bag_leaf(certs: &[Cert]) -> Step<usize> {
    let issues_another = |i: usize, c: &Cert| {
        certs
            .iter()
            .enumerate()
            .any(|(j, o)| j != i && o.issuer == c.subject)
    };
    let mut leaves = certs
        .iter()
        .enumerate()
        .filter(|&(i, c)| !issues_another(i, c));
    match (leaves.next(), leaves.next()) {
        (Some((i, _)), None) => Ok(i),
        _ => Err(failed(
            "x5bag: cannot tell which certificate is the end entity's",
        )),
    }
}

/// Resolves an `x5t` value `[hash alg, digest]` against the certificates next to the file.
fn by_thumbprint(ctx: &mut Ctx<'_>, v: &Value) -> Step<Cert> {
    let Value::Array(parts) = v else {
        return Err(failed("x5t is not an array"));
    };
    let (Some(Value::Integer(alg)), Some(Value::Bytes(digest)), 2) =
        (parts.first(), parts.get(1), parts.len())
    else {
        return Err(failed("x5t is not [hash alg, digest]"));
    };
    if i128::from(*alg) != i128::from(crate::cose::iana::ALG_SHA_256) {
        return Err(unsupported(format!(
            "x5t with hash alg {}: only SHA-256 thumbprints are in the profile",
            i128::from(*alg)
        )));
    }
    let dir = &ctx.ex.dir;
    let mut candidates: Vec<_> = std::fs::read_dir(dir)
        .map_err(|e| failed(format!("x5t: cannot list {}: {e}", dir.display())))?
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "der"))
        .collect();
    candidates.sort();
    for path in candidates {
        let der = std::fs::read(&path)
            .map_err(|e| failed(format!("x5t: cannot read {}: {e}", path.display())))?;
        // The same thumbprint the envelope's opener looks senders up by (`cose::x5`).
        if crate::cose::x5::cert_thumbprint(&der).as_slice() == digest.as_slice() {
            let name = path
                .file_name()
                .map_or_else(String::new, |n| n.to_string_lossy().into_owned());
            ctx.note(format!(
                "context: x5t resolved to {name} next to the example"
            ));
            return Cert::parse(&der).map_err(|e| failed(format!("{name}: {e}")));
        }
    }
    Err(failed(
        "x5t matches no *.der certificate next to the example",
    ))
}

/// Verifies that `issuer` signed `child` (ECDSA P-256 with SHA-256 through the backend).
fn verify_issued(ctx: &mut Ctx<'_>, child: &Cert, issuer: &Cert) -> Step<()> {
    if child.issuer != issuer.subject {
        return Err(failed(
            "certificate chain: issuer name does not match the next certificate's subject",
        ));
    }
    if child.signature_alg != OID_ECDSA_WITH_SHA256 {
        return Err(unsupported(format!(
            "certificate signed with {}: only ecdsa-with-SHA256 is in the profile",
            child.signature_alg
        )));
    }
    match parse_spki(&issuer.spki) {
        Ok((SpkiAlgorithm::P256, _)) => {}
        _ => {
            return Err(unsupported(
                "certificate issuer key is not P-256: not in the profile",
            ));
        }
    }
    let id = SignatureId::EcdsaP256Sha256;
    let scheme =
        (ctx.backend.signature)(id).map_err(|u| unsupported(format!("{}: {u}", id.label())))?;
    let vk = scheme
        .verifying_key(&issuer.spki)
        .map_err(setup_error("loading the certificate issuer's key"))?;
    vk.verify_der(&child.tbs, &child.signature)
        .map_err(check_error("certificate signature"))?;
    ctx.note(
        "context: end-entity certificate signature verified with its issuer from the header"
            .to_string(),
    );
    Ok(())
}
