//! TLS for the framed socket handler: a `rustls` client that verifies certificate and host name.
//!
//! Trust comes from the Mozilla roots (`webpki-roots`) or from a PEM CA file; skipping
//! verification needs the explicit `insecure` opt-in.

use std::io;
use std::net::TcpStream;
use std::sync::Arc;

use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{ClientConfig, ClientConnection, DigitallySignedStruct, RootCertStore, SignatureScheme, StreamOwned};

/// What the TLS client needs: whom to expect, whom to trust.
#[derive(Clone)]
pub struct TlsSettings {
    pub config: Arc<ClientConfig>,
    pub server_name: ServerName<'static>,
}

/// A TLS setting that cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum TlsError {
    #[error("cannot read CA file {0}: {1}")]
    CaFile(String, String),
    #[error("CA file {0} holds no certificate")]
    NoCerts(String),
    #[error("invalid TLS server name {0:?}")]
    BadName(String),
    #[error("TLS setup failed: {0}")]
    Rustls(#[from] rustls::Error),
}

/// The verifier behind `insecure=True`: accepts any certificate (signatures are still checked
/// for well-formedness by the handshake itself).
#[derive(Debug)]
struct AcceptAny(Arc<rustls::crypto::CryptoProvider>);

impl ServerCertVerifier for AcceptAny {
    fn verify_server_cert(
        &self,
        _end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp: &[u8],
        _now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        _message: &[u8],
        _cert: &CertificateDer<'_>,
        _dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        Ok(HandshakeSignatureValid::assertion())
    }

    fn verify_tls13_signature(
        &self,
        _message: &[u8],
        _cert: &CertificateDer<'_>,
        _dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        Ok(HandshakeSignatureValid::assertion())
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.0.signature_verification_algorithms.supported_schemes()
    }
}

impl TlsSettings {
    /// Build the client: trust `ca_file` if given, else the bundled public roots.
    pub fn new(server_name: &str, ca_file: Option<&str>, insecure: bool) -> Result<TlsSettings, TlsError> {
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let mut roots = RootCertStore::empty();
        match ca_file {
            Some(path) => {
                let certs = CertificateDer::pem_file_iter(path)
                    .map_err(|e| TlsError::CaFile(path.to_string(), e.to_string()))?;
                for cert in certs {
                    let cert = cert.map_err(|e| TlsError::CaFile(path.to_string(), e.to_string()))?;
                    roots.add(cert)?;
                }
                if roots.is_empty() {
                    return Err(TlsError::NoCerts(path.to_string()));
                }
            }
            None => roots.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned()),
        }
        let mut config = ClientConfig::builder_with_provider(provider.clone())
            .with_safe_default_protocol_versions()?
            .with_root_certificates(roots)
            .with_no_client_auth();
        if insecure {
            config.dangerous().set_certificate_verifier(Arc::new(AcceptAny(provider)));
        }
        let server_name = ServerName::try_from(server_name.to_string())
            .map_err(|_| TlsError::BadName(server_name.to_string()))?;
        Ok(TlsSettings { config: Arc::new(config), server_name })
    }

    /// Run the handshake over `tcp` (its timeouts bound it); the stream is ready to write.
    pub fn connect(&self, mut tcp: TcpStream) -> io::Result<StreamOwned<ClientConnection, TcpStream>> {
        let mut conn = ClientConnection::new(self.config.clone(), self.server_name.clone())
            .map_err(io::Error::other)?;
        while conn.is_handshaking() {
            conn.complete_io(&mut tcp)?;
        }
        Ok(StreamOwned::new(conn, tcp))
    }
}
