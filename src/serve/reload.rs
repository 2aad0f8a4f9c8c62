//! Live reload by Server-Sent Events.
//!
//! Each page the server sends gets two tags before `</head>`: a stylesheet
//! and a script, both served by `serve` itself under `/__portolan/` (a path
//! no site file can have). The script opens `/__portolan/events` and
//! reloads on `reload`, or shows the errors of a failed rebuild on
//! `failed`. Both load from the page's own origin, so the portal's CSP
//! (`script-src 'self'`, `style-src 'self'`, `connect-src 'self'`) allows
//! them without a nonce or an inline script; nothing is added to the files
//! `build` writes.

use super::state::{Event, State};
use std::io::Write;
use std::sync::Arc;
use std::sync::mpsc::RecvTimeoutError;
use std::time::Duration;

/// Where serve's own files live.
pub const PREFIX: &str = "/__portolan/";
pub const SCRIPT: &str = include_str!("assets/live.js");
pub const STYLE: &str = include_str!("assets/live.css");

/// The tags added to every served page.
pub const TAGS: &str = "<link rel=\"stylesheet\" href=\"/__portolan/live.css\"><script src=\"/__portolan/live.js\" defer></script>";

/// How often an idle stream sends a comment, which also notices browsers
/// that went away.
const KEEPALIVE: Duration = Duration::from_secs(15);

/// `html` with the live-reload tags before `</head>` (or at the end).
pub fn inject(html: &[u8]) -> Vec<u8> {
    let at = find_ascii_ci(html, b"</head>").unwrap_or(html.len());
    let mut out = Vec::with_capacity(html.len() + TAGS.len());
    out.extend_from_slice(&html[..at]);
    out.extend_from_slice(TAGS.as_bytes());
    out.extend_from_slice(&html[at..]);
    out
}

fn find_ascii_ci(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len())
        .position(|w| w.eq_ignore_ascii_case(needle))
}

/// One event in the wire format.
pub fn frame(event: &Event) -> String {
    match event {
        Event::Reload => "event: reload\ndata: {}\n\n".to_owned(),
        Event::Failed(text) => {
            let data = serde_json::json!({ "text": text }).to_string();
            // serde_json escapes newlines, so the data is one line.
            format!("event: failed\ndata: {data}\n\n")
        }
    }
}

/// Streams events to one browser until it goes away or the server stops.
/// Runs on its own thread: a stream lasts as long as the page is open.
pub fn stream(mut out: Box<dyn Write + Send>, state: &Arc<State>) {
    let events = state.listen();
    let head = "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nCache-Control: no-store\r\nX-Content-Type-Options: nosniff\r\nConnection: close\r\n\r\nretry: 500\n\n";
    if out
        .write_all(head.as_bytes())
        .and_then(|()| out.flush())
        .is_err()
    {
        return;
    }
    loop {
        let text = match events.recv_timeout(KEEPALIVE) {
            Ok(event) => frame(&event),
            Err(RecvTimeoutError::Timeout) => ": keepalive\n\n".to_owned(),
            Err(RecvTimeoutError::Disconnected) => return,
        };
        if out
            .write_all(text.as_bytes())
            .and_then(|()| out.flush())
            .is_err()
        {
            return;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tags_go_before_the_head_ends() {
        let page = b"<html><head><title>x</title></HEAD><body></body></html>";
        let out = String::from_utf8(inject(page)).unwrap();
        assert!(
            out.contains(&format!("<title>x</title>{TAGS}</HEAD>")),
            "{out}"
        );
        let bare = String::from_utf8(inject(b"<p>no head</p>")).unwrap();
        assert!(bare.ends_with(TAGS));
    }

    #[test]
    fn failures_are_one_json_line() {
        let f = frame(&Event::Failed(
            "error: a\n  --> b.yaml:1:2\n<script>".into(),
        ));
        assert_eq!(f.lines().filter(|l| !l.is_empty()).count(), 2, "{f}");
        assert!(f.ends_with("\n\n"), "an event ends with a blank line");
        assert!(f.contains("\\n  --> b.yaml:1:2"));
    }
}
