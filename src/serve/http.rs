//! The preview server: the in-memory site over HTTP with tiny_http.
//!
//! Only GET and HEAD are served; every other method gets 405. A file is
//! looked up in the site map (never on disk), folders serve their
//! `index.html`, pages get the live-reload tags, and anything else is the
//! 404 page.

use super::paths::{self, Target};
use super::reload;
use super::state::State;
use std::net::{SocketAddr, TcpListener};
use std::sync::Arc;
use tiny_http::{Header, Method, Request, Response, Server, StatusCode};

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

fn header(name: &str, value: &str) -> Header {
    Header::from_bytes(name.as_bytes(), value.as_bytes()).expect("static header")
}

fn respond(request: Request, status: u16, content_type: &str, body: Vec<u8>) {
    let response = Response::from_data(body)
        .with_status_code(StatusCode(status))
        .with_header(header("Content-Type", content_type))
        .with_header(header("Cache-Control", "no-store"))
        .with_header(header("X-Content-Type-Options", "nosniff"))
        .with_header(header("Referrer-Policy", "no-referrer"));
    // A browser that hung up is not our error.
    let _ = request.respond(response);
}

/// Answers one request.
pub fn handle(request: Request, state: &Arc<State>) {
    if !matches!(request.method(), Method::Get | Method::Head) {
        let response = Response::from_string("only GET and HEAD are served\n")
            .with_status_code(StatusCode(405))
            .with_header(header("Allow", "GET, HEAD"))
            .with_header(header("Content-Type", "text/plain; charset=utf-8"));
        let _ = request.respond(response);
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
            "live.js" => respond(
                request,
                200,
                paths::mime("live.js"),
                reload::SCRIPT.as_bytes().to_vec(),
            ),
            "live.css" => respond(
                request,
                200,
                paths::mime("live.css"),
                reload::STYLE.as_bytes().to_vec(),
            ),
            _ => not_found(request),
        }
        return;
    }
    match paths::resolve(&url, &|p| state.is_dir(p)) {
        Target::File(path) => match state.get(&path) {
            Some(bytes) => {
                let mime = paths::mime(&path);
                let body = if mime.starts_with("text/html") {
                    reload::inject(&bytes)
                } else {
                    bytes.to_vec()
                };
                respond(request, 200, mime, body);
            }
            None => not_found(request),
        },
        Target::Slash(location) => {
            let response = Response::empty(StatusCode(301))
                .with_header(header("Location", &location))
                .with_header(header("Cache-Control", "no-store"));
            let _ = request.respond(response);
        }
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
    respond(request, 404, "text/html; charset=utf-8", page.into_bytes());
}
