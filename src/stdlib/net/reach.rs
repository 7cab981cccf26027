//! Reaching a host: the lookup, the `--allow-net`/`--deny-net` check of
//! every address it gives (`permissions::net`), and the connection or the
//! binding to those checked addresses only, so that no second lookup can
//! lead somewhere unchecked. `net.connect`, `http.*` (each redirect too),
//! `net.listen` and `http.serve` all go through here.

use crate::permissions::{system_lookup, Denied, Kind, NetRefusal, NetUse, Permissions};
use std::net::{IpAddr, SocketAddr};

/// Why a host could not be reached.
pub(crate) enum Failure {
    /// A rule refused it (`NotCapableError`).
    Denied(Denied),
    /// The lookup, the connection or the binding failed.
    Io(std::io::Error),
}

impl From<NetRefusal> for Failure {
    fn from(r: NetRefusal) -> Failure {
        match r {
            NetRefusal::Denied(d) => Failure::Denied(d),
            NetRefusal::Lookup(e) => Failure::Io(e),
        }
    }
}

/// The addresses `host:port` may reach, if that can be told without the
/// resolver: `Ok(None)` when a lookup is needed (a name, or a name in
/// `--deny-net`). Lets a call refuse an IP literal at once, where it is
/// made, as the other permission checks do.
pub(crate) fn precheck(
    perms: &Permissions,
    host: &str,
    port: u16,
) -> Result<Option<Vec<IpAddr>>, Failure> {
    judge_literal(perms, host, port, false)
}

/// [`precheck`]; `audited`: the decision is logged (`--audit-permissions`)
/// as the connection's own check, else only a refusal is (a call's early
/// look, which the connection's check repeats).
fn judge_literal(
    perms: &Permissions,
    host: &str,
    port: u16,
    audited: bool,
) -> Result<Option<Vec<IpAddr>>, Failure> {
    let mut wanted = false;
    let mut no_lookup = |_: &str| {
        wanted = true;
        Err(std::io::ErrorKind::WouldBlock.into())
    };
    let r = match audited {
        true => perms.net_addresses(host, port, NetUse::Connect, &mut no_lookup),
        false => perms.net_judged(host, port, NetUse::Connect, &mut no_lookup),
    };
    if wanted {
        return Ok(None);
    }
    if let (false, Err(NetRefusal::Denied(d))) = (audited, &r) {
        let target = d.target.as_deref().unwrap_or(host);
        perms.record_refusal(Kind::Net, target, &d.to_string());
    }
    Ok(Some(r?))
}

/// The addresses `host:port` may reach; a lookup, which blocks, runs on a
/// blocking thread.
async fn addresses(perms: &Permissions, host: &str, port: u16) -> Result<Vec<IpAddr>, Failure> {
    if let Some(addrs) = judge_literal(perms, host, port, true)? {
        return Ok(addrs);
    }
    let (perms, host) = (perms.clone(), host.to_string());
    let r = blocking::unblock(move || {
        perms.net_addresses(&host, port, NetUse::Connect, &mut system_lookup)
    })
    .await;
    Ok(r?)
}

/// A TCP connection to the first checked address of `host:port` that
/// answers.
pub(crate) async fn connect(
    perms: &Permissions,
    host: &str,
    port: u16,
) -> Result<async_net::TcpStream, Failure> {
    let mut last = None;
    for ip in addresses(perms, host, port).await? {
        match async_net::TcpStream::connect(SocketAddr::new(ip, port)).await {
            Ok(s) => return Ok(s),
            Err(e) => last = Some(e),
        }
    }
    Err(Failure::Io(last.unwrap_or_else(|| {
        std::io::Error::other(format!("{host} has no address"))
    })))
}

/// A listener on the checked addresses of `host:port` (the first that
/// binds). Blocking, as binding is: the lookup of a name included.
pub(crate) fn bind(
    perms: &Permissions,
    host: &str,
    port: u16,
) -> Result<std::net::TcpListener, Failure> {
    let ips = perms.net_addresses(host, port, NetUse::Listen, &mut system_lookup)?;
    let addrs: Vec<SocketAddr> = ips
        .into_iter()
        .map(|ip| SocketAddr::new(ip, port))
        .collect();
    std::net::TcpListener::bind(&addrs[..]).map_err(Failure::Io)
}
