//! `--allow-net` and `--deny-net`: a host is judged by the addresses it
//! reaches, not by how it is spelled.
//!
//! A target is an IP literal — read the way the system's resolver reads
//! it (`inet_aton`: `127.1`, `2130706433`, `0x7f000001`, `0177.0.0.1`) —
//! or a name, looked up first. Every address it gives is then checked:
//! one that a deny rule covers refuses the whole target; of the rest, the
//! caller connects (or binds) only to those an allow rule covers, so no
//! second lookup can lead anywhere unchecked. An IPv4-mapped IPv6 address
//! (`::ffff:127.0.0.1`) is its IPv4 address, and connecting to 0.0.0.0 or
//! `::` is connecting to the loopback address (as Linux does). A name rule
//! (`example.com`, `*.example.com`) also matches the name as written; a
//! denied name is looked up at each check, so its addresses are refused
//! whatever they are called.

use super::{Denied, Entry, Kind, Permissions, Target};
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) enum HostPattern {
    /// A name, lower case, no trailing dot.
    Name(String),
    /// `*.example.com` keeps `.example.com`: any subdomain, not the domain.
    Subdomains(String),
    /// An IP address, canonical (an IPv4-mapped address is IPv4).
    Addr(IpAddr),
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) struct NetPattern {
    pub host: HostPattern,
    /// `None`: any port.
    pub port: Option<u16>,
}

impl NetPattern {
    fn port_ok(&self, port: u16) -> bool {
        self.port.is_none_or(|p| p == port)
    }

    fn matches_name(&self, name: &str, port: u16) -> bool {
        let ok = match &self.host {
            HostPattern::Name(h) => h == name,
            HostPattern::Subdomains(suffix) => name.len() > suffix.len() && name.ends_with(suffix),
            HostPattern::Addr(_) => false,
        };
        ok && self.port_ok(port)
    }

    fn matches_addr(&self, addr: IpAddr, port: u16) -> bool {
        matches!(self.host, HostPattern::Addr(a) if a == addr) && self.port_ok(port)
    }
}

/// What the addresses are for: where they may lead differs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NetUse {
    /// Connecting: 0.0.0.0 and `::` reach the loopback address.
    Connect,
    /// Listening: 0.0.0.0 and `::` listen on every local address.
    Listen,
}

/// Why a target cannot be used: refused, or its name did not resolve.
#[derive(Debug)]
pub enum NetRefusal {
    /// A rule refused it.
    Denied(Denied),
    /// The name did not resolve (nothing was checked, nothing is reached).
    Lookup(std::io::Error),
}

/// Looks up a name's addresses (the system resolver, or a test's table).
pub type Lookup<'a> = &'a mut dyn FnMut(&str) -> std::io::Result<Vec<IpAddr>>;

/// The system resolver (`getaddrinfo`): blocking.
pub fn system_lookup(name: &str) -> std::io::Result<Vec<IpAddr>> {
    use std::net::ToSocketAddrs;
    Ok((name, 0).to_socket_addrs()?.map(|a| a.ip()).collect())
}

impl Permissions {
    /// The addresses `host:port` may reach for `purpose`, in the order
    /// the lookup gave them (canonical: see the module's notes), or why
    /// not. `lookup` is called for a name, and for each name a deny rule
    /// lists; never for an IP literal when no deny rule is a name.
    pub fn net_addresses(
        &self,
        host: &str,
        port: u16,
        purpose: NetUse,
        lookup: Lookup<'_>,
    ) -> Result<Vec<IpAddr>, NetRefusal> {
        let outcome = self.net_judged(host, port, purpose, lookup);
        if let Err(NetRefusal::Denied(d)) = &outcome {
            self.record_refusal(Kind::Net, &shown(host, port), &d.to_string());
        } else if outcome.is_ok() {
            let _ = self.audited(Kind::Net, Some(&shown(host, port)), Ok(()));
        }
        outcome
    }

    /// [`Permissions::net_addresses`] without the audit log (a lookup that
    /// failed is no decision, and is not logged either).
    pub fn net_judged(
        &self,
        host: &str,
        port: u16,
        purpose: NetUse,
        lookup: Lookup<'_>,
    ) -> Result<Vec<IpAddr>, NetRefusal> {
        let rules = &self.rules[Kind::Net.index()];
        let literal = parse_ip(host);
        let name = literal.is_none().then(|| normalise_host(host));
        let refuse = |denied_by: Option<String>| {
            NetRefusal::Denied(Denied {
                kind: Kind::Net,
                target: Some(shown(host, port)),
                denied_by,
                rule: None,
            })
        };
        let deny_flag = |e: &Entry| Some(format!("--deny-net={}", e.raw));
        if rules.deny.all {
            return Err(refuse(Some("--deny-net".into())));
        }
        if let Some(name) = &name {
            if let Some(e) = find(&rules.deny.entries, |p| p.matches_name(name, port)) {
                return Err(refuse(deny_flag(e)));
            }
        }
        let found = match literal {
            Some(ip) => vec![ip],
            None => lookup(name.as_deref().unwrap_or(host)).map_err(NetRefusal::Lookup)?,
        };
        let mut addrs: Vec<IpAddr> = Vec::with_capacity(found.len());
        for ip in found {
            let ip = canonical(ip, purpose);
            if !addrs.contains(&ip) {
                addrs.push(ip);
            }
        }
        if addrs.is_empty() {
            let e = std::io::Error::other(format!("{host} has no address"));
            return Err(NetRefusal::Lookup(e));
        }
        if let Some(e) = denied_entry(&rules.deny.entries, &addrs, port, lookup) {
            return Err(refuse(deny_flag(e)));
        }
        if rules.allow.all {
            return Ok(addrs);
        }
        if let Some(name) = &name {
            if find(&rules.allow.entries, |p| p.matches_name(name, port)).is_some() {
                return Ok(addrs);
            }
        }
        addrs.retain(|a| find(&rules.allow.entries, |p| p.matches_addr(*a, port)).is_some());
        if addrs.is_empty() {
            return Err(refuse(None));
        }
        Ok(addrs)
    }
}

impl Permissions {
    /// A name that did not resolve, judged by the name rules alone.
    pub(super) fn net_by_name(&self, host: &str, port: u16) -> Result<(), Denied> {
        let rules = &self.rules[Kind::Net.index()];
        let name = normalise_host(host);
        let denied_by = if rules.deny.all {
            Some("--deny-net".to_string())
        } else {
            find(&rules.deny.entries, |p| p.matches_name(&name, port))
                .map(|e| format!("--deny-net={}", e.raw))
        };
        let allowed = rules.allow.all
            || find(&rules.allow.entries, |p| p.matches_name(&name, port)).is_some();
        if denied_by.is_none() && allowed {
            return Ok(());
        }
        Err(Denied {
            kind: Kind::Net,
            target: Some(shown(host, port)),
            denied_by,
            rule: None,
        })
    }
}

fn find(entries: &[Entry], covers: impl Fn(&NetPattern) -> bool) -> Option<&Entry> {
    entries
        .iter()
        .find(|e| matches!(&e.target, Target::Net(n) if covers(n)))
}

/// The deny entry that covers one of `addrs` on `port`: an address, or a
/// name that resolves to one. Listening on every address (0.0.0.0, `::`)
/// is covered by any denied address of this machine.
fn denied_entry<'a>(
    entries: &'a [Entry],
    addrs: &[IpAddr],
    port: u16,
    lookup: Lookup<'_>,
) -> Option<&'a Entry> {
    let covers = |denied: IpAddr| {
        addrs.iter().any(|a| {
            *a == denied || (a.is_unspecified() && same_stack(*a, denied) && is_local(denied))
        })
    };
    entries.iter().find(|e| {
        let Target::Net(n) = &e.target else {
            return false;
        };
        if !n.port_ok(port) {
            return false;
        }
        match &n.host {
            HostPattern::Addr(d) => covers(*d),
            HostPattern::Name(name) => lookup(name)
                .map(|ips| {
                    ips.into_iter()
                        .any(|ip| covers(canonical(ip, NetUse::Listen)))
                })
                .unwrap_or(false),
            HostPattern::Subdomains(_) => false,
        }
    })
}

/// Whether listening on `any` (0.0.0.0 or `::`) also listens on `addr`:
/// `::` takes IPv4 too (Linux's default, which std keeps).
fn same_stack(any: IpAddr, addr: IpAddr) -> bool {
    any.is_ipv6() || addr.is_ipv4()
}

/// Whether `addr` is an address of this machine: one a socket can be bound to.
fn is_local(addr: IpAddr) -> bool {
    std::net::UdpSocket::bind((addr, 0)).is_ok()
}

/// The address as the kernel will treat it: IPv4-mapped IPv6 is IPv4;
/// for a connection, "any" is the loopback address.
fn canonical(ip: IpAddr, purpose: NetUse) -> IpAddr {
    let ip = match ip {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(ip, IpAddr::V4),
        v4 => v4,
    };
    match ip {
        IpAddr::V4(v4) if v4.is_unspecified() && purpose == NetUse::Connect => {
            IpAddr::V4(Ipv4Addr::LOCALHOST)
        }
        IpAddr::V6(v6) if v6.is_unspecified() && purpose == NetUse::Connect => {
            IpAddr::V6(Ipv6Addr::LOCALHOST)
        }
        other => other,
    }
}

/// `host:port`, IPv6 in brackets: how messages and flags write a target.
pub(super) fn shown(host: &str, port: u16) -> String {
    let host = normalise_host(host);
    if host.contains(':') {
        format!("[{host}]:{port}")
    } else {
        format!("{host}:{port}")
    }
}

/// An IP literal as the resolver reads it, or `None` for a name: IPv6
/// (brackets optional), or IPv4 in any `inet_aton` form.
pub fn parse_ip(host: &str) -> Option<IpAddr> {
    let h = host
        .strip_prefix('[')
        .and_then(|h| h.strip_suffix(']'))
        .unwrap_or(host);
    if let Ok(v6) = h.parse::<Ipv6Addr>() {
        return Some(IpAddr::V6(v6));
    }
    parse_ipv4_aton(h).map(IpAddr::V4)
}

/// `inet_aton`'s forms, which `getaddrinfo` accepts too: one to four
/// parts, each decimal, octal (a leading `0`) or hex (`0x`); the last
/// part fills the bytes the others leave (`127.1` is 127.0.0.1,
/// `2130706433` is too). Written by hand: std parses only the dotted
/// quad, and no crate reads exactly these forms.
fn parse_ipv4_aton(s: &str) -> Option<Ipv4Addr> {
    let parts: Vec<&str> = s.split('.').collect();
    if parts.len() > 4 {
        return None;
    }
    let mut nums = Vec::with_capacity(4);
    for p in &parts {
        nums.push(parse_aton_part(p)?);
    }
    let (last, head) = nums.split_last()?;
    if head.iter().any(|n| *n > 0xff) {
        return None;
    }
    let last_bits = 8 * (4 - head.len() as u32);
    if (last_bits < 32 && *last >= (1u64 << last_bits)) || *last > u32::MAX as u64 {
        return None;
    }
    let mut value: u64 = 0;
    for n in head {
        value = (value << 8) | n;
    }
    value = (value << last_bits) | last;
    u32::try_from(value).ok().map(Ipv4Addr::from)
}

fn parse_aton_part(p: &str) -> Option<u64> {
    let (digits, radix) = if let Some(h) = p.strip_prefix("0x").or_else(|| p.strip_prefix("0X")) {
        (h, 16)
    } else if p.len() > 1 && p.starts_with('0') {
        (&p[1..], 8)
    } else {
        (p, 10)
    };
    if p.is_empty() || digits.len() > 32 || !digits.chars().all(|c| c.is_digit(radix)) {
        return None;
    }
    if digits.is_empty() {
        return Some(0); // `0x` alone is 0 to inet_aton
    }
    u64::from_str_radix(digits, radix).ok()
}

/// Lower case, no brackets around an IPv6 address, no trailing dot.
pub(super) fn normalise_host(host: &str) -> String {
    let h = host
        .strip_prefix('[')
        .and_then(|h| h.strip_suffix(']'))
        .unwrap_or(host);
    h.strip_suffix('.').unwrap_or(h).to_ascii_lowercase()
}

/// `HOST`, `HOST:PORT`, `[IPV6]`, `[IPV6]:PORT`, a bare IPv6 address, or
/// `*.DOMAIN[:PORT]`. An IP literal in any spelling becomes its address.
pub(super) fn parse_net(item: &str) -> Result<NetPattern, String> {
    let (host, port) = if let Some(rest) = item.strip_prefix('[') {
        let (h, after) = rest
            .split_once(']')
            .ok_or_else(|| format!("\"{item}\" has no closing ]"))?;
        match after {
            "" => (h, None),
            _ => match after.strip_prefix(':') {
                Some(p) => (h, Some(p)),
                None => return Err(format!("\"{item}\": expected :PORT after ]")),
            },
        }
    } else if item.matches(':').count() == 1 {
        let (h, p) = item.split_once(':').expect("one colon");
        (h, Some(p))
    } else {
        (item, None)
    };
    let port = match port {
        None => None,
        Some(p) => Some(
            p.parse::<u16>()
                .map_err(|_| format!("\"{p}\" in \"{item}\" is not a port (0 to 65535)"))?,
        ),
    };
    let host = normalise_host(host);
    if host.is_empty() {
        return Err(format!("\"{item}\" has no host"));
    }
    let host = if let Some(ip) = parse_ip(&host) {
        // Rules keep "any" as written: it is what a listener names.
        HostPattern::Addr(canonical(ip, NetUse::Listen))
    } else {
        match host.strip_prefix("*.") {
            Some(domain) if !domain.is_empty() => HostPattern::Subdomains(format!(".{domain}")),
            _ => HostPattern::Name(host),
        }
    };
    Ok(NetPattern { host, port })
}

/// A resolver from a fixed table, for tests that must not ask DNS.
#[cfg(test)]
pub(super) fn table_lookup(name: &str) -> std::io::Result<Vec<IpAddr>> {
    let ips: &[&str] = match name {
        "localhost" => &["::1", "127.0.0.1"],
        "example.com" | "www.example.com" => &["93.184.216.34"],
        "api.test" | "a.example.org" | "a.b.example.org" => &["192.0.2.7"],
        "rebound.example.com" => &["127.0.0.1"],
        "db.internal" => &["10.0.0.5"],
        _ => return Err(std::io::Error::other("no such name")),
    };
    Ok(ips.iter().map(|s| s.parse().expect("an address")).collect())
}

#[cfg(test)]
impl Permissions {
    /// [`Permissions::check_net`] with [`table_lookup`].
    pub(super) fn check_net_table(&self, host: &str, port: u16) -> Result<(), Denied> {
        self.net_table(host, port, NetUse::Connect).map(|_| ())
    }

    fn net_table(&self, host: &str, port: u16, purpose: NetUse) -> Result<Vec<IpAddr>, Denied> {
        match self.net_addresses(host, port, purpose, &mut table_lookup) {
            Ok(a) => Ok(a),
            Err(NetRefusal::Denied(d)) => Err(d),
            Err(NetRefusal::Lookup(_)) => self.net_by_name(host, port).map(|()| vec![]),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v4(s: &str) -> Option<IpAddr> {
        parse_ip(s)
    }

    #[test]
    fn ipv4_literals_read_as_inet_aton_reads_them() {
        let lo = Some(IpAddr::V4(Ipv4Addr::LOCALHOST));
        for s in [
            "127.0.0.1",
            "127.1",
            "127.0.1",
            "2130706433",
            "0x7f000001",
            "0X7F.1",
            "127.0.0.01",
            "0177.0.0.1",
            "0x7f.0.0.0x1",
        ] {
            assert_eq!(v4(s), lo, "{s}");
        }
        assert_eq!(v4("0"), Some(IpAddr::V4(Ipv4Addr::UNSPECIFIED)));
        assert_eq!(v4("1.2.3.4"), Some(IpAddr::V4(Ipv4Addr::new(1, 2, 3, 4))));
        assert_eq!(v4("1.0x10000"), Some(IpAddr::V4(Ipv4Addr::new(1, 1, 0, 0))));
        for s in [
            "256.0.0.1",
            "1.2.3.4.5",
            "1.2.3.",
            "1..2",
            "08.0.0.1",
            "4294967296",
            "1.16777216",
            "example.com",
            "127.0.0.1 x",
            "",
            "0xg",
        ] {
            assert_eq!(v4(s), None, "{s}");
        }
        assert_eq!(
            parse_ip("[::ffff:127.0.0.1]").map(|ip| canonical(ip, NetUse::Connect)),
            lo
        );
        assert_eq!(
            parse_ip("0.0.0.0").map(|ip| canonical(ip, NetUse::Connect)),
            lo
        );
    }

    fn message(r: Result<(), Denied>) -> String {
        r.expect_err("expected a denial").to_string()
    }

    #[test]
    fn hosts_ports_and_wildcards() {
        let p = Permissions::none().allow_net([
            "example.com",
            "api.test:8080",
            "*.example.org",
            "127.0.0.1:0",
            "[::1]:443",
        ]);
        assert!(p.check_net_table("example.com", 80).is_ok());
        assert!(p.check_net_table("EXAMPLE.com.", 443).is_ok());
        assert!(p.check_net_table("www.example.com", 80).is_err());
        assert!(p.check_net_table("api.test", 8080).is_ok());
        assert_eq!(
            message(p.check_net_table("api.test", 80)),
            "net access to \"api.test:80\" is not allowed — run again with --allow-net=api.test:80"
        );
        assert!(p.check_net_table("a.example.org", 443).is_ok());
        assert!(p.check_net_table("a.b.example.org", 443).is_ok());
        assert!(p.check_net_table("example.org", 443).is_err());
        assert!(p.check_net_table("badexample.org", 443).is_err());
        assert!(p.check_net_table("127.0.0.1", 0).is_ok());
        assert!(p.check_net_table("127.0.0.1", 1).is_err());
        assert!(p.check_net_table("::1", 443).is_ok());
        assert!(p.check_net_table("[::1]", 443).is_ok());
        assert_eq!(
            message(p.check_net_table("::1", 80)),
            "net access to \"[::1]:80\" is not allowed — run again with --allow-net=[::1]:80"
        );
        let q = Permissions::none()
            .allow(Kind::Net, super::super::Scope::All)
            .deny_net(["*.internal"]);
        assert!(q.check_net_table("example.com", 443).is_ok());
        assert!(q.check_net_table("db.internal", 5432).is_err());
    }

    #[test]
    fn a_denied_address_is_denied_in_every_spelling() {
        let p = Permissions::none()
            .allow(Kind::Net, super::super::Scope::All)
            .deny_net(["127.0.0.1"]);
        for host in [
            "127.0.0.1",
            "localhost",
            "LOCALHOST.",
            "127.1",
            "0.0.0.0",
            "0",
            "2130706433",
            "0x7f000001",
            "127.0.0.01",
            "::ffff:127.0.0.1",
            "[::ffff:7f00:1]",
            "rebound.example.com",
        ] {
            assert_eq!(
                p.check_net_table(host, 80)
                    .unwrap_err()
                    .denied_by
                    .as_deref(),
                Some("--deny-net=127.0.0.1"),
                "{host}"
            );
        }
        assert!(p.check_net_table("example.com", 80).is_ok());
        assert!(p.check_net_table("::1", 80).is_ok());
        // Denied in another spelling too, and by a name's addresses.
        for rule in [
            "2130706433",
            "[::ffff:127.0.0.1]",
            "localhost",
            "127.0.0.1:80",
        ] {
            let q = Permissions::none()
                .allow(Kind::Net, super::super::Scope::All)
                .deny_net([rule]);
            assert!(q.check_net_table("127.1", 80).is_err(), "{rule}");
        }
    }

    #[test]
    fn an_address_grant_lets_through_only_its_addresses() {
        let p = Permissions::none().allow_net(["127.0.0.1"]);
        // localhost is ::1 and 127.0.0.1: only the granted one is used.
        assert_eq!(
            p.net_table("localhost", 80, NetUse::Connect),
            Ok(vec![IpAddr::V4(Ipv4Addr::LOCALHOST)])
        );
        assert_eq!(
            p.net_table("127.1", 80, NetUse::Connect),
            Ok(vec![IpAddr::V4(Ipv4Addr::LOCALHOST)])
        );
        assert!(p.check_net_table("rebound.example.com", 80).is_ok());
        assert!(p.check_net_table("example.com", 80).is_err());
        // A name grant covers the name, not other names for its address.
        let q = Permissions::none().allow_net(["localhost"]);
        assert!(q.check_net_table("localhost", 80).is_ok());
        assert!(q.check_net_table("127.0.0.1", 80).is_err());
        // Listening on every address is its own grant.
        assert!(p.net_table("0.0.0.0", 80, NetUse::Listen).is_err());
        let all = Permissions::none().allow_net(["0.0.0.0"]);
        assert!(all.net_table("0.0.0.0", 80, NetUse::Listen).is_ok());
    }

    #[test]
    fn listening_everywhere_is_refused_by_a_denied_local_address() {
        let p = Permissions::none()
            .allow(Kind::Net, super::super::Scope::All)
            .deny_net(["127.0.0.1"]);
        for host in ["0.0.0.0", "::", "127.1", "localhost"] {
            assert!(p.net_table(host, 0, NetUse::Listen).is_err(), "{host}");
        }
        // 192.0.2.1 (TEST-NET-1) is no address of this machine.
        let q = Permissions::none()
            .allow(Kind::Net, super::super::Scope::All)
            .deny_net(["192.0.2.1"]);
        assert!(q.net_table("0.0.0.0", 0, NetUse::Listen).is_ok());
    }
}
