//! Strict parser for NIST CAVP AES-GCM response files (`gcmEncryptExtIV*.rsp`,
//! `gcmDecrypt*.rsp`) as NIST ships them.
//!
//! Format: `#` comments; sections opened by `[Keylen = ..]`, `[IVlen = ..]`, `[PTlen = ..]`,
//! `[AADlen = ..]`, `[Taglen = ..]` (lengths in bits); records opened by `Count = N` and
//! holding `Key`, `IV`, `PT`, `AAD`, `CT`, `Tag` (values may be empty: `CT = `). A decrypt
//! record carries either `PT = ..` or a bare `FAIL` line (the tag must not verify). Lines
//! end in LF or CRLF.
//!
//! Every field must appear exactly once per record, and its length must match the section
//! header: hex digits × 4 = bits. (A bit length that is not a multiple of 8 is expected as
//! whole, padded bytes; the runner reports such sections unsupported.) Anything else is a
//! [`NistError`] naming the file and line.

use std::path::Path;

use super::error::NistError;
use super::model::{Record, RspFile, RspKind, Section};

/// Reads and parses `path`; the kind comes from the file name (`Encrypt` / `Decrypt`).
pub fn parse_rsp(path: &Path) -> Result<RspFile, NistError> {
    let name = path.file_name().map_or_else(
        || path.display().to_string(),
        |n| n.to_string_lossy().into_owned(),
    );
    let kind = if name.contains("Decrypt") {
        RspKind::Decrypt
    } else if name.contains("Encrypt") {
        RspKind::Encrypt
    } else {
        return Err(NistError::UnknownKind { file: name });
    };
    let text = std::fs::read_to_string(path).map_err(|source| NistError::Io {
        file: name.clone(),
        source,
    })?;
    parse_rsp_str(&name, kind, &text)
}

/// The section-header lengths.
const HEADERS: [&str; 5] = ["Keylen", "IVlen", "PTlen", "AADlen", "Taglen"];

/// The record fields (besides `Count`), with the header each one's length is checked against.
const FIELDS: [(&str, usize); 6] = [
    ("Key", 0),
    ("IV", 1),
    ("PT", 2),
    ("AAD", 3),
    ("CT", 2),
    ("Tag", 4),
];

/// A section header being read (`None` = not seen yet).
#[derive(Default)]
struct Header {
    line: usize,
    values: [Option<usize>; 5],
}

/// A record being read.
struct Partial {
    line: usize,
    count: u64,
    fields: [Option<Vec<u8>>; 6],
    fail: bool,
}

/// Parser state.
struct Parser<'a> {
    file: &'a str,
    kind: RspKind,
    sections: Vec<Section>,
    /// Header lines read since the last record.
    header: Option<Header>,
    /// The section records are being added to.
    section: Option<Section>,
    record: Option<Partial>,
}

/// Parses the text of a response file named `file`.
pub fn parse_rsp_str(file: &str, kind: RspKind, text: &str) -> Result<RspFile, NistError> {
    let mut p = Parser {
        file,
        kind,
        sections: Vec::new(),
        header: None,
        section: None,
        record: None,
    };
    for (i, raw) in text.split('\n').enumerate() {
        let line_no = i + 1;
        let line = raw.strip_suffix('\r').unwrap_or(raw).trim();
        p.line(line_no, line)?;
    }
    p.finish_record()?;
    p.finish_section();
    if let Some(h) = p.header {
        return Err(NistError::EmptySection {
            file: file.to_string(),
            line: h.line,
        });
    }
    if p.sections.is_empty() {
        return Err(NistError::NoRecords {
            file: file.to_string(),
        });
    }
    Ok(RspFile {
        name: file.to_string(),
        kind,
        sections: p.sections,
    })
}

impl Parser<'_> {
    fn line(&mut self, line_no: usize, line: &str) -> Result<(), NistError> {
        if line.is_empty() {
            return self.finish_record();
        }
        if line.starts_with('#') {
            return Ok(());
        }
        if let Some(inner) = line.strip_prefix('[') {
            self.finish_record()?;
            let inner = inner
                .strip_suffix(']')
                .ok_or_else(|| self.syntax(line_no, line))?;
            let (key, value) = inner
                .split_once('=')
                .ok_or_else(|| self.syntax(line_no, line))?;
            return self.header_line(line_no, key.trim(), value.trim());
        }
        if line == "FAIL" {
            return self.fail_line(line_no);
        }
        let (key, value) = line
            .split_once('=')
            .ok_or_else(|| self.syntax(line_no, line))?;
        let (key, value) = (key.trim(), value.trim());
        if key == "Count" {
            self.finish_record()?;
            return self.start_record(line_no, value);
        }
        self.field_line(line_no, key, value)
    }

    fn syntax(&self, line: usize, text: &str) -> NistError {
        NistError::Syntax {
            file: self.file.to_string(),
            line,
            text: text.to_string(),
        }
    }

    fn header_line(&mut self, line: usize, key: &str, value: &str) -> Result<(), NistError> {
        let file = self.file.to_string();
        let idx = HEADERS
            .iter()
            .position(|h| *h == key)
            .ok_or_else(|| NistError::UnknownKey {
                file: file.clone(),
                line,
                key: key.to_string(),
            })?;
        let bits: usize = value.parse().map_err(|_| NistError::BadNumber {
            file: file.clone(),
            line,
            key: key.to_string(),
        })?;
        // A header after records closes the current section.
        self.finish_section();
        let header = self.header.get_or_insert_with(|| Header {
            line,
            ..Header::default()
        });
        let slot = header
            .values
            .get_mut(idx)
            .ok_or_else(|| NistError::UnknownKey {
                file: file.clone(),
                line,
                key: key.to_string(),
            })?;
        if slot.is_some() {
            return Err(NistError::Duplicate {
                file,
                line,
                key: key.to_string(),
            });
        }
        *slot = Some(bits);
        Ok(())
    }

    fn start_record(&mut self, line: usize, value: &str) -> Result<(), NistError> {
        let count = value.parse().map_err(|_| NistError::BadNumber {
            file: self.file.to_string(),
            line,
            key: "Count".to_string(),
        })?;
        if let Some(h) = self.header.take() {
            let mut v = [0usize; 5];
            for ((slot, value), name) in v.iter_mut().zip(h.values).zip(HEADERS) {
                *slot = value.ok_or_else(|| NistError::MissingHeader {
                    file: self.file.to_string(),
                    line: h.line,
                    key: name,
                })?;
            }
            let [key_bits, iv_bits, pt_bits, aad_bits, tag_bits] = v;
            self.section = Some(Section {
                line: h.line,
                key_bits,
                iv_bits,
                pt_bits,
                aad_bits,
                tag_bits,
                records: Vec::new(),
            });
        }
        if self.section.is_none() {
            return Err(NistError::OutsideSection {
                file: self.file.to_string(),
                line,
            });
        }
        self.record = Some(Partial {
            line,
            count,
            fields: Default::default(),
            fail: false,
        });
        Ok(())
    }

    fn field_line(&mut self, line: usize, key: &str, value: &str) -> Result<(), NistError> {
        let file = self.file.to_string();
        let err_key = || key.to_string();
        let (idx, header_idx) = FIELDS
            .iter()
            .enumerate()
            .find(|(_, (name, _))| *name == key)
            .map(|(i, (_, h))| (i, *h))
            .ok_or_else(|| NistError::UnknownKey {
                file: file.clone(),
                line,
                key: err_key(),
            })?;
        let (Some(record), Some(section)) = (self.record.as_mut(), self.section.as_ref()) else {
            return Err(NistError::OutsideRecord {
                file,
                line,
                key: err_key(),
            });
        };
        let bits = [
            section.key_bits,
            section.iv_bits,
            section.pt_bits,
            section.aad_bits,
            section.tag_bits,
        ]
        .get(header_idx)
        .copied()
        .unwrap_or(0);
        let digits = bits.div_ceil(8) * 2;
        if value.len() != digits {
            return Err(NistError::Length {
                file,
                line,
                key: err_key(),
                expected_bits: bits,
                actual_bits: value.len() * 4,
            });
        }
        let bytes = hex::decode(value).map_err(|_| NistError::BadHex {
            file: file.clone(),
            line,
            key: err_key(),
        })?;
        if key == "PT" && record.fail {
            return Err(NistError::PtAndFail { file, line });
        }
        let slot = record
            .fields
            .get_mut(idx)
            .ok_or_else(|| NistError::UnknownKey {
                file: file.clone(),
                line,
                key: err_key(),
            })?;
        if slot.is_some() {
            return Err(NistError::Duplicate {
                file,
                line,
                key: err_key(),
            });
        }
        *slot = Some(bytes);
        Ok(())
    }

    fn fail_line(&mut self, line: usize) -> Result<(), NistError> {
        let file = self.file.to_string();
        if self.kind == RspKind::Encrypt {
            return Err(NistError::FailInEncryptFile { file, line });
        }
        let record = self
            .record
            .as_mut()
            .ok_or_else(|| NistError::OutsideRecord {
                file: file.clone(),
                line,
                key: "FAIL".to_string(),
            })?;
        if record.fail {
            return Err(NistError::Duplicate {
                file,
                line,
                key: "FAIL".to_string(),
            });
        }
        if record.fields.get(2).is_some_and(Option::is_some) {
            return Err(NistError::PtAndFail { file, line });
        }
        record.fail = true;
        Ok(())
    }

    /// Checks the open record is complete and adds it to the current section.
    fn finish_record(&mut self) -> Result<(), NistError> {
        let Some(r) = self.record.take() else {
            return Ok(());
        };
        let file = self.file;
        let [key, iv, pt, aad, ct, tag] = r.fields;
        let need = |v: Option<Vec<u8>>, name: &'static str| {
            v.ok_or_else(|| NistError::Missing {
                file: file.to_string(),
                line: r.line,
                key: name,
            })
        };
        let record = Record {
            line: r.line,
            count: r.count,
            key: need(key, "Key")?,
            iv: need(iv, "IV")?,
            aad: need(aad, "AAD")?,
            ct: need(ct, "CT")?,
            tag: need(tag, "Tag")?,
            pt: if r.fail { None } else { Some(need(pt, "PT")?) },
        };
        if let Some(section) = self.section.as_mut() {
            section.records.push(record);
        }
        Ok(())
    }

    fn finish_section(&mut self) {
        if let Some(s) = self.section.take() {
            self.sections.push(s);
        }
    }
}
