//! `portolan serve` as a user runs it: the real binary on a free port, a
//! real file edit, the reload event on the wire, and the HTTP rules
//! (methods, MIME types, folders, 404s and traversal attempts).

mod common;
use common::*;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc::{Receiver, channel};
use std::time::{Duration, Instant};

/// A running `portolan serve`, stopped when dropped.
struct Served {
    child: Child,
    addr: SocketAddr,
    lines: Receiver<String>,
}

impl Served {
    fn start(root: &Path, extra: &[&str]) -> Served {
        let mut child = Command::new(env!("CARGO_BIN_EXE_portolan"))
            .args([
                "serve",
                root.to_str().unwrap(),
                "--port",
                "0",
                "--today",
                "2026-11-28",
            ])
            .args(extra)
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("start portolan serve");
        // (stderr is the test's: a warning there is shown, never blocks.)
        let (tx, lines) = channel();
        let out = child.stdout.take().unwrap();
        std::thread::spawn(move || {
            for line in BufReader::new(out).lines().map_while(Result::ok) {
                if tx.send(line).is_err() {
                    return;
                }
            }
        });
        let deadline = Instant::now() + Duration::from_secs(120);
        let addr = loop {
            let line = lines
                .recv_timeout(deadline.saturating_duration_since(Instant::now()))
                .expect("serve printed no URL");
            if let Some(url) = line.split(" at http://").nth(1) {
                let hostport = url.split('/').next().unwrap();
                break hostport.parse().unwrap();
            }
        };
        Served { child, addr, lines }
    }

    /// The next rebuild line, past the lines that say a search index was
    /// swapped in (they follow a rebuild's at their own pace).
    fn next_line(&self) -> String {
        self.next_where(|line| !line.starts_with(SEARCH_LINE), "rebuild")
    }

    /// The next line that says a search index was swapped in.
    fn next_search_line(&self) -> String {
        self.next_where(|line| line.starts_with(SEARCH_LINE), "search index")
    }

    /// The next line `wanted` accepts, skipping others; panics after a
    /// minute without one.
    fn next_where(&self, wanted: impl Fn(&str) -> bool, what: &str) -> String {
        loop {
            let line = self
                .lines
                .recv_timeout(Duration::from_secs(60))
                .unwrap_or_else(|_| panic!("no {what} line"));
            if wanted(&line) {
                return line;
            }
        }
    }
}

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

struct Reply {
    status: u16,
    head: String,
    body: Vec<u8>,
}

impl Reply {
    fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    fn header(&self, name: &str) -> Option<String> {
        self.head.lines().find_map(|l| {
            let (k, v) = l.split_once(':')?;
            k.eq_ignore_ascii_case(name).then(|| v.trim().to_owned())
        })
    }
}

/// One raw HTTP/1.1 request: the target is sent exactly as given (a
/// client library would normalize `..` away).
/// How the line that says a search index was swapped in starts.
const SEARCH_LINE: &str = "search index: ";

fn request(addr: SocketAddr, method: &str, target: &str) -> Reply {
    let mut s = TcpStream::connect(addr).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
    write!(
        s,
        "{method} {target} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut raw = Vec::new();
    s.read_to_end(&mut raw).unwrap();
    let split = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .expect("a response head");
    let head = String::from_utf8_lossy(&raw[..split]).into_owned();
    let status = head.split(' ').nth(1).unwrap().parse().unwrap();
    let mut body = raw[split + 4..].to_vec();
    if head
        .to_ascii_lowercase()
        .contains("transfer-encoding: chunked")
    {
        body = dechunk(&body);
    }
    Reply { status, head, body }
}

fn dechunk(mut raw: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    loop {
        let Some(eol) = raw.windows(2).position(|w| w == b"\r\n") else {
            return out;
        };
        let size = usize::from_str_radix(std::str::from_utf8(&raw[..eol]).unwrap().trim(), 16)
            .unwrap_or(0);
        if size == 0 {
            return out;
        }
        out.extend_from_slice(&raw[eol + 2..eol + 2 + size]);
        raw = &raw[eol + 2 + size + 2..];
    }
}

fn get(addr: SocketAddr, target: &str) -> Reply {
    request(addr, "GET", target)
}

/// An open event stream.
struct Events {
    stream: TcpStream,
    seen: String,
}

impl Events {
    fn open(addr: SocketAddr) -> Events {
        let mut stream = TcpStream::connect(addr).unwrap();
        write!(
            stream,
            "GET /__portolan/events HTTP/1.1\r\nHost: {addr}\r\nAccept: text/event-stream\r\n\r\n"
        )
        .unwrap();
        let mut events = Events {
            stream,
            seen: String::new(),
        };
        let head = events.wait_for("retry:");
        assert!(head.contains("text/event-stream"), "{head}");
        events
    }

    /// Reads until `what` arrives; returns what was read up to the end of
    /// that event and keeps the rest for the next call.
    fn wait_for(&mut self, what: &str) -> String {
        let deadline = Instant::now() + Duration::from_secs(60);
        let mut buf = [0u8; 4096];
        loop {
            if let Some(at) = self.seen.find(what) {
                let end = self.seen[at..]
                    .find("\n\n")
                    .map_or(self.seen.len(), |e| at + e + 2);
                let rest = self.seen.split_off(end);
                return std::mem::replace(&mut self.seen, rest);
            }
            let left = deadline.saturating_duration_since(Instant::now());
            assert!(!left.is_zero(), "no `{what}` event; got: {}", self.seen);
            self.stream.set_read_timeout(Some(left)).unwrap();
            let n = self.stream.read(&mut buf).unwrap_or(0);
            assert!(n > 0, "the event stream ended; got: {}", self.seen);
            self.seen.push_str(&String::from_utf8_lossy(&buf[..n]));
        }
    }
}

const TRACKING: &str = "services/tracking-service/catalog-info.yaml";
const PAGE: &str = "/catalog/default/component/tracking-service/";

fn example() -> (tempfile::TempDir, std::path::PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("catalog");
    copy_dir(&repo().join("example-catalog"), &root);
    (dir, root)
}

#[test]
fn an_edit_reloads_the_browser_and_a_broken_one_shows_the_errors() {
    let (_dir, root) = example();
    let served = Served::start(&root, &[]);
    let addr = served.addr;
    let page = get(addr, PAGE);
    assert_eq!(page.status, 200);
    assert!(page.text().contains("Stores every scan event"));
    assert!(
        page.text()
            .contains("<script src=\"/__portolan/live.js\" defer></script>"),
        "served pages listen for reloads"
    );
    let mut events = Events::open(addr);

    replace_in(
        &root.join(TRACKING),
        "description: Stores",
        "description: Keeps",
    );
    events.wait_for("event: reload");
    let line = served.next_line();
    assert!(
        line.starts_with(&format!("{TRACKING} changed: ")) && line.contains(" files rendered in "),
        "{line}"
    );
    let page = get(addr, PAGE);
    assert!(
        page.text().contains("Keeps every scan event"),
        "the page changed"
    );
    // The search index follows the reload, and the terminal says so (its
    // bytes are checked against a fresh build in tests/serve.rs).
    let line = served.next_search_line();
    assert!(line.contains(" files changed, written in "), "{line}");

    // A YAML syntax error: the errors go to the browser, the old page stays.
    replace_in(
        &root.join(TRACKING),
        "  owner: tracking-team\n",
        "  owner: [tracking-team\n",
    );
    let line = served.next_line();
    assert!(line.contains("rebuild failed"), "{line}");
    assert!(line.contains("still serving the last good site"), "{line}");
    let got = events.wait_for("event: failed");
    let data = got
        .lines()
        .skip_while(|l| *l != "event: failed")
        .nth(1)
        .and_then(|l| l.strip_prefix("data: "))
        .expect("a data line");
    let json: serde_json::Value = serde_json::from_str(data).unwrap();
    let text = json["text"].as_str().unwrap();
    assert!(text.contains(&format!("{TRACKING}:")), "{text}");
    assert!(text.contains("error["), "{text}");
    let page = get(addr, PAGE);
    assert_eq!(page.status, 200);
    assert!(
        page.text().contains("Keeps every scan event"),
        "the last good page"
    );
    // A page opened now gets the errors as soon as it listens.
    let mut late = Events::open(addr);
    late.wait_for("event: failed");

    replace_in(
        &root.join(TRACKING),
        "owner: [tracking-team",
        "owner: tracking-team",
    );
    events.wait_for("event: reload");
    late.wait_for("event: reload");
    assert!(!served.next_line().contains("failed"));
}

#[test]
fn only_site_files_are_served_with_their_types() {
    let (_dir, root) = example();
    // A symlink out of the catalog, inside a docs folder.
    #[cfg(unix)]
    std::os::unix::fs::symlink(
        "/etc/passwd",
        root.join("services/tracking-service/docs/passwd.md"),
    )
    .unwrap();
    #[cfg(unix)]
    std::os::unix::fs::symlink("/etc", root.join("services/tracking-service/docs/etc")).unwrap();
    let served = Served::start(&root, &[]);
    let addr = served.addr;

    let home = get(addr, "/");
    assert_eq!(home.status, 200);
    assert_eq!(
        home.header("content-type").unwrap(),
        "text/html; charset=utf-8"
    );
    assert_eq!(get(addr, "/catalog/").status, 200, "index.html for folders");
    let folder = get(addr, "/catalog");
    assert_eq!(folder.status, 301);
    assert_eq!(folder.header("location").unwrap(), "/catalog/");
    for (path, mime) in [
        ("/static/style.css", "text/css; charset=utf-8"),
        ("/static/app.js", "text/javascript; charset=utf-8"),
        ("/api/catalog.json", "application/json"),
        ("/static/favicon.svg", "image/svg+xml"),
        ("/__portolan/live.js", "text/javascript; charset=utf-8"),
        ("/__portolan/live.css", "text/css; charset=utf-8"),
    ] {
        let r = get(addr, path);
        assert_eq!(r.status, 200, "{path}");
        assert_eq!(r.header("content-type").unwrap(), mime, "{path}");
        assert_eq!(r.header("x-content-type-options").unwrap(), "nosniff");
    }
    let json = get(addr, "/api/catalog.json");
    assert!(
        !json.text().contains("__portolan"),
        "only pages get the script"
    );

    let head = request(addr, "HEAD", "/");
    assert_eq!(head.status, 200);
    assert!(head.body.is_empty(), "HEAD has no body");
    for method in ["POST", "PUT", "DELETE", "OPTIONS", "PATCH"] {
        let r = request(addr, method, "/");
        assert_eq!(r.status, 405, "{method}");
        assert_eq!(r.header("allow").unwrap(), "GET, HEAD");
    }

    let missing = get(addr, "/no/such/page/");
    assert_eq!(missing.status, 404);
    assert!(missing.text().contains("Not found"));
    assert!(missing.text().contains("Content-Security-Policy"));
    for target in [
        "/../etc/passwd",
        "/catalog/../../etc/passwd",
        "/%2e%2e/%2e%2e/etc/passwd",
        "/%2E%2E%2F%2E%2E%2Fetc%2Fpasswd",
        "/catalog%2f..%2f..%2fetc%2fpasswd",
        "/..%5c..%5cetc%5cpasswd",
        "/..\\..\\etc\\passwd",
        "//etc/passwd",
        "/etc/passwd",
        "http://evil.example/etc/passwd",
        "/index.html%00.js",
        "/docs/default/component/tracking-service/passwd/",
        "/docs/default/component/tracking-service/passwd.md",
        "/docs/default/component/tracking-service/etc/passwd",
        "/services/tracking-service/catalog-info.yaml",
        "/portolan.toml",
        "/__portolan/../index.html",
        "/__portolan/other",
    ] {
        let r = get(addr, target);
        assert_eq!(r.status, 404, "{target}");
        assert!(!r.text().contains("root:"), "{target} leaked /etc/passwd");
    }
}

#[test]
fn binding_rules_and_ctrl_c() {
    let (_dir, root) = example();
    let served = Served::start(&root, &[]);
    // The same port again: a clear error, exit 2.
    let busy = portolan(
        &[
            "serve",
            root.to_str().unwrap(),
            "--port",
            &served.addr.port().to_string(),
        ],
        &repo(),
    );
    assert_eq!(busy.status.code(), Some(2));
    let err = stderr(&busy);
    assert!(
        err.contains("already in use") && err.contains("--port 0"),
        "{err}"
    );
    assert!(served.addr.ip().is_loopback(), "loopback by default");

    // Ctrl-C (SIGINT) stops it cleanly.
    #[cfg(unix)]
    {
        let mut served = served;
        let pid = served.child.id().to_string();
        let status = Command::new("kill").args(["-INT", &pid]).status().unwrap();
        assert!(status.success());
        let exit = served.child.wait().unwrap();
        assert!(exit.success(), "{exit:?}");
        let rest: Vec<String> = served.lines.try_iter().collect();
        assert!(rest.iter().any(|l| l == "stopped"), "{rest:?}");
    }

    // Any other address is served only when asked, with a warning.
    let mut open = Command::new(env!("CARGO_BIN_EXE_portolan"))
        .args([
            "serve",
            root.to_str().unwrap(),
            "--port",
            "0",
            "--bind",
            "0.0.0.0",
        ])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut err = BufReader::new(open.stderr.take().unwrap());
    let mut first = String::new();
    err.read_line(&mut first).unwrap();
    let _ = open.kill();
    let _ = open.wait();
    assert!(
        first.contains("warning: serving on 0.0.0.0") && first.contains("other machines"),
        "{first}"
    );
}
