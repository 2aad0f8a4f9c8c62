//! Entity descriptions as inline markdown: `**bold**`, `*emphasis*`,
//! `` `code` ``, `~~strikethrough~~` and links, on every page that shows a
//! description. A description is untrusted: block structure (paragraphs,
//! headings, lists, images) flattens to its text, raw HTML is shown as
//! text, and the result goes through ammonia with an allowlist of five
//! tags, links to `http`, `https` and `mailto` only (a relative link would
//! point elsewhere on each page that shows it).
//!
//! The JSON export keeps the description as written; the catalog index's
//! search data holds [`plain`], the text without markup.

use pulldown_cmark::{Event, Options, Parser, Tag, TagEnd};
use std::collections::HashSet;
use std::sync::OnceLock;

/// Sanitized inline HTML for a description.
pub fn html(text: &str) -> String {
    let mut out = String::new();
    // Invisible and bidi characters are shown, as every template shows them.
    let events = inline_events(text).into_iter().map(|e| match e {
        Event::Text(t) => Event::Text(crate::escape::visible(&t).into_owned().into()),
        Event::Code(t) => Event::Code(crate::escape::visible(&t).into_owned().into()),
        e => e,
    });
    pulldown_cmark::html::push_html(&mut out, events);
    let out = out.trim();
    // Escaped text has no `<`: only markup needs the sanitizer.
    if !out.contains('<') {
        return out.to_owned();
    }
    cleaner().clean(out).to_string()
}

/// The text of a description without its markup, for search data.
pub fn plain(text: &str) -> String {
    let mut out = String::new();
    for e in inline_events(text) {
        if let Event::Text(t) | Event::Code(t) = e {
            out.push_str(&t);
        }
    }
    out.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The inline events of `text`: blocks become spaces, raw HTML text.
fn inline_events(text: &str) -> Vec<Event<'_>> {
    let parser = Parser::new_ext(text, Options::ENABLE_STRIKETHROUGH);
    parser
        .filter_map(|e| match e {
            Event::Start(Tag::Emphasis | Tag::Strong | Tag::Strikethrough | Tag::Link { .. })
            | Event::End(
                TagEnd::Emphasis | TagEnd::Strong | TagEnd::Strikethrough | TagEnd::Link,
            )
            | Event::Text(_)
            | Event::Code(_) => Some(e),
            Event::Html(t) | Event::InlineHtml(t) => Some(Event::Text(t)),
            Event::End(TagEnd::Image) => None,
            Event::SoftBreak | Event::HardBreak | Event::End(_) | Event::Rule => {
                Some(Event::Text(" ".into()))
            }
            _ => None,
        })
        .collect()
}

fn cleaner() -> &'static ammonia::Builder<'static> {
    static CLEANER: OnceLock<ammonia::Builder<'static>> = OnceLock::new();
    CLEANER.get_or_init(|| {
        let mut b = ammonia::Builder::empty();
        b.add_tags(["a", "strong", "em", "code", "del"]);
        b.add_tag_attributes("a", ["href"]);
        b.url_schemes(HashSet::from(["http", "https", "mailto"]));
        b.url_relative(ammonia::UrlRelative::Deny);
        b.link_rel(Some("noopener noreferrer"));
        b.clean_content_tags(HashSet::from(["script", "style"]));
        b
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inline_markup_renders() {
        assert_eq!(
            html(
                "Moves **money** with `grpc` and ~~SOAP~~, see [the runbook](https://x.example/r)."
            ),
            "Moves <strong>money</strong> with <code>grpc</code> and <del>SOAP</del>, see <a href=\"https://x.example/r\" rel=\"noopener noreferrer\">the runbook</a>."
        );
        assert_eq!(html("a < b & c"), "a &lt; b &amp; c");
        assert_eq!(html("x\u{202E}y"), "x⟨U+202E⟩y");
    }

    #[test]
    fn blocks_flatten_and_hostile_markup_is_inert() {
        assert_eq!(html("# Title\n\n- one\n- two"), "Title one two");
        let h = html(
            "<script>alert(1)</script> <img src=x onerror=alert(2)> <iframe src=https://e.example></iframe>",
        );
        assert_eq!(
            h,
            "&lt;script&gt;alert(1)&lt;/script&gt; &lt;img src=x onerror=alert(2)&gt; &lt;iframe src=https://e.example&gt;&lt;/iframe&gt;"
        );
        let h = html(
            "See [x](javascript:alert(3)), <b onclick=alert(4)>b</b>, ![i](https://e.example/i.png) and [rel](../x).",
        );
        assert_eq!(
            h,
            "See <a rel=\"noopener noreferrer\">x</a>, &lt;b onclick=alert(4)&gt;b&lt;/b&gt;, i and <a rel=\"noopener noreferrer\">rel</a>."
        );
    }

    #[test]
    fn plain_drops_markup() {
        assert_eq!(
            plain("**Bold** `code`\n\n[link](https://x.example) <b>raw</b>"),
            "Bold code link <b>raw</b>"
        );
    }
}
