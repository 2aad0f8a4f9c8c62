//! Escaping for every place catalog text is shown: HTML and XML (the
//! portal's templates, the SVG graphs, the JUnit report), terminals and CI
//! logs (`terminal`), which catalog URLs may become links, and names that
//! become folders of the output (`segment`).
//!
//! Catalog text can carry characters a reader does not see but that change
//! what they read: NUL and other control characters, and the
//! bidirectional controls that reorder text on screen ("Trojan Source":
//! `invoice\u{202E}fdp.exe` shows as `invoiceexe.pdf`). None of them is
//! passed through: the portal shows each as a visible marker such as
//! `⟨U+202E⟩` ([`visible`]), and text formats show it as a Rust-style
//! escape such as `\u{202e}` ([`terminal`]).

use std::borrow::Cow;

/// Whether `c` is shown as a marker instead of itself: C0 controls other
/// than tab, newline and carriage return (NUL included), DEL, C1 controls,
/// the bidirectional marks and overrides (U+061C, U+200E, U+200F,
/// U+202A–U+202E, U+2066–U+2069), and the non-characters U+FFFE and U+FFFF.
pub fn is_hidden(c: char) -> bool {
    matches!(c,
        '\0'..='\u{8}' | '\u{b}' | '\u{c}' | '\u{e}'..='\u{1f}' | '\u{7f}'..='\u{9f}'
        | '\u{61c}' | '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}'
        | '\u{2066}'..='\u{2069}' | '\u{fffe}' | '\u{ffff}')
}

/// Appends the visible marker for a hidden character: `⟨U+202E⟩`.
fn push_marker(out: &mut String, c: char) {
    use std::fmt::Write;
    let _ = write!(out, "⟨U+{:04X}⟩", u32::from(c));
}

/// `s` with every [`is_hidden`] character replaced by its marker, for text
/// that is escaped later by something else (the catalog page's data, read
/// by script with `textContent`). Borrowed when there is nothing to do.
pub fn visible(s: &str) -> Cow<'_, str> {
    if !s.chars().any(is_hidden) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 16);
    for c in s.chars() {
        if is_hidden(c) {
            push_marker(&mut out, c);
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// Escapes `&`, `<`, `>`, `"` and `'`, and shows the characters XML 1.0
/// cannot carry and the invisible ones ([`is_hidden`]) as markers, so
/// catalog text can never break the markup or hide what it says. The output
/// is valid in HTML too.
pub fn xml(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    push_xml(&mut out, s);
    out
}

/// [`xml`], appending to `out`.
pub fn push_xml(out: &mut String, s: &str) {
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            c if is_hidden(c) => push_marker(out, c),
            c => out.push(c),
        }
    }
}

/// The portal's autoescape function (tera's `set_escape_fn`): tera's own
/// HTML escaping, byte for byte, with [`is_hidden`] characters shown as
/// markers. Every `{{ value }}` of every template goes through it.
pub fn html_escape_fn(input: &str, out: &mut dyn std::io::Write) -> std::io::Result<()> {
    let mut rest = input;
    while let Some((i, c)) = rest.char_indices().find(|(_, c)| is_hidden(*c)) {
        tera::escape_html(&rest[..i], out)?;
        let mut marker = String::new();
        push_marker(&mut marker, c);
        out.write_all(marker.as_bytes())?;
        rest = &rest[i + c.len_utf8()..];
    }
    tera::escape_html(rest, out)
}

/// Text for a terminal or a CI log, one line per message: every control
/// character (newline and carriage return included, so a value can never
/// start a line of its own, such as a GitHub `::error` or `::add-mask`
/// command) and every [`is_hidden`] character is shown as an escape
/// (`\n`, `\u{1b}`, `\u{202e}`). Tabs are kept. Borrowed when there is
/// nothing to do.
pub fn terminal(s: &str) -> Cow<'_, str> {
    let hidden = |c: char| c != '\t' && (c.is_control() || is_hidden(c));
    if !s.chars().any(hidden) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 16);
    for c in s.chars() {
        if hidden(c) {
            out.extend(c.escape_default());
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// A catalog-supplied URL, if it may be clickable: only absolute http,
/// https and mailto URLs. `javascript:`, `data:`, relative paths and
/// anything unparsable stay plain text.
///
/// Credentials (`https://user:pw@host/`) are dropped from the link. In a
/// catalog they are either a secret every reader would see or a disguise:
/// `https://good.example@evil.example/` goes to `evil.example`, and the
/// link keeps going there, without the part that looks like another host.
pub fn safe_url(raw: &str) -> Option<String> {
    let raw = raw.trim();
    if raw.chars().any(char::is_control) {
        return None;
    }
    let mut url = url::Url::parse(raw).ok()?;
    match url.scheme() {
        "http" | "https" if url.host().is_some() => {
            // Cannot fail for a URL with a host.
            let _ = url.set_username("");
            let _ = url.set_password(None);
            Some(url.to_string())
        }
        "mailto" => Some(url.to_string()),
        _ => None,
    }
}

/// Where a link really goes, to show next to it: the host (in its ASCII
/// form, so a look-alike Unicode name shows as `xn--…`) and a port other
/// than the scheme's default, or for `mailto:` the address. `None` for
/// anything else.
pub fn link_target(href: &str) -> Option<String> {
    let url = url::Url::parse(href.trim()).ok()?;
    match url.scheme() {
        "http" | "https" => {
            let host = url.host_str()?;
            Some(match url.port() {
                Some(port) => format!("{host}:{port}"),
                None => host.to_owned(),
            })
        }
        "mailto" => {
            let to = percent_encoding::percent_decode_str(url.path()).decode_utf8_lossy();
            (!to.is_empty()).then(|| to.into_owned())
        }
        _ => None,
    }
}

/// Whether link text already says where the link goes: it is (or starts
/// with) a URL or `host/path` whose host is `target`, or it is the mail
/// address. "Runbook", `runbooks.corp.example/x` for a link to
/// `evil.example`, and `evil.example.corp.example` all do not.
pub fn text_names_target(text: &str, target: &str) -> bool {
    let t = text.trim();
    let t = t.strip_prefix("url:").unwrap_or(t);
    let t = t.strip_prefix("mailto:").unwrap_or(t);
    let t = t.find("://").map_or(t, |i| &t[i + 3..]);
    if t.eq_ignore_ascii_case(target) {
        return true;
    }
    let authority = &t[..t.find(['/', '?', '#']).unwrap_or(t.len())];
    let host = authority.rsplit('@').next().unwrap_or(authority);
    !target.contains('@') && host.eq_ignore_ascii_case(target)
}

/// `text` with the credentials of a URL in it removed
/// (`https://user:pw@host/x` → `https://host/x`), so link text never shows
/// what the link itself no longer carries ([`safe_url`]).
pub fn without_userinfo(text: &str) -> Cow<'_, str> {
    let Some(start) = text.find("://").map(|i| i + 3) else {
        return Cow::Borrowed(text);
    };
    let end = text[start..]
        .find(['/', '?', '#'])
        .map_or(text.len(), |i| start + i);
    match text[start..end].rfind('@') {
        Some(at) => Cow::Owned(format!("{}{}", &text[..start], &text[start + at + 1..])),
        None => Cow::Borrowed(text),
    }
}

/// One path segment made safe for a file name and a URL. Names that pass
/// Backstage's rules are kept as they are; anything else (a catalog that
/// loads with naming errors) is mapped to `[a-z0-9._-]` plus a short hash so
/// two different names never share a folder.
pub fn segment(s: &str) -> String {
    let clean = !s.is_empty()
        && s != "."
        && s != ".."
        && s.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b"._-".contains(&b));
    if clean {
        return s.to_owned();
    }
    let mapped: String = s
        .chars()
        .map(|c| match c {
            'a'..='z' | '0'..='9' | '-' | '_' => c,
            'A'..='Z' => c.to_ascii_lowercase(),
            _ => '_',
        })
        .take(60)
        .collect();
    format!("{mapped}-{:08x}", fnv1a(s.as_bytes()) as u32)
}

/// FNV-1a: a stable, dependency-free hash for disambiguating names.
pub fn fnv1a(bytes: &[u8]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in bytes {
        h ^= u64::from(*b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    h
}

#[cfg(test)]
mod tests {
    #[test]
    fn markup_and_invalid_characters_never_get_through() {
        assert_eq!(
            super::xml("<a href=\"x\">'&'</a>\u{1}\u{ffff}\tok"),
            "&lt;a href=&quot;x&quot;&gt;&apos;&amp;&apos;&lt;/a&gt;⟨U+0001⟩⟨U+FFFF⟩\tok"
        );
    }

    #[test]
    fn invisible_characters_are_shown_not_passed_through() {
        let trojan = "invoice\u{202e}fdp.exe\0\u{2066}\u{61c}\u{200f}";
        assert_eq!(
            super::visible(trojan),
            "invoice⟨U+202E⟩fdp.exe⟨U+0000⟩⟨U+2066⟩⟨U+061C⟩⟨U+200F⟩"
        );
        let mut html = Vec::new();
        super::html_escape_fn("<b>\u{202e}'x'</b>\n", &mut html).unwrap();
        assert_eq!(
            String::from_utf8(html).unwrap(),
            "&lt;b&gt;⟨U+202E⟩&#39;x&#39;&lt;/b&gt;\n"
        );
        // Ordinary text, right-to-left scripts and emoji are untouched.
        for fine in ["Zürich", "שלום", "مرحبا", "👩‍💻", "tab\tnew\nline"] {
            assert_eq!(super::visible(fine), fine);
        }
    }

    #[test]
    fn text_formats_never_start_a_line_from_a_value() {
        assert_eq!(
            super::terminal("a\n::add-mask::x\r\u{1b}[2J\u{202e}\tb"),
            "a\\n::add-mask::x\\r\\u{1b}[2J\\u{202e}\tb"
        );
        assert_eq!(super::terminal("plain `code` text"), "plain `code` text");
    }

    #[test]
    fn links_carry_no_credentials() {
        assert_eq!(
            super::safe_url("https://good.example@evil.example/x").as_deref(),
            Some("https://evil.example/x")
        );
        assert_eq!(
            super::safe_url("https://user:pw@Host.example:8443/").as_deref(),
            Some("https://host.example:8443/")
        );
        assert_eq!(
            super::without_userinfo("url:https://good.example@evil.example/a@b"),
            "url:https://evil.example/a@b"
        );
        assert_eq!(
            super::without_userinfo("team@example.com"),
            "team@example.com"
        );
    }

    #[test]
    fn the_real_target_is_named_unless_the_text_already_says_it() {
        use super::{link_target, text_names_target as names};
        assert_eq!(
            link_target("https://evil.example/x").as_deref(),
            Some("evil.example")
        );
        assert_eq!(
            link_target("https://bücher.example:8080/").as_deref(),
            Some("xn--bcher-kva.example:8080")
        );
        assert_eq!(
            link_target("mailto:team@example.com").as_deref(),
            Some("team@example.com")
        );
        assert_eq!(link_target("javascript:x"), None);
        assert!(names("github.com/acme/orders", "github.com"));
        assert!(names("https://GitHub.com/acme", "github.com"));
        assert!(names("team@example.com", "team@example.com"));
        assert!(!names("Runbook", "evil.example"));
        assert!(!names("runbooks.corp.example/x", "evil.example"));
        assert!(!names("evil.example.corp.example/x", "evil.example"));
        assert!(!names("https://good.example", "evil.example"));
    }
}
