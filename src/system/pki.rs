//! The run's own CA and the broker's and clients' certificates, made with the `openssl`
//! command-line tool (installed by `scripts/deps.sh`): ECDSA P-256 keys, the server
//! certificate naming `127.0.0.1` (IP SAN) and `localhost`, the client certificate for
//! TLS client authentication. Valid for two days; written under the run's directory and
//! deleted with it.

use std::path::{Path, PathBuf};
use std::process::Command;

use super::error::SystemError;

/// File paths of the run's PKI (PEM).
#[derive(Debug, Clone)]
pub struct Pki {
    /// The CA certificate (trusted by both ends).
    pub ca_cert: PathBuf,
    /// The broker's certificate and key.
    pub server_cert: PathBuf,
    /// The broker's private key.
    pub server_key: PathBuf,
    /// The client certificate (TLS client authentication).
    pub client_cert: PathBuf,
    /// The client's private key.
    pub client_key: PathBuf,
}

fn openssl(dir: &Path, args: &[&str]) -> Result<(), SystemError> {
    let out = Command::new("openssl")
        .args(args)
        .current_dir(dir)
        .output()
        .map_err(|e| {
            SystemError::Pki(format!(
                "running openssl: {e} (scripts/deps.sh installs it)"
            ))
        })?;
    if out.status.success() {
        Ok(())
    } else {
        Err(SystemError::Pki(format!(
            "openssl {}: {}",
            args.first().copied().unwrap_or(""),
            String::from_utf8_lossy(&out.stderr).trim()
        )))
    }
}

/// Creates a CA and issues the server and client certificates in `dir`.
pub fn create(dir: &Path) -> Result<Pki, SystemError> {
    std::fs::create_dir_all(dir).map_err(SystemError::io(dir.display().to_string()))?;
    let write = |name: &str, text: &str| {
        let p = dir.join(name);
        std::fs::write(&p, text).map_err(SystemError::io(p.display().to_string()))
    };
    write(
        "server.ext",
        "subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\nbasicConstraints=CA:FALSE\n",
    )?;
    write(
        "client.ext",
        "extendedKeyUsage=clientAuth\nbasicConstraints=CA:FALSE\n",
    )?;
    let ec = [
        "-newkey",
        "ec",
        "-pkeyopt",
        "ec_paramgen_curve:P-256",
        "-nodes",
    ];
    let mut ca = vec!["req", "-x509"];
    ca.extend(ec);
    ca.extend([
        "-keyout",
        "ca.key",
        "-out",
        "ca.pem",
        "-days",
        "2",
        "-subj",
        "/CN=sealbench e2e CA",
    ]);
    openssl(dir, &ca)?;
    for (name, cn) in [
        ("server", "/CN=127.0.0.1"),
        ("client", "/CN=sealbench-e2e-client"),
    ] {
        let key = format!("{name}.key");
        let csr = format!("{name}.csr");
        let pem = format!("{name}.pem");
        let ext = format!("{name}.ext");
        let mut req = vec!["req"];
        req.extend(ec);
        req.extend(["-keyout", &key, "-out", &csr, "-subj", cn]);
        openssl(dir, &req)?;
        openssl(
            dir,
            &[
                "x509",
                "-req",
                "-in",
                &csr,
                "-CA",
                "ca.pem",
                "-CAkey",
                "ca.key",
                "-CAcreateserial",
                "-out",
                &pem,
                "-days",
                "2",
                "-extfile",
                &ext,
            ],
        )?;
    }
    Ok(Pki {
        ca_cert: dir.join("ca.pem"),
        server_cert: dir.join("server.pem"),
        server_key: dir.join("server.key"),
        client_cert: dir.join("client.pem"),
        client_key: dir.join("client.key"),
    })
}
