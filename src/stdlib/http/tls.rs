//! TLS for `https://` (rustls with the `ring` provider, no OpenSSL): the
//! Mozilla roots (`webpki-roots`) plus the roots a run adds — the CLI's
//! `TASKS_CA_FILE`, an embedder's `EngineBuilder::add_root_certificate` —
//! which is how tests trust a certificate they made.

use futures_rustls::rustls;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, ServerName};
use std::cell::OnceCell;
use std::sync::Arc;

/// A run's TLS settings: extra roots, and the client configuration built
/// from them the first time an `https://` URL is fetched.
#[derive(Default)]
pub(crate) struct Tls {
    /// PEM texts, each with what it is called in errors.
    extra_roots: Vec<(String, Vec<u8>)>,
    config: OnceCell<Result<Arc<rustls::ClientConfig>, String>>,
}

impl Tls {
    /// Adds the certificates in a PEM text as trusted roots; `name` says
    /// where they came from (`TASKS_CA_FILE=...`).
    pub(crate) fn add_roots(&mut self, name: &str, pem: Vec<u8>) {
        self.extra_roots.push((name.to_string(), pem));
        self.config = OnceCell::new();
    }

    /// The client configuration; `Err` if an extra root is not usable.
    pub(crate) fn client_config(&self) -> Result<Arc<rustls::ClientConfig>, String> {
        self.config.get_or_init(|| self.build()).clone()
    }

    fn build(&self) -> Result<Arc<rustls::ClientConfig>, String> {
        let mut roots = rustls::RootCertStore {
            roots: webpki_roots::TLS_SERVER_ROOTS.to_vec(),
        };
        for (name, pem) in &self.extra_roots {
            let mut added = 0;
            for cert in CertificateDer::pem_slice_iter(pem) {
                let cert = cert.map_err(|e| format!("{name}: not a PEM certificate: {e}"))?;
                roots
                    .add(cert)
                    .map_err(|e| format!("{name}: not a usable root certificate: {e}"))?;
                added += 1;
            }
            if added == 0 {
                return Err(format!("{name}: no certificate in it"));
            }
        }
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let config = rustls::ClientConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .map_err(|e| e.to_string())?
            .with_root_certificates(roots)
            .with_no_client_auth();
        Ok(Arc::new(config))
    }
}

/// Wraps `tcp` in TLS for `host`, checking its certificate.
pub(crate) async fn connect(
    config: Arc<rustls::ClientConfig>,
    host: &str,
    tcp: async_net::TcpStream,
) -> Result<futures_rustls::client::TlsStream<async_net::TcpStream>, String> {
    let name = ServerName::try_from(host.to_string())
        .map_err(|e| format!("not a TLS server name: {host:?} ({e})"))?;
    futures_rustls::TlsConnector::from(config)
        .connect(name, tcp)
        .await
        .map_err(|e| format!("TLS: {e}"))
}
