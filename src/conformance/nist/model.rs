//! A parsed NIST CAVP AES-GCM response file.

/// Which kind of CAVP file this is (from its name, as NIST names them).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RspKind {
    /// `gcmEncryptExtIV*.rsp`: seal `PT` must give `CT` and `Tag`.
    Encrypt,
    /// `gcmDecrypt*.rsp`: open must give `PT`, or fail for `FAIL` records.
    Decrypt,
}

/// A parsed response file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RspFile {
    /// File name (no directory), used in suite names and messages.
    pub name: String,
    /// Encrypt or decrypt file.
    pub kind: RspKind,
    /// Sections in file order.
    pub sections: Vec<Section>,
}

/// A section: one `[Keylen] [IVlen] [PTlen] [AADlen] [Taglen]` header and its records.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Section {
    /// Line of the section's first header.
    pub line: usize,
    /// Key length in bits.
    pub key_bits: usize,
    /// IV length in bits.
    pub iv_bits: usize,
    /// Plaintext (and ciphertext) length in bits.
    pub pt_bits: usize,
    /// AAD length in bits.
    pub aad_bits: usize,
    /// Tag length in bits.
    pub tag_bits: usize,
    /// The records.
    pub records: Vec<Record>,
}

/// One `Count = N` record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Record {
    /// Line of the `Count` line.
    pub line: usize,
    /// The `Count` value.
    pub count: u64,
    /// Key.
    pub key: Vec<u8>,
    /// IV (nonce).
    pub iv: Vec<u8>,
    /// Additional authenticated data.
    pub aad: Vec<u8>,
    /// Ciphertext.
    pub ct: Vec<u8>,
    /// Tag.
    pub tag: Vec<u8>,
    /// Plaintext; `None` for a decrypt record marked `FAIL`.
    pub pt: Option<Vec<u8>>,
}
