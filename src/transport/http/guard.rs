//! Who may talk to the HTTP server: the Host a request names (against DNS
//! rebinding), the Origin a browser sends (against pages on other sites),
//! and the bearer token when one is set.

use axum::extract::Request;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};

/// The hosts a request may name when none are given: this machine's.
pub const LOOPBACK_HOSTS: [&str; 3] = ["localhost", "127.0.0.1", "::1"];

/// What the guard lets through.
#[derive(Clone, Default)]
pub struct Access {
    /// `Authorization: Bearer` must carry this on every route but
    /// `/healthz`.
    pub token: Option<String>,
    /// Host names (or `host:port`) a request may name besides this
    /// machine's; `*` allows any.
    pub hosts: Vec<String>,
    /// Origins (`https://app.example.com`, `http://localhost:*`) a browser
    /// request may come from besides this machine's; `*` allows any.
    pub origins: Vec<String>,
}

impl std::fmt::Debug for Access {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Access")
            .field("token", &self.token.as_ref().map(|_| "<set>"))
            .field("hosts", &self.hosts)
            .field("origins", &self.origins)
            .finish()
    }
}

/// A request the guard turned away.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    pub status: StatusCode,
    pub reason: &'static str,
}

impl IntoResponse for Refusal {
    fn into_response(self) -> Response {
        let mut response = (self.status, format!("{}\n", self.reason)).into_response();
        if self.status == StatusCode::UNAUTHORIZED {
            response.headers_mut().insert(
                header::WWW_AUTHENTICATE,
                header::HeaderValue::from_static("Bearer"),
            );
        }
        response
    }
}

impl Access {
    /// Lets a request through or says why not.
    pub fn check(&self, request: &Request) -> Result<(), Refusal> {
        let headers = request.headers();
        let host = headers
            .get(header::HOST)
            .and_then(|value| value.to_str().ok())
            .ok_or(Refusal {
                status: StatusCode::BAD_REQUEST,
                reason: "the request names no Host",
            })?;
        if !self.host_allowed(host) {
            return Err(Refusal {
                status: StatusCode::FORBIDDEN,
                reason: "the Host header names a host this server does not answer for (see --allow-host)",
            });
        }
        if let Some(origin) = headers.get(header::ORIGIN) {
            let allowed = origin
                .to_str()
                .is_ok_and(|origin| self.origin_allowed(origin));
            if !allowed {
                return Err(Refusal {
                    status: StatusCode::FORBIDDEN,
                    reason: "the request comes from an origin this server does not answer (see --allow-origin)",
                });
            }
        }
        if let Some(token) = &self.token
            && request.uri().path() != "/healthz"
        {
            let given = headers
                .get(header::AUTHORIZATION)
                .and_then(|value| value.to_str().ok())
                .and_then(|value| {
                    value
                        .strip_prefix("Bearer ")
                        .or_else(|| value.strip_prefix("bearer "))
                });
            match given {
                None => {
                    return Err(Refusal {
                        status: StatusCode::UNAUTHORIZED,
                        reason: "this server needs `Authorization: Bearer <token>`",
                    });
                }
                Some(given) if !same_secret(given.trim().as_bytes(), token.as_bytes()) => {
                    return Err(Refusal {
                        status: StatusCode::UNAUTHORIZED,
                        reason: "the bearer token is not this server's",
                    });
                }
                Some(_) => {}
            }
        }
        Ok(())
    }

    /// `localhost:8080`, `[::1]:8080`, `example.com`: allowed when its host
    /// (or the whole `host:port`) is listed or loopback.
    pub fn host_allowed(&self, authority: &str) -> bool {
        let authority = authority.trim().to_ascii_lowercase();
        let host = host_of(&authority);
        LOOPBACK_HOSTS.contains(&host)
            || self.hosts.iter().any(|allowed| {
                let allowed = allowed.trim().to_ascii_lowercase();
                // An entry with a port names one authority; without, a host
                // on any port.
                let entry_host = host_of(&allowed);
                let bare = entry_host == allowed.trim_start_matches('[').trim_end_matches(']');
                allowed == "*" || allowed == authority || (bare && entry_host == host)
            })
    }

    /// `http://localhost:5173`, `https://app.example.com`: allowed when it is
    /// on this machine or listed (`http://host:*` for any port).
    pub fn origin_allowed(&self, origin: &str) -> bool {
        let origin = origin.trim().to_ascii_lowercase();
        let Some((scheme, authority)) = origin.split_once("://") else {
            // `null` (a file or sandboxed page) only when listed.
            return self
                .origins
                .iter()
                .any(|allowed| allowed == "*" || allowed.eq_ignore_ascii_case(&origin));
        };
        let host = host_of(authority);
        if matches!(scheme, "http" | "https") && LOOPBACK_HOSTS.contains(&host) {
            return true;
        }
        self.origins.iter().any(|allowed| {
            let allowed = allowed.trim().to_ascii_lowercase();
            if allowed == "*" || allowed == origin {
                return true;
            }
            allowed
                .strip_suffix(":*")
                .is_some_and(|any_port| any_port == format!("{scheme}://{host}"))
        })
    }
}

/// The host of `host`, `host:port`, `[v6]` or `[v6]:port`.
fn host_of(authority: &str) -> &str {
    if let Some(rest) = authority.strip_prefix('[') {
        return rest.split(']').next().unwrap_or(rest);
    }
    match authority.rsplit_once(':') {
        // A bare IPv6 address has more than one colon and no port.
        Some((host, port)) if !host.contains(':') && port.chars().all(|c| c.is_ascii_digit()) => {
            host
        }
        _ => authority,
    }
}

/// Compares two secrets in time that depends only on their lengths, so a
/// wrong guess says nothing of how much of it was right.
fn same_secret(given: &[u8], expected: &[u8]) -> bool {
    if given.len() != expected.len() {
        return false;
    }
    given
        .iter()
        .zip(expected)
        .fold(0u8, |difference, (a, b)| difference | (a ^ b))
        == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(headers: &[(&str, &str)], path: &str) -> Request {
        let mut builder = Request::builder().uri(path);
        for (name, value) in headers {
            builder = builder.header(*name, *value);
        }
        builder.body(axum::body::Body::empty()).expect("request")
    }

    #[test]
    fn hosts_are_this_machine_s_unless_more_are_allowed() {
        let access = Access::default();
        for host in ["localhost:8080", "127.0.0.1", "[::1]:9000", "LOCALHOST"] {
            assert!(access.host_allowed(host), "{host}");
        }
        for host in [
            "evil.example",
            "evil.example:8080",
            "localhost.evil.example",
        ] {
            assert!(!access.host_allowed(host), "{host}");
        }
        let team = Access {
            hosts: vec!["specs.internal".into(), "10.0.0.5:8080".into()],
            ..Access::default()
        };
        assert!(team.host_allowed("specs.internal:8080"));
        assert!(team.host_allowed("10.0.0.5:8080"));
        assert!(!team.host_allowed("10.0.0.5:9090"));
    }

    #[test]
    fn origins_are_this_machine_s_unless_more_are_allowed() {
        let access = Access::default();
        assert!(access.origin_allowed("http://localhost:6274"));
        assert!(access.origin_allowed("http://127.0.0.1"));
        assert!(!access.origin_allowed("https://evil.example"));
        assert!(!access.origin_allowed("null"));
        let listed = Access {
            origins: vec![
                "https://app.example.com".into(),
                "http://tools.example:*".into(),
            ],
            ..Access::default()
        };
        assert!(listed.origin_allowed("https://app.example.com"));
        assert!(listed.origin_allowed("http://tools.example:3000"));
        assert!(!listed.origin_allowed("https://tools.example:3000"));
        assert!(!listed.origin_allowed("https://app.example.com.evil.example"));
    }

    #[test]
    fn the_token_is_needed_everywhere_but_the_health_check() {
        let access = Access {
            token: Some("s3cret".into()),
            ..Access::default()
        };
        let host = ("host", "127.0.0.1:1");
        assert_eq!(
            access
                .check(&request(&[host], "/mcp"))
                .map_err(|r| r.status),
            Err(StatusCode::UNAUTHORIZED)
        );
        assert_eq!(
            access
                .check(&request(&[host, ("authorization", "Bearer nope")], "/mcp"))
                .map_err(|r| r.status),
            Err(StatusCode::UNAUTHORIZED)
        );
        assert!(
            access
                .check(&request(
                    &[host, ("authorization", "Bearer s3cret")],
                    "/sse"
                ))
                .is_ok()
        );
        assert!(access.check(&request(&[host], "/healthz")).is_ok());
        // Host and Origin are checked on the health check too.
        assert_eq!(
            access
                .check(&request(&[("host", "evil.example")], "/healthz"))
                .map_err(|r| r.status),
            Err(StatusCode::FORBIDDEN)
        );
    }

    #[test]
    fn secrets_compare_whole() {
        assert!(same_secret(b"abc", b"abc"));
        assert!(!same_secret(b"abd", b"abc"));
        assert!(!same_secret(b"ab", b"abc"));
    }
}
