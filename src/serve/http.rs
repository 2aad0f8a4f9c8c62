//! The preview server: the in-memory site over HTTP with tiny_http.
//!
//! Only GET and HEAD are served; every other method gets 405. A file is
//! looked up in the site map (never on disk), folders serve their
//! `index.html`, pages get the live-reload tags, and anything else is the
//! 404 page.

use super::paths::{self, Target};
use super::reload;
use super::state::State;
use std::io::Write;
use std::net::{SocketAddr, TcpListener};
use std::sync::Arc;
use tiny_http::{Method, Request, Server};

/// Threads answering requests; streams of reload events have their own.
const WORKERS: usize = 8;

/// Why the server could not start.
#[derive(Debug, thiserror::Error)]
pub enum BindError {
    #[error(
        "{addr} is already in use (another `portolan serve`?); pass --port N for another port, or --port 0 for any free one"
    )]
    InUse { addr: SocketAddr },
    #[error("cannot listen on {addr}: {source}")]
    Io {
        addr: SocketAddr,
        source: std::io::Error,
    },
}

/// A running server.
pub struct Running {
    server: Arc<Server>,
    /// The address it listens on (with the port `--port 0` picked).
    pub addr: SocketAddr,
    workers: Vec<std::thread::JoinHandle<()>>,
}

/// Listens on `addr` and serves `state` from worker threads.
pub fn start(addr: SocketAddr, state: Arc<State>) -> Result<Running, BindError> {
    let listener = TcpListener::bind(addr).map_err(|source| {
        if source.kind() == std::io::ErrorKind::AddrInUse {
            BindError::InUse { addr }
        } else {
            BindError::Io { addr, source }
        }
    })?;
    let bound = listener
        .local_addr()
        .map_err(|source| BindError::Io { addr, source })?;
    let server = Server::from_listener(listener, None).map_err(|e| BindError::Io {
        addr,
        source: std::io::Error::other(e.to_string()),
    })?;
    let server = Arc::new(server);
    let workers = (0..WORKERS)
        .map(|_| {
            let (server, state) = (Arc::clone(&server), Arc::clone(&state));
            std::thread::spawn(move || {
                while let Ok(request) = server.recv() {
                    handle(request, &state);
                }
            })
        })
        .collect();
    Ok(Running {
        server,
        addr: bound,
        workers,
    })
}

impl Running {
    /// Stops accepting requests and waits for the workers.
    pub fn stop(self) {
        for _ in &self.workers {
            self.server.unblock();
        }
        for w in self.workers {
            let _ = w.join();
        }
    }
}

/// Writes a whole response and closes the connection.
///
/// Responses are written directly rather than through tiny_http's
/// `Response`, which cannot say `Connection: close`: tiny_http gives each
/// connection a pooled thread that blocks on the next keep-alive request,
/// and its pool can leave a new connection's task queued behind idle ones
/// (seen as a page whose favicon never loads in Chromium). Closing after
/// every response keeps connections, and so pool threads, short-lived; on
/// loopback a new connection costs next to nothing.
fn respond(request: Request, status: u16, headers: &[(&str, &str)], body: &[u8]) {
    let reason = match status {
        200 => "OK",
        301 => "Moved Permanently",
        404 => "Not Found",
        405 => "Method Not Allowed",
        _ => "",
    };
    let head_only = *request.method() == Method::Head;
    let mut head = format!(
        "HTTP/1.1 {status} {reason}\r\nContent-Length: {}\r\nCache-Control: no-store\r\nX-Content-Type-Options: nosniff\r\nReferrer-Policy: no-referrer\r\nConnection: close\r\n",
        body.len()
    );
    for (name, value) in headers {
        head.push_str(name);
        head.push_str(": ");
        head.push_str(value);
        head.push_str("\r\n");
    }
    head.push_str("\r\n");
    let mut out = request.into_writer();
    // A browser that hung up is not our error.
    let _ = out.write_all(head.as_bytes());
    if !head_only {
        let _ = out.write_all(body);
    }
    let _ = out.flush();
}

fn file(request: Request, status: u16, content_type: &str, body: &[u8]) {
    respond(request, status, &[("Content-Type", content_type)], body);
}

/// Answers one request.
pub fn handle(request: Request, state: &Arc<State>) {
    if !matches!(request.method(), Method::Get | Method::Head) {
        respond(
            request,
            405,
            &[
                ("Allow", "GET, HEAD"),
                ("Content-Type", "text/plain; charset=utf-8"),
            ],
            b"only GET and HEAD are served\n",
        );
        return;
    }
    let url = request.url().to_owned();
    if let Some(own) = url.strip_prefix(reload::PREFIX) {
        let own = own.split(['?', '#']).next().unwrap_or_default();
        match own {
            "events" if *request.method() == Method::Get => {
                let state = Arc::clone(state);
                let out = request.into_writer();
                std::thread::spawn(move || reload::stream(out, &state));
            }
            "live.js" => file(
                request,
                200,
                paths::mime("live.js"),
                reload::SCRIPT.as_bytes(),
            ),
            "live.css" => file(
                request,
                200,
                paths::mime("live.css"),
                reload::STYLE.as_bytes(),
            ),
            _ => not_found(request),
        }
        return;
    }
    match paths::resolve(&url, &|p| state.is_dir(p)) {
        Target::File(path) => match state.get(&path) {
            Some(bytes) => {
                let mime = paths::mime(&path);
                if mime.starts_with("text/html") {
                    file(request, 200, mime, &reload::inject(&bytes));
                } else {
                    file(request, 200, mime, &bytes);
                }
            }
            None => not_found(request),
        },
        Target::Slash(location) => respond(request, 301, &[("Location", &location)], b""),
        Target::Refused => not_found(request),
    }
}

/// The 404 page: under the portal's CSP, with the live-reload tags (a page
/// that a rebuild creates appears by itself), naming nothing from the URL.
fn not_found(request: Request) {
    let page = format!(
        "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta http-equiv=\"Content-Security-Policy\" content=\"{}\">\
         <title>Not found</title>{}</head><body><main><h1>Not found</h1>\
         <p>No page of this portal is at this address.</p>\
         <p><a href=\"/\">Go to the portal's home page</a></p></main></body></html>\n",
        crate::site::CSP,
        reload::TAGS
    );
    file(request, 404, "text/html; charset=utf-8", page.as_bytes());
}
