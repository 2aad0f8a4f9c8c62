//! Escaping for XML and HTML text and attribute values, shared by the JUnit
//! report, the SVG graphs and the theme's `inline_code` filter.

/// Escapes `&`, `<`, `>`, `"` and `'`, and drops the characters XML 1.0
/// cannot carry (control characters other than tab, newline and carriage
/// return, U+FFFE and U+FFFF), so catalog text can never break the markup.
/// The output is valid in HTML too.
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
            '\t' | '\n' | '\r' => out.push(c),
            c if (c as u32) < 0x20 || c == '\u{fffe}' || c == '\u{ffff}' => {}
            c => out.push(c),
        }
    }
}

/// A catalog-supplied URL, if it may be clickable: only absolute http,
/// https and mailto URLs. `javascript:`, `data:`, relative paths and
/// anything unparsable stay plain text.
pub fn safe_url(raw: &str) -> Option<String> {
    let raw = raw.trim();
    if raw.chars().any(char::is_control) {
        return None;
    }
    let url = url::Url::parse(raw).ok()?;
    match url.scheme() {
        "http" | "https" if url.host().is_some() => Some(url.to_string()),
        "mailto" => Some(url.to_string()),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn markup_and_invalid_characters_never_get_through() {
        assert_eq!(
            super::xml("<a href=\"x\">'&'</a>\u{1}\u{ffff}\tok"),
            "&lt;a href=&quot;x&quot;&gt;&apos;&amp;&apos;&lt;/a&gt;\tok"
        );
    }
}
