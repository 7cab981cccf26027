//! Absolute http(s) URLs and the joining redirects and base URLs need
//! (`http::Uri` parses; the `url` crate would pull in ICU for IDNA).

use std::fmt;

/// An absolute URL, split the way a request needs it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Url {
    pub scheme: String,
    /// Without brackets for IPv6.
    pub host: String,
    pub port: u16,
    /// `/path?query`, at least `/`.
    pub path_and_query: String,
}

impl Url {
    pub fn parse(text: &str) -> Result<Url, String> {
        let uri: hyper::Uri = text
            .parse()
            .map_err(|e| format!("not a URL: {text:?} ({e})"))?;
        let scheme = match uri.scheme_str() {
            Some(s @ ("http" | "https")) => s.to_string(),
            Some(s) => {
                return Err(format!(
                    "{text:?}: the scheme must be http or https, not {s}"
                ))
            }
            None => {
                return Err(format!(
                    "{text:?} is not an absolute URL (such as http://127.0.0.1:8000/)"
                ))
            }
        };
        let host = uri
            .host()
            .filter(|h| !h.is_empty())
            .ok_or_else(|| format!("{text:?} has no host"))?;
        let host = host
            .trim_start_matches('[')
            .trim_end_matches(']')
            .to_string();
        let port = uri
            .port_u16()
            .unwrap_or(if scheme == "https" { 443 } else { 80 });
        let path_and_query = uri
            .path_and_query()
            .map(|p| p.as_str())
            .filter(|p| !p.is_empty())
            .unwrap_or("/");
        let path_and_query = if path_and_query.starts_with('/') {
            path_and_query.to_string()
        } else {
            format!("/{path_and_query}")
        };
        Ok(Url {
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
    pub fn host_header(&self) -> String {
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

    /// A `Location` resolved against this URL: absolute, scheme-relative
    /// (`//host/p`), absolute-path (`/p`) or relative to the current folder.
    pub fn join(&self, location: &str) -> Result<Url, String> {
        if location.contains("://") {
            return Url::parse(location);
        }
        if let Some(rest) = location.strip_prefix("//") {
            return Url::parse(&format!("{}://{rest}", self.scheme));
        }
        let origin = format!("{}://{}", self.scheme, self.host_header());
        if location.starts_with('/') {
            return Url::parse(&format!("{origin}{location}"));
        }
        let path = self.path_and_query.split('?').next().unwrap_or("/");
        let folder = &path[..path.rfind('/').map_or(0, |i| i + 1)];
        Url::parse(&format!("{origin}{folder}{location}"))
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
        let u = Url::parse("http://127.0.0.1:8080/a/b?x=1").unwrap();
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
    }

    #[test]
    fn joins_locations() {
        let u = Url::parse("http://127.0.0.1:81/a/b?q").unwrap();
        let j = |l| u.join(l).unwrap().to_string();
        assert_eq!(j("/x"), "http://127.0.0.1:81/x");
        assert_eq!(j("c"), "http://127.0.0.1:81/a/c");
        assert_eq!(j("//127.0.0.1:82/p"), "http://127.0.0.1:82/p");
        assert_eq!(j("http://127.0.0.1:9/"), "http://127.0.0.1:9/");
        assert_eq!(
            join_base("http://127.0.0.1/api/", "/posts/1"),
            "http://127.0.0.1/api/posts/1"
        );
    }
}
