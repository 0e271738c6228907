//! Running parsed CAVP AES-GCM files against one backend.

use super::model::{Record, RspFile, RspKind, Section};
use crate::backend::{Aead, AeadId, AeadParams, AlgorithmId, Backend, Error, Unsupported};
use crate::conformance::outcome::{Outcome, SuiteRecord};

/// Runs `file` against `backend`: one record per key length in the file, labelled with the
/// AES-GCM id of that key length (a key length no id has, e.g. 192, gives a record with
/// every case unsupported).
///
/// Per section, `check_params` decides whether the backend can take its IV and tag
/// lengths; if not, every record of the section is unsupported with the backend's reason.
/// Otherwise every record must seal `PT` to exactly `CT || Tag` and open back to `PT`;
/// a `FAIL` record must not open (and must leave the buffer zeroed).
pub fn run_nist(backend: &Backend, file: &RspFile) -> Vec<SuiteRecord> {
    let suite = format!("nist-cavp/{}", file.name.trim_end_matches(".rsp"));
    let mut key_lengths: Vec<usize> = Vec::new();
    for s in &file.sections {
        if !key_lengths.contains(&s.key_bits) {
            key_lengths.push(s.key_bits);
        }
    }
    key_lengths
        .into_iter()
        .map(|bits| {
            let id = AeadId::ALL
                .iter()
                .copied()
                .find(|id| id.is_aes_gcm() && id.key_len() * 8 == bits);
            let (label, aead) = match id {
                Some(id) => (
                    AlgorithmId::Aead(id).label().to_string(),
                    (backend.aead)(id),
                ),
                None => (
                    format!("aes{bits}gcm"),
                    Err(Unsupported("no AES-GCM algorithm id has this key length")),
                ),
            };
            let mut record = SuiteRecord::new(backend.name, &suite, &label);
            for section in file.sections.iter().filter(|s| s.key_bits == bits) {
                run_section(&mut record, aead, file, section);
            }
            record
        })
        .collect()
}

/// The section's parameters, if whole bytes and accepted by the backend.
fn section_params(aead: &dyn Aead, s: &Section) -> Result<AeadParams, Unsupported> {
    let whole = |bits: usize, why: &'static str| {
        if bits.is_multiple_of(8) {
            Ok(bits / 8)
        } else {
            Err(Unsupported(why))
        }
    };
    let nonce_len = whole(s.iv_bits, "IV length not a whole number of bytes")?;
    let tag_len = whole(s.tag_bits, "tag length not a whole number of bytes")?;
    whole(s.pt_bits, "plaintext length not a whole number of bytes")?;
    whole(s.aad_bits, "AAD length not a whole number of bytes")?;
    let params = AeadParams { nonce_len, tag_len };
    aead.check_params(params)?;
    Ok(params)
}

fn run_section(
    record: &mut SuiteRecord,
    aead: Result<&'static dyn Aead, Unsupported>,
    file: &RspFile,
    section: &Section,
) {
    let setup = aead.and_then(|a| section_params(a, section).map(|p| (a, p)));
    for r in &section.records {
        let outcome = match setup {
            Ok((aead, params)) => run_record(aead, params, file.kind, r),
            Err(u) => Outcome::unsupported(u.0),
        };
        let id = format!("{}:{} Count = {}", file.name, r.line, r.count);
        record.add(&id, &[], outcome);
    }
}

/// An error from a step that must succeed.
fn step_failed(step: &str, e: Error) -> Outcome {
    match e {
        Error::Unsupported(u) => Outcome::unsupported(u.0),
        e => Outcome::failed(format!("{step}: {e}")),
    }
}

fn run_record(aead: &dyn Aead, params: AeadParams, kind: RspKind, r: &Record) -> Outcome {
    let key = match aead.new_key(&r.key, params) {
        Ok(key) => key,
        Err(e) => return step_failed("key set-up", e),
    };
    let mut sealed = r.ct.clone();
    sealed.extend_from_slice(&r.tag);
    let Some(pt) = &r.pt else {
        // A FAIL record (decrypt files only): the tag must not verify.
        return match key.open_in_place(&r.iv, &r.aad, &mut sealed) {
            Ok(_) => Outcome::failed("FAIL record opened"),
            Err(Error::Unsupported(u)) => Outcome::unsupported(u.0),
            Err(_) if sealed.iter().any(|&b| b != 0) => {
                Outcome::failed("failed open left the buffer non-zero")
            }
            Err(_) => Outcome::Passed,
        };
    };
    let mut buf = pt.clone();
    buf.resize(pt.len() + params.tag_len, 0);
    if let Err(e) = key.seal_in_place(&r.iv, &r.aad, &mut buf) {
        return step_failed("seal", e);
    }
    if buf != sealed {
        let what = match kind {
            RspKind::Encrypt => "seal",
            RspKind::Decrypt => "seal of the decrypt record's PT",
        };
        return Outcome::failed(format!(
            "{what} gave {}, want CT||Tag {}",
            hex::encode(&buf),
            hex::encode(&sealed)
        ));
    }
    match key.open_in_place(&r.iv, &r.aad, &mut sealed) {
        Ok(n) if sealed.get(..n) == Some(pt.as_slice()) => Outcome::Passed,
        Ok(_) => Outcome::failed("open gave the wrong plaintext"),
        Err(e) => step_failed("open", e),
    }
}
