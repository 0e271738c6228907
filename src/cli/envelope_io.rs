//! Shared pieces of `sealbench seal` and `sealbench open`: trust stores, key lookup, I/O.

use std::io::{Read, Write};
use std::path::{Path, PathBuf};

use anyhow::{Context, bail};

use crate::envelope::{KeyEntry, TrustStore, keystore};

/// Loads a trust directory, printing its warnings to stderr.
pub(super) fn load_trust(dir: &Path) -> anyhow::Result<TrustStore> {
    let (store, warnings) =
        keystore::load_dir(dir).with_context(|| format!("--trust {}", dir.display()))?;
    for w in warnings {
        eprintln!("warning: {w}");
    }
    Ok(store)
}

/// Finds a key by its kid given as text (as in `trust.toml`) or as hex.
pub(super) fn find<'s>(
    store: &'s TrustStore,
    kid: &str,
    flag: &str,
) -> anyhow::Result<&'s KeyEntry> {
    let by_text = store.get(kid.as_bytes());
    let by_hex = hex::decode(kid).ok().and_then(|k| store.get(&k));
    match by_text.or(by_hex) {
        Some(e) => Ok(e),
        None => {
            let known: Vec<String> = store.entries.iter().map(|e| display_kid(&e.kid)).collect();
            bail!(
                "{flag} {kid}: no key with this kid in the trust store (known: {})",
                known.join(", ")
            )
        }
    }
}

/// A kid as text when it is printable UTF-8, else hex.
pub(super) fn display_kid(kid: &[u8]) -> String {
    match std::str::from_utf8(kid) {
        Ok(s) if !s.is_empty() && s.chars().all(|c| c.is_ascii_graphic()) => s.to_string(),
        _ => hex::encode(kid),
    }
}

/// Reads `--in FILE` or stdin.
pub(super) fn read_input(path: Option<&PathBuf>) -> anyhow::Result<Vec<u8>> {
    let mut data = Vec::new();
    match path {
        Some(p) if p.as_os_str() != "-" => {
            data = std::fs::read(p).with_context(|| format!("--in {}", p.display()))?;
        }
        _ => {
            std::io::stdin()
                .read_to_end(&mut data)
                .context("reading stdin")?;
        }
    }
    Ok(data)
}

/// Writes to `--out FILE` or stdout. A file is written owner-only (mode 0600) by
/// [`write_private_file`]: `open --out` writes decrypted plaintext, and `seal --out` a
/// message whose payload may be cleartext (sign1, mac0).
pub(super) fn write_output(path: Option<&PathBuf>, data: &[u8]) -> anyhow::Result<()> {
    match path {
        Some(p) if p.as_os_str() != "-" => {
            write_private_file(p, data).with_context(|| format!("--out {}", p.display()))
        }
        _ => {
            let mut out = std::io::stdout().lock();
            out.write_all(data)
                .and_then(|()| out.flush())
                .context("writing stdout")
        }
    }
}

/// Writes `data` to `path` so that only its owner can read it (unix mode 0600, whatever
/// the umask), and no reader who could open the old file sees the new data:
///
/// * `path` does not exist: created with `O_CREAT | O_EXCL` and mode 0600. A symlink
///   planted there (even a dangling one) makes this fail instead of being followed.
/// * `path` is a regular file, or a symlink to one: its mode is not trusted, nor changed.
///   The data goes to a new 0600 file in the same directory (fsynced), which then
///   replaces it by `rename`. A reader who opened the old file while its mode allowed it
///   keeps only the old inode. A symlink is kept and its target replaced. A file this user
///   cannot replace (e.g. another user's file in a sticky directory) is an error.
/// * anything else (a FIFO, a terminal, `/dev/stdout`, `/dev/null`): written in place,
///   without creating or changing anything; a directory is an error.
///
/// On an error no partial file is left behind (the old file, if any, is unchanged).
#[cfg(unix)]
pub(crate) fn write_private_file(path: &Path, data: &[u8]) -> std::io::Result<()> {
    use std::fs::OpenOptions;
    use std::os::unix::fs::OpenOptionsExt;

    let private = || {
        let mut o = OpenOptions::new();
        o.write(true).create_new(true).mode(0o600);
        o
    };
    match std::fs::metadata(path) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            let mut file = private().open(path)?;
            file.write_all(data).inspect_err(|_| {
                let _ = std::fs::remove_file(path);
            })
        }
        Err(e) => Err(e),
        Ok(meta) if meta.is_file() => {
            let target = std::fs::canonicalize(path)?;
            let dir = target.parent().unwrap_or(Path::new("."));
            let name = target.file_name().unwrap_or_default().to_string_lossy();
            let nanos = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| d.subsec_nanos());
            let temp = dir.join(format!(".{name}.{}-{nanos}.tmp", std::process::id()));
            let mut file = private().open(&temp).map_err(|e| {
                let why = format!(
                    "cannot create {} to replace the existing file with an owner-only one: {e}",
                    temp.display()
                );
                std::io::Error::new(e.kind(), why)
            })?;
            file.write_all(data)
                .and_then(|()| file.sync_all())
                .and_then(|()| std::fs::rename(&temp, &target))
                .inspect_err(|_| {
                    let _ = std::fs::remove_file(&temp);
                })
        }
        Ok(_) => OpenOptions::new().write(true).open(path)?.write_all(data),
    }
}

/// File modes are a unix notion; elsewhere the file is written as the platform creates it.
#[cfg(not(unix))]
pub(crate) fn write_private_file(path: &Path, data: &[u8]) -> std::io::Result<()> {
    std::fs::write(path, data)
}

#[cfg(all(test, unix))]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]

    use std::os::unix::fs::{MetadataExt, PermissionsExt};

    use super::*;

    fn temp_dir(name: &str) -> PathBuf {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_nanos();
        let dir = std::env::temp_dir().join(format!(
            "sealbench-envelope-io-{name}-{}-{nanos}",
            std::process::id()
        ));
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }

    fn mode(path: &Path) -> u32 {
        std::fs::metadata(path).unwrap().permissions().mode() & 0o777
    }

    #[test]
    fn output_files_are_owner_only() {
        let dir = temp_dir("mode");
        let new = dir.join("new.bin");
        write_output(Some(&new), b"secret").unwrap();
        assert_eq!(mode(&new), 0o600);
        assert_eq!(std::fs::read(&new).unwrap(), b"secret");

        // An existing world-readable file is replaced by a new 0600 inode: a descriptor
        // opened on the old file never sees the new data.
        let old = dir.join("old.bin");
        std::fs::write(&old, b"previous contents").unwrap();
        std::fs::set_permissions(&old, std::fs::Permissions::from_mode(0o644)).unwrap();
        let held = std::fs::File::open(&old).unwrap();
        let old_inode = std::fs::metadata(&old).unwrap().ino();
        write_output(Some(&old), b"plaintext").unwrap();
        assert_eq!(mode(&old), 0o600);
        assert_eq!(std::fs::read(&old).unwrap(), b"plaintext");
        assert_ne!(std::fs::metadata(&old).unwrap().ino(), old_inode);
        let mut seen = Vec::new();
        (&held).read_to_end(&mut seen).unwrap();
        assert_eq!(seen, b"previous contents");

        // A symlink to a file: the link stays, its target gets the data, mode 0600.
        let link = dir.join("link.bin");
        std::os::unix::fs::symlink(&old, &link).unwrap();
        write_output(Some(&link), b"via link").unwrap();
        assert!(std::fs::symlink_metadata(&link).unwrap().is_symlink());
        assert_eq!(std::fs::read(&old).unwrap(), b"via link");
        assert_eq!(mode(&old), 0o600);

        // A dangling symlink is not followed; a directory is refused. Nothing is left over.
        let dangling = dir.join("dangling.bin");
        std::os::unix::fs::symlink(dir.join("absent"), &dangling).unwrap();
        let err = write_output(Some(&dangling), b"x").unwrap_err();
        assert!(format!("{err:#}").contains("--out"), "{err:#}");
        assert!(!dir.join("absent").exists());
        assert!(write_output(Some(&dir), b"x").is_err());
        let mut names: Vec<_> = std::fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .collect();
        names.sort();
        assert_eq!(names, ["dangling.bin", "link.bin", "new.bin", "old.bin"]);

        // A device is written in place and left alone.
        let null = Path::new("/dev/null");
        let before = mode(null);
        write_private_file(null, b"x").unwrap();
        assert_eq!(mode(null), before);
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
