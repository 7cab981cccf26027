//! Absolute http(s) URLs, parsed and joined by the `url` crate (the WHATWG
//! URL standard, which resolves references as RFC 3986 does: `../x`,
//! `?q`, `//host/p`, fragments), and split the way a request needs them.

use std::fmt;

/// Why a URL cannot be used: the error kind a script sees, and a message.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct UrlError {
    /// `ValueError` for a port out of range, `HttpError` otherwise.
    pub kind: &'static str,
    pub message: String,
}

/// An absolute URL, split the way a request needs it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Url {
    inner: url::Url,
    pub scheme: String,
    /// Without brackets for IPv6.
    pub host: String,
    pub port: u16,
    /// `/path?query`, at least `/` (the fragment is never sent).
    pub path_and_query: String,
}

impl Url {
    pub(crate) fn parse(text: &str) -> Result<Url, UrlError> {
        let inner = url::Url::parse(text).map_err(|e| parse_error(text, e))?;
        Url::from_inner(text, inner)
    }

    fn from_inner(text: &str, inner: url::Url) -> Result<Url, UrlError> {
        let http = |message: String| UrlError {
            kind: "HttpError",
            message,
        };
        let scheme = inner.scheme().to_string();
        if scheme != "http" && scheme != "https" {
            return Err(http(format!(
                "{text:?}: the scheme must be http or https, not {scheme}"
            )));
        }
        let host = inner
            .host_str()
            .filter(|h| !h.is_empty())
            .ok_or_else(|| http(format!("{text:?} has no host")))?;
        let host = host
            .trim_start_matches('[')
            .trim_end_matches(']')
            .to_string();
        let port = inner
            .port_or_known_default()
            .unwrap_or(if scheme == "https" { 443 } else { 80 });
        let mut path_and_query = inner.path().to_string();
        if !path_and_query.starts_with('/') {
            path_and_query.insert(0, '/');
        }
        if let Some(q) = inner.query() {
            path_and_query.push('?');
            path_and_query.push_str(q);
        }
        Ok(Url {
            inner,
            scheme,
            host,
            port,
            path_and_query,
        })
    }

    fn default_port(&self) -> bool {
        self.port == if self.scheme == "https" { 443 } else { 80 }
    }

    /// The `Host` header: the host, and the port unless it is the scheme's.
    pub(crate) fn host_header(&self) -> String {
        let host = if self.host.contains(':') {
            format!("[{}]", self.host)
        } else {
            self.host.clone()
        };
        if self.default_port() {
            host
        } else {
            format!("{host}:{}", self.port)
        }
    }

    /// This URL with `query` (already encoded) added to its query, after
    /// an `&` if it has one (as `requests` adds `params=`).
    pub(crate) fn with_query(&self, query: &str) -> Result<Url, UrlError> {
        if query.is_empty() {
            return Ok(self.clone());
        }
        let mut inner = self.inner.clone();
        let joined = match inner.query().filter(|q| !q.is_empty()) {
            Some(q) => format!("{q}&{query}"),
            None => query.to_string(),
        };
        inner.set_query(Some(&joined));
        let text = inner.to_string();
        Url::from_inner(&text, inner)
    }

    /// A `Location` resolved against this URL (RFC 3986 reference
    /// resolution).
    pub(crate) fn join(&self, location: &str) -> Result<Url, UrlError> {
        let joined = self
            .inner
            .join(location)
            .map_err(|e| parse_error(location, e))?;
        Url::from_inner(location, joined)
    }
}

/// Whether `text` is an absolute URL (it has a scheme), not a path to
/// join to a client's base URL.
pub(crate) fn is_absolute(text: &str) -> bool {
    !matches!(
        url::Url::parse(text),
        Err(url::ParseError::RelativeUrlWithoutBase)
    )
}

fn parse_error(text: &str, e: url::ParseError) -> UrlError {
    match e {
        url::ParseError::InvalidPort => UrlError {
            kind: "ValueError",
            message: format!("{text:?}: the port is not a number from 0 to 65535"),
        },
        url::ParseError::RelativeUrlWithoutBase => UrlError {
            kind: "HttpError",
            message: format!("{text:?} is not an absolute URL (such as http://127.0.0.1:8000/)"),
        },
        e => UrlError {
            kind: "HttpError",
            message: format!("not a URL: {text:?} ({e})"),
        },
    }
}

/// `base` + a relative `url`, as httpx merges them: the base's path is kept
/// and the URL's is added under it.
pub(crate) fn join_base(base: &str, url: &str) -> String {
    format!(
        "{}/{}",
        base.trim_end_matches('/'),
        url.trim_start_matches('/')
    )
}

impl fmt::Display for Url {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}://{}{}",
            self.scheme,
            self.host_header(),
            self.path_and_query
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_prints() {
        let u = Url::parse("http://127.0.0.1:8080/a/b?x=1#frag").unwrap();
        assert_eq!((u.host.as_str(), u.port), ("127.0.0.1", 8080));
        assert_eq!(u.path_and_query, "/a/b?x=1");
        assert_eq!(u.to_string(), "http://127.0.0.1:8080/a/b?x=1");
        assert_eq!(
            Url::parse("http://127.0.0.1").unwrap().to_string(),
            "http://127.0.0.1/"
        );
        assert_eq!(Url::parse("https://[::1]/").unwrap().host, "::1");
        assert!(Url::parse("ftp://x/").is_err());
        assert!(Url::parse("/relative").is_err());
        let bad_port = Url::parse("http://127.0.0.1:99999/").unwrap_err();
        assert_eq!(bad_port.kind, "ValueError");
    }

    #[test]
    fn joins_locations_as_rfc_3986_does() {
        let u = Url::parse("http://127.0.0.1:81/a/b/c?q#f").unwrap();
        let j = |l| u.join(l).unwrap().to_string();
        assert_eq!(j("/x"), "http://127.0.0.1:81/x");
        assert_eq!(j("d"), "http://127.0.0.1:81/a/b/d");
        assert_eq!(j("../x"), "http://127.0.0.1:81/a/x");
        assert_eq!(j("../../../x"), "http://127.0.0.1:81/x");
        assert_eq!(j("?y=1"), "http://127.0.0.1:81/a/b/c?y=1");
        assert_eq!(j("#g"), "http://127.0.0.1:81/a/b/c?q");
        assert_eq!(j("//127.0.0.1:82/p"), "http://127.0.0.1:82/p");
        assert_eq!(j("http://127.0.0.1:9/"), "http://127.0.0.1:9/");
        assert_eq!(
            j("/next?u=http://127.0.0.1/x"),
            "http://127.0.0.1:81/next?u=http://127.0.0.1/x"
        );
        let q = |u: &str| Url::parse(u).unwrap().with_query("a=1&b=x+y").unwrap();
        assert_eq!(
            q("http://127.0.0.1/p#f").to_string(),
            "http://127.0.0.1/p?a=1&b=x+y"
        );
        assert_eq!(
            q("http://127.0.0.1/p?z=0").path_and_query,
            "/p?z=0&a=1&b=x+y"
        );
        assert_eq!(q("http://127.0.0.1/p?").path_and_query, "/p?a=1&b=x+y");
        assert!(is_absolute("http://127.0.0.1/"));
        assert!(!is_absolute("/search?u=http://127.0.0.1:8000/"));
        assert_eq!(
            join_base("http://127.0.0.1/api/", "/posts/1"),
            "http://127.0.0.1/api/posts/1"
        );
    }
}
