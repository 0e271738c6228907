//! The COSE core's CBOR: a deterministic writer and a strict reader, the fast path of
//! the envelope and the decoder the conformance runners rebuild structures with.
//!
//! Only what RFC 8949 §4.2.1 "core deterministic encoding" allows is written and accepted:
//! shortest-form heads, definite lengths, map keys in bytewise order without duplicates.
//! Floats, indefinite lengths, simple values other than `null` and reserved additional
//! information are rejected. Tests check the writer byte for byte against `ciborium`/`coset`.

/// Major type: unsigned integer.
pub const MAJOR_UINT: u8 = 0;
/// Major type: negative integer.
pub const MAJOR_NINT: u8 = 1;
/// Major type: byte string.
pub const MAJOR_BSTR: u8 = 2;
/// Major type: text string.
pub const MAJOR_TSTR: u8 = 3;
/// Major type: array.
pub const MAJOR_ARRAY: u8 = 4;
/// Major type: map.
pub const MAJOR_MAP: u8 = 5;
/// Major type: tag.
pub const MAJOR_TAG: u8 = 6;
/// Major type: simple values and floats.
pub const MAJOR_SIMPLE: u8 = 7;

/// The encoded length of a head carrying `value`.
pub const fn head_len(value: u64) -> usize {
    match value {
        0..=23 => 1,
        24..=0xff => 2,
        0x100..=0xffff => 3,
        0x1_0000..=0xffff_ffff => 5,
        _ => 9,
    }
}

/// The rank of an integer map key in deterministic order: for integers the bytewise
/// order of shortest-form encodings is numeric order within a sign, and every unsigned
/// key before every negative one (RFC 8949 §4.2.1), so comparing ranks is comparing the
/// encodings.
#[inline]
pub fn label_rank(label: i64) -> u128 {
    if label >= 0 {
        u128::from(label.unsigned_abs())
    } else {
        (1u128 << 64) + (-1 - i128::from(label)).unsigned_abs()
    }
}

/// A buffer of `cap` bytes written by `f`, cut to what it wrote (for code off the hot
/// path: crafted messages, rebuilt structures).
pub fn to_vec<E: From<Overflow>>(
    cap: usize,
    f: impl FnOnce(&mut Writer<'_>) -> Result<(), E>,
) -> Result<Vec<u8>, E> {
    let mut buf = vec![0u8; cap];
    let mut w = Writer::new(&mut buf);
    f(&mut w)?;
    let n = w.len();
    buf.truncate(n);
    Ok(buf)
}

/// The first `N` bytes of `arg` as an array.
#[inline]
fn be_bytes<const N: usize>(arg: &[u8]) -> Option<[u8; N]> {
    arg.first_chunk::<N>().copied()
}

/// Writes CBOR into a caller-provided slice. Running out of room is an error, not a panic.
#[derive(Debug)]
pub struct Writer<'a> {
    buf: &'a mut [u8],
    pos: usize,
}

/// The output buffer is too small.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Overflow;

impl<'a> Writer<'a> {
    /// A writer at the start of `buf`.
    pub fn new(buf: &'a mut [u8]) -> Self {
        Self { buf, pos: 0 }
    }

    /// Bytes written so far.
    #[inline]
    pub fn len(&self) -> usize {
        self.pos
    }

    /// Whether nothing was written.
    #[inline]
    pub fn is_empty(&self) -> bool {
        self.pos == 0
    }

    /// Appends raw bytes.
    #[inline]
    pub fn raw(&mut self, bytes: &[u8]) -> Result<(), Overflow> {
        let end = self.pos.checked_add(bytes.len()).ok_or(Overflow)?;
        self.buf
            .get_mut(self.pos..end)
            .ok_or(Overflow)?
            .copy_from_slice(bytes);
        self.pos = end;
        Ok(())
    }

    /// Appends a head (major type and argument) in shortest form.
    #[inline]
    pub fn head(&mut self, major: u8, value: u64) -> Result<(), Overflow> {
        let m = major << 5;
        let be = value.to_be_bytes();
        match head_len(value) {
            1 => self.raw(&[m | (value as u8)]),
            2 => self.raw(&[m | 24, value as u8]),
            3 => self.raw(&[m | 25, be[6], be[7]]),
            5 => self.raw(&[m | 26, be[4], be[5], be[6], be[7]]),
            _ => {
                self.raw(&[m | 27])?;
                self.raw(&be)
            }
        }
    }

    /// Appends an integer (major 0 or 1).
    #[inline]
    pub fn int(&mut self, v: i64) -> Result<(), Overflow> {
        if v >= 0 {
            self.head(MAJOR_UINT, v.unsigned_abs())
        } else {
            // -1 - v, computed without overflow for i64::MIN.
            self.head(MAJOR_NINT, (-1 - v as i128) as u64)
        }
    }

    /// Appends a byte string.
    #[inline]
    pub fn bstr(&mut self, bytes: &[u8]) -> Result<(), Overflow> {
        self.head(MAJOR_BSTR, bytes.len() as u64)?;
        self.raw(bytes)
    }

    /// Appends a text string.
    #[inline]
    pub fn tstr(&mut self, s: &str) -> Result<(), Overflow> {
        self.head(MAJOR_TSTR, s.len() as u64)?;
        self.raw(s.as_bytes())
    }

    /// The written bytes.
    #[inline]
    pub fn written(&self) -> &[u8] {
        self.buf.get(..self.pos).unwrap_or_default()
    }
}

/// Why the reader rejected its input. Positions are byte offsets into the input.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum CborError {
    /// The input ended inside an item.
    #[error("truncated CBOR at byte {0}")]
    Truncated(usize),
    /// An item of another type than the profile requires.
    #[error("unexpected CBOR item at byte {0}")]
    Unexpected(usize),
    /// A head that is not in shortest form, an indefinite length, or reserved bits.
    #[error("non-deterministic or reserved CBOR encoding at byte {0}")]
    NotDeterministic(usize),
    /// A text string that is not valid UTF-8.
    #[error("invalid UTF-8 in text string at byte {0}")]
    BadUtf8(usize),
    /// Bytes after the end of the message.
    #[error("{0} trailing bytes after the message")]
    Trailing(usize),
}

/// A strict reader over a complete CBOR message.
#[derive(Debug, Clone)]
pub struct Reader<'a> {
    data: &'a [u8],
    pos: usize,
}

impl<'a> Reader<'a> {
    /// A reader at the start of `data`.
    pub fn new(data: &'a [u8]) -> Self {
        Self { data, pos: 0 }
    }

    /// The whole input.
    #[inline]
    pub fn input(&self) -> &'a [u8] {
        self.data
    }

    /// Current offset.
    #[inline]
    pub fn pos(&self) -> usize {
        self.pos
    }

    /// Fails unless every byte was consumed.
    #[inline]
    pub fn finish(&self) -> Result<(), CborError> {
        match self.data.len().saturating_sub(self.pos) {
            0 => Ok(()),
            n => Err(CborError::Trailing(n)),
        }
    }

    #[inline]
    fn take(&mut self, n: usize) -> Result<&'a [u8], CborError> {
        let end = self
            .pos
            .checked_add(n)
            .ok_or(CborError::Truncated(self.pos))?;
        let s = self
            .data
            .get(self.pos..end)
            .ok_or(CborError::Truncated(self.pos))?;
        self.pos = end;
        Ok(s)
    }

    /// The major type of the next item, without consuming it.
    #[inline]
    pub fn peek_major(&self) -> Result<u8, CborError> {
        self.data
            .get(self.pos)
            .map(|b| b >> 5)
            .ok_or(CborError::Truncated(self.pos))
    }

    /// Reads a head, requiring shortest form and a definite length.
    #[inline]
    pub fn head(&mut self) -> Result<(u8, u64), CborError> {
        let at = self.pos;
        let rest = self.data.get(at..).unwrap_or_default();
        let (&first, arg) = rest.split_first().ok_or(CborError::Truncated(at))?;
        let (major, info) = (first >> 5, first & 0x1f);
        if major == MAJOR_SIMPLE && info != 22 {
            // Only `null` (simple value 22) is accepted; floats and other simple values are not.
            return Err(CborError::Unexpected(at));
        }
        let truncated = CborError::Truncated(at + 1);
        // Each longer form must carry a value the next shorter form cannot (shortest form).
        let (value, len) = match info {
            0..=23 => (u64::from(info), 1),
            24 => (u64::from(*arg.first().ok_or(truncated)?), 2),
            25 => (
                u64::from(u16::from_be_bytes(be_bytes(arg).ok_or(truncated)?)),
                3,
            ),
            26 => (
                u64::from(u32::from_be_bytes(be_bytes(arg).ok_or(truncated)?)),
                5,
            ),
            27 => (u64::from_be_bytes(be_bytes(arg).ok_or(truncated)?), 9),
            _ => return Err(CborError::NotDeterministic(at)),
        };
        if head_len(value) != len {
            return Err(CborError::NotDeterministic(at));
        }
        self.pos = at + len;
        Ok((major, value))
    }

    #[inline]
    fn expect(&mut self, major: u8) -> Result<u64, CborError> {
        let at = self.pos;
        match self.head()? {
            (m, v) if m == major => Ok(v),
            _ => Err(CborError::Unexpected(at)),
        }
    }

    /// Reads a tag number.
    #[inline]
    pub fn tag(&mut self) -> Result<u64, CborError> {
        self.expect(MAJOR_TAG)
    }

    /// Reads an array head and returns its length.
    #[inline]
    pub fn array(&mut self) -> Result<u64, CborError> {
        self.expect(MAJOR_ARRAY)
    }

    /// Reads a map head and returns its number of pairs.
    #[inline]
    pub fn map(&mut self) -> Result<u64, CborError> {
        self.expect(MAJOR_MAP)
    }

    /// Reads an unsigned integer.
    #[inline]
    pub fn uint(&mut self) -> Result<u64, CborError> {
        self.expect(MAJOR_UINT)
    }

    /// Reads an integer of either sign that fits in `i64`.
    #[inline]
    pub fn int(&mut self) -> Result<i64, CborError> {
        let at = self.pos;
        match self.head()? {
            (MAJOR_UINT, v) => i64::try_from(v).map_err(|_| CborError::Unexpected(at)),
            (MAJOR_NINT, v) => i64::try_from(v)
                .map(|v| -1 - v)
                .map_err(|_| CborError::Unexpected(at)),
            _ => Err(CborError::Unexpected(at)),
        }
    }

    /// Reads a byte string.
    #[inline]
    pub fn bstr(&mut self) -> Result<&'a [u8], CborError> {
        let len = self.expect(MAJOR_BSTR)?;
        let len = usize::try_from(len).map_err(|_| CborError::Truncated(self.pos))?;
        self.take(len)
    }

    /// Reads a byte string and returns its content's byte range in the input.
    #[inline]
    pub fn bstr_range(&mut self) -> Result<std::ops::Range<usize>, CborError> {
        let len = self.expect(MAJOR_BSTR)?;
        let len = usize::try_from(len).map_err(|_| CborError::Truncated(self.pos))?;
        let start = self.pos;
        self.take(len)?;
        Ok(start..self.pos)
    }

    /// Reads a text string.
    #[inline]
    pub fn tstr(&mut self) -> Result<&'a str, CborError> {
        let at = self.pos;
        let len = self.expect(MAJOR_TSTR)?;
        let len = usize::try_from(len).map_err(|_| CborError::Truncated(self.pos))?;
        std::str::from_utf8(self.take(len)?).map_err(|_| CborError::BadUtf8(at))
    }

    /// Reads a text string whose bytes are ASCII (checked word-wise, much cheaper than
    /// full UTF-8 validation on short strings), or else valid UTF-8; returns the bytes.
    #[inline]
    pub fn tstr_bytes(&mut self) -> Result<&'a [u8], CborError> {
        let at = self.pos;
        let len = self.expect(MAJOR_TSTR)?;
        let len = usize::try_from(len).map_err(|_| CborError::Truncated(self.pos))?;
        let bytes = self.take(len)?;
        if bytes.is_ascii() || std::str::from_utf8(bytes).is_ok() {
            Ok(bytes)
        } else {
            Err(CborError::BadUtf8(at))
        }
    }

    /// Reads `null`.
    #[inline]
    pub fn null(&mut self) -> Result<(), CborError> {
        let at = self.pos;
        match self.head()? {
            (MAJOR_SIMPLE, 22) => Ok(()),
            _ => Err(CborError::Unexpected(at)),
        }
    }

    /// Reads a map key (an integer label).
    #[inline]
    pub fn label(&mut self) -> Result<i64, CborError> {
        self.int()
    }

    /// Reads `false` or `true` (simple values 20 and 21; off the hot path, which
    /// accepts no simple value but `null`).
    pub fn bool(&mut self) -> Result<bool, CborError> {
        let at = self.pos;
        let v = match self.data.get(at) {
            Some(0xf4) => false,
            Some(0xf5) => true,
            Some(_) => return Err(CborError::Unexpected(at)),
            None => return Err(CborError::Truncated(at)),
        };
        self.pos = at + 1;
        Ok(v)
    }

    /// Skips one complete item (nested at most `MAX_SKIP_DEPTH` deep), for parameters a
    /// decoder does not interpret. Booleans are skipped too.
    pub fn skip(&mut self) -> Result<(), CborError> {
        self.skip_nested(0)
    }

    fn skip_nested(&mut self, depth: usize) -> Result<(), CborError> {
        let at = self.pos;
        if depth > MAX_SKIP_DEPTH {
            return Err(CborError::Unexpected(at));
        }
        if matches!(self.data.get(at), Some(0xf4 | 0xf5)) {
            self.pos = at + 1;
            return Ok(());
        }
        let (major, value) = self.head()?;
        let len = usize::try_from(value).map_err(|_| CborError::Truncated(at))?;
        match major {
            MAJOR_BSTR | MAJOR_TSTR => self.take(len).map(|_| ()),
            MAJOR_ARRAY => (0..len).try_for_each(|_| self.skip_nested(depth + 1)),
            MAJOR_MAP => (0..len).try_for_each(|_| {
                self.skip_nested(depth + 1)?;
                self.skip_nested(depth + 1)
            }),
            MAJOR_TAG => self.skip_nested(depth + 1),
            _ => Ok(()),
        }
    }
}

/// How deep [`Reader::skip`] follows nested arrays, maps and tags.
pub const MAX_SKIP_DEPTH: usize = 16;

#[cfg(test)]
mod tests {
    use super::*;
    use ciborium::value::{Integer, Value};

    fn ciborium_bytes(v: &Value) -> Vec<u8> {
        let mut out = Vec::new();
        ciborium::ser::into_writer(v, &mut out).unwrap();
        out
    }

    #[test]
    fn writer_matches_ciborium_for_heads_ints_and_strings() {
        for v in [
            0i64,
            1,
            23,
            24,
            255,
            256,
            65535,
            65536,
            1 << 32,
            i64::MAX,
            -1,
            -24,
            -25,
            -65537,
            i64::MIN,
        ] {
            let mut buf = [0u8; 16];
            let mut w = Writer::new(&mut buf);
            w.int(v).unwrap();
            assert_eq!(
                w.written(),
                ciborium_bytes(&Value::Integer(Integer::from(v))),
                "{v}"
            );
        }
        for len in [0usize, 23, 24, 255, 256, 70000] {
            let data = vec![0xabu8; len];
            let mut buf = vec![0u8; len + 9];
            let mut w = Writer::new(&mut buf);
            w.bstr(&data).unwrap();
            assert_eq!(w.written(), ciborium_bytes(&Value::Bytes(data.clone())));
            let mut r = Reader::new(w.written());
            assert_eq!(r.bstr().unwrap(), &data[..]);
            r.finish().unwrap();
        }
    }

    #[test]
    fn reader_rejects_non_shortest_heads_indefinite_and_floats() {
        // 24 encoded with a one-byte argument is fine, 23 is not.
        assert_eq!(Reader::new(&[0x18, 24]).uint(), Ok(24));
        assert_eq!(
            Reader::new(&[0x18, 23]).uint(),
            Err(CborError::NotDeterministic(0))
        );
        assert_eq!(
            Reader::new(&[0x19, 0, 255]).uint(),
            Err(CborError::NotDeterministic(0))
        );
        assert_eq!(
            Reader::new(&[0x5f]).bstr(),
            Err(CborError::NotDeterministic(0))
        );
        assert_eq!(
            Reader::new(&[0xf9, 0, 0]).int(),
            Err(CborError::Unexpected(0))
        );
        assert_eq!(Reader::new(&[0xf6]).null(), Ok(()));
    }

    #[test]
    fn reader_reports_truncation_and_trailing_bytes() {
        assert_eq!(
            Reader::new(&[0x44, 1, 2]).bstr(),
            Err(CborError::Truncated(1))
        );
        assert_eq!(Reader::new(&[0x1a, 0]).uint(), Err(CborError::Truncated(1)));
        let mut r = Reader::new(&[0x01, 0x02]);
        r.uint().unwrap();
        assert_eq!(r.finish(), Err(CborError::Trailing(1)));
        assert_eq!(
            Reader::new(&[0x62, 0xff, 0xfe]).tstr(),
            Err(CborError::BadUtf8(0))
        );
    }

    #[test]
    fn skip_and_bool_cover_nested_items() {
        // [1, {2: h'03'}, true, 6("x")] then false
        let bytes = [
            0x84, 0x01, 0xa1, 0x02, 0x41, 0x03, 0xf5, 0xc6, 0x61, b'x', 0xf4,
        ];
        let mut r = Reader::new(&bytes);
        r.skip().unwrap();
        assert_eq!(r.bool(), Ok(false));
        r.finish().unwrap();
        assert_eq!(Reader::new(&[0xf6]).bool(), Err(CborError::Unexpected(0)));
        let deep = [[0x81u8; 20].as_slice(), &[0x00]].concat();
        assert!(Reader::new(&deep).skip().is_err());
    }

    #[test]
    fn to_vec_cuts_to_what_was_written() {
        let v = to_vec(16, |w| w.bstr(b"ab")).unwrap();
        assert_eq!(v, [0x42, b'a', b'b']);
        assert_eq!(to_vec(1, |w| w.bstr(b"ab")), Err(Overflow));
    }

    #[test]
    fn writer_overflow_is_an_error() {
        let mut buf = [0u8; 2];
        let mut w = Writer::new(&mut buf);
        assert_eq!(w.bstr(&[1, 2, 3]), Err(Overflow));
    }
}
