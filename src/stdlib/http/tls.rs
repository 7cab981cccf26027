//! TLS for `https://` (rustls with the `ring` provider, no OpenSSL): the
//! Mozilla roots (`webpki-roots`) plus the roots a run adds — the CLI's
//! `TASKS_CA_FILE`, an embedder's `EngineBuilder::add_root_certificate` —
//! which is how tests trust a certificate they made.

use crate::NativeCtx;
use futures_rustls::rustls;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, ServerName};
use std::cell::OnceCell;
use std::sync::Arc;

/// An engine's client configuration, built from the built-in roots and
/// the engine's own ([`NativeCtx::root_certificates`]) the first time an
/// `https://` URL is fetched.
#[derive(Default)]
struct Tls(OnceCell<Result<Arc<rustls::ClientConfig>, String>>);

/// The engine's client configuration; `Err` if an extra root is not
/// usable.
pub(crate) fn client_config(ctx: &mut NativeCtx<'_>) -> Result<Arc<rustls::ClientConfig>, String> {
    if let Some(made) = ctx.data::<Tls>().and_then(|t| t.0.get()) {
        return made.clone();
    }
    let made = build(ctx.root_certificates());
    ctx.data_or_default::<Tls>().0.get_or_init(|| made).clone()
}

fn build(extra_roots: &[(String, Vec<u8>)]) -> Result<Arc<rustls::ClientConfig>, String> {
    let mut roots = rustls::RootCertStore {
        roots: webpki_roots::TLS_SERVER_ROOTS.to_vec(),
    };
    for (name, pem) in extra_roots {
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
    // ring, not aws-lc-rs: it builds without cmake or a C toolchain beyond
    // cc. rustls 0.23.48 deprecates ring's provider for its lack of
    // post-quantum key exchange (the lock pins 0.23.46; a host resolving a
    // newer rustls would see the warning in this file): a known limit,
    // the classical groups it offers are what `https://` servers accept.
    #[allow(deprecated)]
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| e.to_string())?
        .with_root_certificates(roots)
        .with_no_client_auth();
    Ok(Arc::new(config))
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
