//! OpenSSL's TLS through the `openssl` crate: TLS 1.3 only, X25519 only,
//! `TLS_AES_128_GCM_SHA256` only, client certificates required and checked against the
//! run's CA (the client also checks the server's name). The server keeps OpenSSL's
//! built-in session cache and issues tickets; clients cannot resume (see
//! [`super::Stack::resumption`]).

use super::pki::{Credential, Pki};
use super::{ChannelError, Side};
#[cfg(feature = "openssl")]
use super::{Endpoint, Wire};

#[cfg(feature = "openssl")]
pub(super) use imp::{client, server};

#[cfg(not(feature = "openssl"))]
pub(super) fn server(_: &Pki, _: &Credential) -> Result<Box<dyn Side>, ChannelError> {
    Err(ChannelError::Unsupported(crate::backend::Unsupported(
        "OpenSSL's TLS: the openssl feature is not compiled in",
    )))
}

#[cfg(not(feature = "openssl"))]
pub(super) fn client(pki: &Pki, cred: &Credential) -> Result<Box<dyn Side>, ChannelError> {
    server(pki, cred)
}

#[cfg(feature = "openssl")]
mod imp {
    use openssl::pkey::PKey;
    use openssl::ssl::{
        ErrorCode, Ssl, SslContext, SslContextBuilder, SslMethod, SslStream, SslVerifyMode,
        SslVersion,
    };
    use openssl::x509::X509;

    use super::super::SERVER_NAME;
    use super::{ChannelError, Credential, Endpoint, Pki, Side, Wire};

    fn config_error(e: impl std::fmt::Display) -> ChannelError {
        ChannelError::Config {
            stack: "openssl",
            message: e.to_string(),
        }
    }

    fn context(
        method: SslMethod,
        pki: &Pki,
        cred: &Credential,
    ) -> Result<SslContextBuilder, ChannelError> {
        let mut b = SslContextBuilder::new(method).map_err(config_error)?;
        b.set_min_proto_version(Some(SslVersion::TLS1_3))
            .map_err(config_error)?;
        b.set_max_proto_version(Some(SslVersion::TLS1_3))
            .map_err(config_error)?;
        b.set_ciphersuites("TLS_AES_128_GCM_SHA256")
            .map_err(config_error)?;
        b.set_groups_list("X25519").map_err(config_error)?;
        let cert = X509::from_der(&cred.cert_der).map_err(config_error)?;
        let key =
            PKey::private_key_from_pkcs8(&pkcs8_v1(&cred.key_pkcs8)?).map_err(config_error)?;
        b.set_certificate(&cert).map_err(config_error)?;
        b.set_private_key(&key).map_err(config_error)?;
        b.check_private_key().map_err(config_error)?;
        let ca = X509::from_der(pki.ca_der()).map_err(config_error)?;
        b.cert_store_mut().add_cert(ca).map_err(config_error)?;
        b.set_verify(SslVerifyMode::PEER | SslVerifyMode::FAIL_IF_NO_PEER_CERT);
        Ok(b)
    }

    /// The key as PKCS#8 v1: ring (behind rcgen) writes Ed25519 keys as v2 (RFC 5958,
    /// with the public key), which libcrypto 3.0 does not read.
    fn pkcs8_v1(der: &[u8]) -> Result<Vec<u8>, ChannelError> {
        use der::{Decode, Encode};
        let mut info = pkcs8::PrivateKeyInfoRef::from_der(der).map_err(config_error)?;
        info.public_key = None;
        info.to_der().map_err(config_error)
    }

    struct Server(SslContext);
    struct Client(SslContext);

    pub(in super::super) fn server(
        pki: &Pki,
        cred: &Credential,
    ) -> Result<Box<dyn Side>, ChannelError> {
        let mut b = context(SslMethod::tls_server(), pki, cred)?;
        // Resumption with client certificates needs a session id context.
        b.set_session_id_context(b"sealbench")
            .map_err(config_error)?;
        Ok(Box::new(Server(b.build())))
    }

    pub(in super::super) fn client(
        pki: &Pki,
        cred: &Credential,
    ) -> Result<Box<dyn Side>, ChannelError> {
        let b = context(SslMethod::tls_client(), pki, cred)?;
        Ok(Box::new(Client(b.build())))
    }

    impl Side for Server {
        fn start(&self, wire: Wire) -> Result<Box<dyn Endpoint>, ChannelError> {
            let mut ssl = Ssl::new(&self.0).map_err(config_error)?;
            ssl.set_accept_state();
            Conn::boxed(ssl, wire)
        }
    }

    impl Side for Client {
        fn start(&self, wire: Wire) -> Result<Box<dyn Endpoint>, ChannelError> {
            let mut ssl = Ssl::new(&self.0).map_err(config_error)?;
            ssl.set_hostname(SERVER_NAME).map_err(config_error)?;
            ssl.param_mut()
                .set_host(SERVER_NAME)
                .map_err(config_error)?;
            ssl.set_connect_state();
            Conn::boxed(ssl, wire)
        }
    }

    struct Conn {
        stream: SslStream<Wire>,
        done: bool,
        /// Where records are decrypted to before being appended (allocated once).
        buf: Vec<u8>,
    }

    impl Conn {
        fn boxed(ssl: Ssl, wire: Wire) -> Result<Box<dyn Endpoint>, ChannelError> {
            let stream = SslStream::new(ssl, wire).map_err(config_error)?;
            Ok(Box::new(Self {
                stream,
                done: false,
                buf: vec![0; super::super::READ_CHUNK],
            }))
        }

        /// `Ok(false)` when the library waits for bytes, an error when it refused some.
        fn check(&mut self, r: Result<(), openssl::ssl::Error>) -> Result<bool, ChannelError> {
            match r {
                Ok(()) => Ok(true),
                Err(e) if matches!(e.code(), ErrorCode::WANT_READ | ErrorCode::WANT_WRITE) => {
                    Ok(false)
                }
                Err(e) => {
                    let _ = self.stream.get_mut().flush_pending();
                    Err(ChannelError::Refused {
                        stack: "openssl",
                        alert: e.to_string(),
                    })
                }
            }
        }
    }

    impl Endpoint for Conn {
        fn handshake(&mut self) -> Result<bool, ChannelError> {
            if !self.done {
                let r = self.stream.do_handshake();
                self.done = self.check(r)?;
            } else {
                // Reads post-handshake messages (session tickets) if any arrived.
                let mut sink = Vec::new();
                self.recv(&mut sink)?;
            }
            self.stream.get_mut().flush_pending()?;
            Ok(self.done)
        }

        fn send(&mut self, data: &[u8]) -> Result<(), ChannelError> {
            let mut rest = data;
            while !rest.is_empty() {
                match self.stream.ssl_write(rest) {
                    Ok(n) => rest = rest.get(n..).unwrap_or_default(),
                    Err(e) => {
                        if !self.check(Err(e))? {
                            return Err(ChannelError::Stalled("openssl write blocked"));
                        }
                    }
                }
            }
            self.stream.get_mut().flush_pending()?;
            Ok(())
        }

        fn recv(&mut self, out: &mut Vec<u8>) -> Result<usize, ChannelError> {
            let mut got = 0;
            loop {
                match self.stream.ssl_read(&mut self.buf) {
                    Ok(0) => break,
                    Ok(n) => {
                        out.extend_from_slice(self.buf.get(..n).unwrap_or_default());
                        got += n;
                    }
                    Err(e) => {
                        if e.code() == ErrorCode::ZERO_RETURN {
                            break;
                        }
                        if !self.check(Err(e))? {
                            break;
                        }
                    }
                }
            }
            self.stream.get_mut().flush_pending()?;
            Ok(got)
        }

        fn flush(&mut self) -> Result<bool, ChannelError> {
            Ok(self.stream.get_mut().flush_pending()?)
        }

        fn peer_certificate(&self) -> Option<Vec<u8>> {
            self.stream.ssl().peer_certificate()?.to_der().ok()
        }

        fn resumed(&self) -> bool {
            self.stream.ssl().session_reused()
        }

        fn wire(&self) -> &Wire {
            self.stream.get_ref()
        }
    }
}
