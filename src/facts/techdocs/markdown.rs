//! One markdown page to HTML: GFM with pulldown-cmark, the MkDocs
//! extensions TechDocs users write (admonitions, collapsible admonitions,
//! content tabs), stable heading anchors, code highlighted at build time,
//! links handed to the caller for rewriting, and raw HTML sanitized.
//!
//! MkDocs extensions are rewritten into HTML wrapper lines before parsing,
//! each on its own line between blank lines, so that the markdown inside
//! them is still markdown. A map from the rewritten lines back to the
//! page's own lines keeps every reported position in the author's file.

use pulldown_cmark::{CodeBlockKind, CowStr, Event, HeadingLevel, Options, Parser, Tag, TagEnd};
use std::collections::HashMap;
use std::sync::OnceLock;

/// What to do with raw HTML written in markdown.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum RawHtml {
    /// Keep safe markup only (ammonia): no script, handler or frame.
    #[default]
    Sanitize,
    /// Show it as text.
    Escape,
}

/// How pages are rendered (`[docs]` in portolan.toml).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Settings {
    pub raw: RawHtml,
    /// Highlight fenced code with syntect.
    pub highlight: bool,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            raw: RawHtml::Sanitize,
            highlight: true,
        }
    }
}

/// A heading, for the table of contents and anchor checks.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Heading {
    pub level: u8,
    pub id: String,
    pub text: String,
}

/// A link or image target as written, with the line it is on.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Target {
    pub url: String,
    pub line: u32,
    pub image: bool,
}

/// A rendered page.
#[derive(Debug, Default)]
pub struct Rendered {
    pub html: String,
    pub headings: Vec<Heading>,
    /// Every link and image target, in page order.
    pub targets: Vec<Target>,
    /// The page has a ```mermaid block.
    pub mermaid: bool,
    /// Fenced code blocks (language, code), each marked in `html` until
    /// [`finish`] highlights it.
    pub blocks: Vec<(String, String)>,
}

/// Private-use characters around a code block's number in rendered HTML.
const MARK_OPEN: char = '\u{E000}';
const MARK_CLOSE: char = '\u{E001}';

/// The page's final HTML: every code block marker replaced by the block,
/// highlighted when `highlight` is on.
pub fn finish(html: &str, blocks: &[(String, String)], highlight: bool) -> String {
    if blocks.is_empty() {
        return html.to_owned();
    }
    let mut out =
        String::with_capacity(html.len() + blocks.iter().map(|b| b.1.len() * 4).sum::<usize>());
    let mut rest = html;
    while let Some(at) = rest.find(MARK_OPEN) {
        out.push_str(&rest[..at]);
        let after = &rest[at + MARK_OPEN.len_utf8()..];
        let Some(end) = after.find(MARK_CLOSE) else {
            rest = after;
            continue;
        };
        if let Some((lang, code)) = after[..end]
            .parse::<usize>()
            .ok()
            .and_then(|i| blocks.get(i))
        {
            out.push_str(&self::highlight(lang, code, highlight));
        }
        rest = &after[end + MARK_CLOSE.len_utf8()..];
    }
    out.push_str(rest);
    out
}

/// Renders `text`. `rewrite` maps each link or image target to the URL the
/// page should use (return it unchanged to keep it).
pub fn render(text: &str, settings: Settings, rewrite: &dyn Fn(&str, bool) -> String) -> Rendered {
    let raw = settings.raw;
    // The code-block markers cannot be forged: the author's text has none.
    let cleaned;
    let text = if text.contains([MARK_OPEN, MARK_CLOSE]) {
        cleaned = text.replace([MARK_OPEN, MARK_CLOSE], "\u{FFFD}");
        cleaned.as_str()
    } else {
        text
    };
    let pre = preprocess(text);
    let mut opts = Options::empty();
    opts.insert(Options::ENABLE_TABLES);
    opts.insert(Options::ENABLE_FOOTNOTES);
    opts.insert(Options::ENABLE_TASKLISTS);
    opts.insert(Options::ENABLE_STRIKETHROUGH);
    opts.insert(Options::ENABLE_HEADING_ATTRIBUTES);
    let line_starts = line_starts(&pre.text);
    let line_of = |offset: usize| -> usize { line_starts.partition_point(|&s| s <= offset) - 1 };

    let mut out = Rendered::default();
    let mut ids: HashMap<String, usize> = HashMap::new();
    let mut events: Vec<Event> = Vec::new();
    let mut user_html = false;
    // A heading or code block being collected.
    let mut heading: Option<(HeadingLevel, Option<String>, Vec<Event>)> = None;
    let mut code: Option<(String, String)> = None;

    for (event, range) in Parser::new_ext(&pre.text, opts).into_offset_iter() {
        let src_line = pre.lines.get(line_of(range.start)).copied().unwrap_or(1);
        let event = match event {
            Event::Html(h) | Event::InlineHtml(h) => {
                let generated = pre
                    .generated
                    .get(line_of(range.start))
                    .copied()
                    .unwrap_or(false);
                if generated {
                    Event::Html(h)
                } else if raw == RawHtml::Escape {
                    Event::Text(h)
                } else {
                    user_html = true;
                    Event::Html(h)
                }
            }
            Event::Start(Tag::Link {
                link_type,
                dest_url,
                title,
                id,
            }) => {
                out.targets.push(Target {
                    url: dest_url.to_string(),
                    line: src_line,
                    image: false,
                });
                Event::Start(Tag::Link {
                    link_type,
                    dest_url: CowStr::from(rewrite(&dest_url, false)),
                    title,
                    id,
                })
            }
            Event::Start(Tag::Image {
                link_type,
                dest_url,
                title,
                id,
            }) => {
                out.targets.push(Target {
                    url: dest_url.to_string(),
                    line: src_line,
                    image: true,
                });
                Event::Start(Tag::Image {
                    link_type,
                    dest_url: CowStr::from(rewrite(&dest_url, true)),
                    title,
                    id,
                })
            }
            e => e,
        };
        if let Some((_, text)) = &mut code {
            match event {
                Event::Text(t) => text.push_str(&t),
                Event::End(TagEnd::CodeBlock) => {
                    let (lang, text) = code.take().unwrap_or_default();
                    if lang == "mermaid" {
                        out.mermaid = true;
                        let html = format!("<pre class=\"mermaid\">{}</pre>\n", escape(&text));
                        events.push(Event::Html(html.into()));
                    } else {
                        // Highlighted when the page is written ([`finish`]):
                        // `check` needs the headings and links, not colours.
                        let marker = format!("{MARK_OPEN}{}{MARK_CLOSE}", out.blocks.len());
                        out.blocks.push((lang, text));
                        events.push(Event::Html(marker.into()));
                    }
                }
                _ => {}
            }
            continue;
        }
        if let Some((_, _, inner)) = &mut heading {
            if let Event::End(TagEnd::Heading(_)) = event {
                let (level, given, inner) =
                    heading
                        .take()
                        .unwrap_or((HeadingLevel::H1, None, Vec::new()));
                let text = plain(&inner);
                let base = given.unwrap_or_else(|| slug(&text));
                let id = unique(&mut ids, base);
                let mut body = String::new();
                pulldown_cmark::html::push_html(&mut body, inner.into_iter());
                let n = level as u8;
                events.push(Event::Html(
                    format!(
                        "<h{n} id=\"{id}\">{body}<a class=\"anchor\" href=\"#{id}\" aria-hidden=\"true\">#</a></h{n}>\n",
                        id = escape(&id)
                    )
                    .into(),
                ));
                out.headings.push(Heading { level: n, id, text });
            } else {
                inner.push(event);
            }
            continue;
        }
        match event {
            Event::Start(Tag::Heading { level, id, .. }) => {
                heading = Some((level, id.map(|i| i.to_string()), Vec::new()));
            }
            Event::Start(Tag::CodeBlock(kind)) => {
                let lang = match kind {
                    CodeBlockKind::Fenced(info) => info
                        .split(|c: char| c.is_whitespace() || c == '{' || c == ',')
                        .next()
                        .unwrap_or("")
                        .trim_start_matches('.')
                        .to_ascii_lowercase(),
                    CodeBlockKind::Indented => String::new(),
                };
                code = Some((lang, String::new()));
            }
            e => events.push(e),
        }
    }
    let mut html = String::with_capacity(text.len() * 3 / 2);
    pulldown_cmark::html::push_html(&mut html, events.into_iter());
    out.html = if user_html { sanitize(&html) } else { html };
    out
}

/// The text of a markdown title (a nav entry or a page's first heading)
/// without markup.
fn plain(events: &[Event]) -> String {
    let mut s = String::new();
    for e in events {
        match e {
            Event::Text(t) | Event::Code(t) => s.push_str(t),
            Event::SoftBreak | Event::HardBreak => s.push(' '),
            _ => {}
        }
    }
    s.trim().to_owned()
}

/// MkDocs' (python-markdown toc) id: lowercase words joined by `-`.
pub fn slug(text: &str) -> String {
    let mut s = String::with_capacity(text.len());
    for c in text.trim().chars().flat_map(char::to_lowercase) {
        if c.is_alphanumeric() || c == '_' || c == '-' {
            s.push(c);
        } else if c.is_whitespace() && !s.ends_with('-') {
            s.push('-');
        }
    }
    let s = s.trim_matches('-').to_owned();
    if s.is_empty() {
        "section".to_owned()
    } else {
        s
    }
}

/// `base`, or `base_1`, `base_2`… for its repeats, as MkDocs numbers them.
fn unique(ids: &mut HashMap<String, usize>, base: String) -> String {
    let mut id = base.clone();
    while let Some(n) = ids.get_mut(&id) {
        *n += 1;
        id = format!("{base}_{n}");
    }
    ids.insert(id.clone(), 0);
    id
}

pub use crate::highlight::escape;

/// Byte offset of each line's start.
fn line_starts(text: &str) -> Vec<usize> {
    std::iter::once(0)
        .chain(text.match_indices('\n').map(|(i, _)| i + 1))
        .collect()
}

struct Pre {
    text: String,
    /// The author's line (1-based) of each rewritten line.
    lines: Vec<u32>,
    /// Whether each rewritten line is a wrapper this module wrote.
    generated: Vec<bool>,
}

impl Pre {
    fn push(&mut self, line: &str, src: u32, generated: bool) {
        self.text.push_str(line);
        self.text.push('\n');
        self.lines.push(src);
        self.generated.push(generated);
    }
}

/// Rewrites admonitions and tabs into wrapper lines, drops `[TOC]` and
/// attribute-list lines (`{: .class }`), leaving fenced code alone.
fn preprocess(text: &str) -> Pre {
    let lines: Vec<(u32, &str)> = text
        .lines()
        .enumerate()
        .map(|(i, l)| (u32::try_from(i + 1).unwrap_or(u32::MAX), l))
        .collect();
    let mut pre = Pre {
        text: String::with_capacity(text.len() + 64),
        lines: Vec::with_capacity(lines.len()),
        generated: Vec::with_capacity(lines.len()),
    };
    block(&lines, &mut pre, 0);
    pre
}

/// The deepest nesting of admonitions and tabs rewritten; deeper ones stay text.
const MAX_NESTING: usize = 16;

fn block(lines: &[(u32, &str)], pre: &mut Pre, depth: usize) {
    let mut i = 0;
    let mut fence: Option<&str> = None;
    while i < lines.len() {
        let (n, line) = lines[i];
        if let Some(f) = fence {
            pre.push(line, n, false);
            if line.trim_start().starts_with(f) {
                fence = None;
            }
            i += 1;
            continue;
        }
        if let Some(f) = fence_of(line) {
            fence = Some(f);
            pre.push(line, n, false);
            i += 1;
            continue;
        }
        let t = line.trim();
        if t == "[TOC]" || (t.starts_with("{:") && t.ends_with('}')) {
            i += 1;
            continue;
        }
        if depth < MAX_NESTING {
            if let Some(adm) = admonition(line) {
                let end = body_end(lines, i + 1);
                let open = match adm.collapse {
                    None => format!("<div class=\"admonition {}\">", adm.classes),
                    Some(open) => format!(
                        "<details class=\"admonition {}\"{}>",
                        adm.classes,
                        if open { " open" } else { "" }
                    ),
                };
                let title = match (&adm.title, adm.collapse) {
                    (Some(t), None) if t.is_empty() => String::new(),
                    (Some(t), None) => format!("<p class=\"admonition-title\">{}</p>", escape(t)),
                    (None, None) => format!(
                        "<p class=\"admonition-title\">{}</p>",
                        escape(&capitalized(&adm.kind))
                    ),
                    (t, Some(_)) => format!(
                        "<summary>{}</summary>",
                        escape(t.as_deref().unwrap_or(&capitalized(&adm.kind)))
                    ),
                };
                pre.push("", n, true);
                pre.push(&format!("{open}{title}"), n, true);
                pre.push("", n, true);
                block(&dedent(&lines[i + 1..end]), pre, depth + 1);
                pre.push("", n, true);
                pre.push(
                    if adm.collapse.is_some() {
                        "</details>"
                    } else {
                        "</div>"
                    },
                    n,
                    true,
                );
                pre.push("", n, true);
                i = end;
                continue;
            }
            if tab_label(line).is_some() {
                pre.push("", n, true);
                pre.push("<div class=\"tabbed-set\">", n, true);
                pre.push("", n, true);
                while let Some(label) = lines.get(i).and_then(|(_, l)| tab_label(l)) {
                    let n = lines[i].0;
                    let end = body_end(lines, i + 1);
                    pre.push(
                        &format!(
                            "<section class=\"tabbed-block\"><p class=\"tabbed-label\">{}</p>",
                            escape(&label)
                        ),
                        n,
                        true,
                    );
                    pre.push("", n, true);
                    block(&dedent(&lines[i + 1..end]), pre, depth + 1);
                    pre.push("", n, true);
                    pre.push("</section>", n, true);
                    pre.push("", n, true);
                    // Tabs separated by blank lines belong to one set.
                    let mut next = end;
                    while lines.get(next).is_some_and(|(_, l)| l.trim().is_empty()) {
                        next += 1;
                    }
                    if lines.get(next).is_some_and(|(_, l)| tab_label(l).is_some()) {
                        i = next;
                    } else {
                        i = end;
                        break;
                    }
                }
                pre.push("</div>", n, true);
                pre.push("", n, true);
                continue;
            }
        }
        pre.push(strip_attr_list(line), n, false);
        i += 1;
    }
}

/// A line that opens an admonition.
struct Admonition {
    kind: String,
    /// The kind and any further words, as CSS classes.
    classes: String,
    /// `Some("")` for an explicit empty title.
    title: Option<String>,
    /// `None`: always open; `Some(open)`: collapsible.
    collapse: Option<bool>,
}

fn admonition(line: &str) -> Option<Admonition> {
    let (collapse, rest) = if let Some(r) = line.strip_prefix("!!! ") {
        (None, r)
    } else if let Some(r) = line.strip_prefix("???+ ") {
        (Some(true), r)
    } else if let Some(r) = line.strip_prefix("??? ") {
        (Some(false), r)
    } else {
        return None;
    };
    let (words, title) = match rest.find('"') {
        Some(q) => {
            let t = rest[q + 1..].trim_end();
            (
                &rest[..q],
                Some(t.strip_suffix('"').unwrap_or(t).to_owned()),
            )
        }
        None => (rest, None),
    };
    let classes: Vec<String> = words
        .split_whitespace()
        .map(|w| {
            w.chars()
                .filter(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
                .collect::<String>()
                .to_ascii_lowercase()
        })
        .filter(|w| !w.is_empty())
        .collect();
    let kind = classes.first()?.clone();
    Some(Admonition {
        kind,
        classes: classes.join(" "),
        title,
        collapse,
    })
}

fn capitalized(s: &str) -> String {
    let mut c = s.chars();
    c.next()
        .map(|f| f.to_uppercase().chain(c).collect())
        .unwrap_or_default()
}

/// `=== "Label"` (also `===! ` and `===+ `).
fn tab_label(line: &str) -> Option<String> {
    let rest = line
        .strip_prefix("=== ")
        .or_else(|| line.strip_prefix("===! "))
        .or_else(|| line.strip_prefix("===+ "))?
        .trim();
    let label = rest.strip_prefix('"')?.strip_suffix('"')?;
    Some(label.to_owned())
}

/// Where the indented body starting at `from` ends: at the first line
/// that is neither blank nor indented, trailing blank lines left out.
fn body_end(lines: &[(u32, &str)], from: usize) -> usize {
    let mut end = from;
    let mut last = from;
    while let Some((_, l)) = lines.get(end) {
        if l.trim().is_empty() {
            end += 1;
        } else if l.starts_with("    ") || l.starts_with('\t') {
            end += 1;
            last = end;
        } else {
            break;
        }
    }
    last
}

fn dedent<'a>(lines: &[(u32, &'a str)]) -> Vec<(u32, &'a str)> {
    lines
        .iter()
        .map(|&(n, l)| {
            let l = l
                .strip_prefix("    ")
                .or_else(|| l.strip_prefix('\t'))
                .unwrap_or_else(|| l.trim_start());
            (n, l)
        })
        .collect()
}

/// A line without a trailing attribute list (`text {: .class }`).
fn strip_attr_list(line: &str) -> &str {
    let t = line.trim_end();
    if t.ends_with('}')
        && let Some(i) = t.rfind("{:")
    {
        return t[..i].trim_end();
    }
    line
}

fn fence_of(line: &str) -> Option<&'static str> {
    let t = line.trim_start();
    ["```", "~~~"].into_iter().find(|f| t.starts_with(f))
}

/// A fenced block highlighted with classes ([`crate::highlight`]), or
/// escaped when the language is unknown.
fn highlight(lang: &str, code: &str, enabled: bool) -> String {
    crate::highlight::code_block(lang, code, enabled, MAX_HIGHLIGHT_BYTES)
}

/// A code block longer than this is shown unhighlighted: highlighting
/// runs regexes per line and a huge generated block must not stall a build.
const MAX_HIGHLIGHT_BYTES: usize = 256 * 1024;

/// Keeps safe markup only: no script, style, frame, form or handler, no
/// `javascript:` URL.
fn sanitize(html: &str) -> String {
    static CLEANER: OnceLock<ammonia::Builder<'static>> = OnceLock::new();
    CLEANER
        .get_or_init(|| {
            let mut b = ammonia::Builder::default();
            b.add_tags([
                "details",
                "summary",
                "section",
                "input",
                "figure",
                "figcaption",
                "mark",
                "kbd",
            ]);
            b.add_generic_attributes(["class", "id", "align"]);
            b.add_tag_attributes("input", ["type", "checked", "disabled"]);
            b.add_tag_attributes("details", ["open"]);
            b.link_rel(Some("noopener noreferrer"));
            b
        })
        .clean(html)
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn html(md: &str) -> String {
        let r = render(md, Settings::default(), &|u, _| u.to_owned());
        finish(&r.html, &r.blocks, true)
    }

    #[test]
    fn gfm_features_render() {
        let h = html(
            "| a | b |\n|---|---|\n| 1 | 2 |\n\n- [x] done\n- [ ] todo\n\n~~old~~ new[^n]\n\n[^n]: note\n",
        );
        assert!(h.contains("<table>") && h.contains("<td>1</td>"), "{h}");
        assert!(h.contains("type=\"checkbox\" checked=\"\""), "{h}");
        assert!(h.contains("<del>old</del>"), "{h}");
        assert!(h.contains("footnote-definition"), "{h}");
    }

    #[test]
    fn headings_get_stable_deduplicated_ids_and_a_toc() {
        let r = render(
            "# Title\n\n## Set up\n\n## Set up\n\n### Custom {#mine}\n",
            Settings::default(),
            &|u, _| u.to_owned(),
        );
        let ids: Vec<&str> = r.headings.iter().map(|h| h.id.as_str()).collect();
        assert_eq!(ids, ["title", "set-up", "set-up_1", "mine"]);
        assert!(
            r.html
                .contains("<h2 id=\"set-up_1\">Set up<a class=\"anchor\" href=\"#set-up_1\"")
        );
    }

    #[test]
    fn admonitions_collapsible_ones_and_tabs() {
        let h = html(
            "!!! note \"Read <me>\"\n    Body *em*\n\n??? tip\n    Hidden\n\n???+ danger \"Open\"\n    Shown\n\n=== \"One\"\n\n    first\n\n=== \"Two\"\n\n    second\n\nafter\n",
        );
        assert!(
            h.contains(
                "<div class=\"admonition note\"><p class=\"admonition-title\">Read &lt;me&gt;</p>"
            ),
            "{h}"
        );
        assert!(h.contains("<p>Body <em>em</em></p>"), "{h}");
        assert!(
            h.contains("<details class=\"admonition tip\"><summary>Tip</summary>"),
            "{h}"
        );
        assert!(
            h.contains("<details class=\"admonition danger\" open><summary>Open</summary>"),
            "{h}"
        );
        assert_eq!(h.matches("class=\"tabbed-set\"").count(), 1, "{h}");
        assert!(
            h.contains("<p class=\"tabbed-label\">One</p>") && h.contains("<p>second</p>"),
            "{h}"
        );
        assert!(h.contains("<p>after</p>"), "{h}");
    }

    #[test]
    fn toc_markers_and_attribute_lists_degrade_to_nothing() {
        let h = html("[TOC]\n\nText {: .big }\n\n{: #id }\n\nMore\n");
        assert!(!h.contains("TOC") && !h.contains("{:"), "{h}");
        assert!(
            h.contains("<p>Text</p>") && h.contains("<p>More</p>"),
            "{h}"
        );
    }

    #[test]
    fn admonition_syntax_inside_code_stays_code() {
        let h = html("```text\n!!! note\n    not an admonition\n```\n");
        assert!(!h.contains("class=\"admonition"), "{h}");
        assert!(h.contains("!!! note"), "{h}");
    }

    #[test]
    fn code_is_highlighted_with_classes_and_mermaid_is_marked() {
        let r = render(
            "```rust\nfn main() {}\n```\n\n```mermaid\ngraph TD; A-->B\n```\n\n```nosuchlang\n<x>\n```\n",
            Settings::default(),
            &|u, _| u.to_owned(),
        );
        let html = finish(&r.html, &r.blocks, true);
        assert!(html.contains("<span class=\"hl-"), "{html}");
        assert!(!html.contains("style="), "{html}");
        assert!(r.mermaid);
        assert!(
            html.contains("<pre class=\"mermaid\">graph TD; A--&gt;B"),
            "{html}"
        );
        assert!(
            html.contains("<code class=\"language-nosuchlang\">&lt;x&gt;"),
            "{html}"
        );
        let plain = finish(&r.html, &r.blocks, false);
        assert!(
            plain.contains("<code class=\"language-rust\">fn main() {}"),
            "{plain}"
        );
    }

    #[test]
    fn plantuml_and_other_diagram_fences_show_as_source() {
        let r = render(
            "```plantuml\n@startuml\nAlice -> Bob: <hi>\n@enduml\n```\n\n```dot\ndigraph { a -> b }\n```\n\n```graphql\ntype Q { a: ID }\n```\n",
            Settings::default(),
            &|u, _| u.to_owned(),
        );
        assert!(!r.mermaid);
        let h = finish(&r.html, &r.blocks, true);
        // No grammar for PlantUML: escaped plain source.
        assert!(
            h.contains("<pre><code class=\"language-plantuml\">@startuml\nAlice -&gt; Bob: &lt;hi&gt;\n@enduml\n</code></pre>"),
            "{h}"
        );
        // Graphviz is in syntect's set and GraphQL is bundled: highlighted.
        assert!(
            h.contains("<pre class=\"highlight\"><code class=\"language-dot\"><span class=\"hl-source hl-dot\">"),
            "{h}"
        );
        assert!(
            h.contains("<span class=\"hl-keyword hl-other hl-graphql\">type</span>"),
            "{h}"
        );
        assert!(!h.contains("class=\"mermaid\""), "{h}");
    }

    #[test]
    fn code_markers_cannot_be_forged() {
        let h = html("![\u{E000}0\u{E001}](x.png)\n\n```rust\nfn f() {}\n```\n");
        assert_eq!(h.matches("<pre").count(), 1, "{h}");
        assert!(h.contains("alt=\"\u{FFFD}0\u{FFFD}\""), "{h}");
    }

    #[test]
    fn hostile_html_is_inert() {
        let md = "<script>alert(1)</script>\n\n<img src=x onerror=\"alert(2)\">\n\n<a href=\"javascript:alert(3)\">x</a>\n\n<iframe src=\"https://evil.example\"></iframe>\n\n[md](javascript:alert(4))\n\n<div onclick=\"alert(5)\" class=\"ok\">kept</div>\n\n<style>body{display:none}</style>\n\n<svg><script>alert(6)</script></svg>\n\n<form action=\"https://evil.example\"><input name=p></form>\n";
        let h = html(md);
        let lower = h.to_ascii_lowercase();
        for bad in [
            "<script",
            "onerror",
            "onclick",
            "javascript:",
            "<iframe",
            "<style",
            "<form",
        ] {
            assert!(!lower.contains(bad), "`{bad}` survived: {h}");
        }
        assert!(h.contains("kept"), "{h}");
    }

    #[test]
    fn raw_html_can_be_escaped_entirely() {
        let r = render(
            "<b>x</b>\n",
            Settings {
                raw: RawHtml::Escape,
                highlight: true,
            },
            &|u, _| u.to_owned(),
        );
        assert!(r.html.contains("&lt;b&gt;"), "{}", r.html);
    }

    #[test]
    fn targets_carry_the_authors_line_through_rewritten_blocks() {
        let r = render(
            "# T\n\n!!! note\n    see [a](a.md)\n\n=== \"x\"\n\n    ![i](i.png)\n",
            Settings::default(),
            &|u, _| format!("R-{u}"),
        );
        let got: Vec<(&str, u32, bool)> = r
            .targets
            .iter()
            .map(|t| (t.url.as_str(), t.line, t.image))
            .collect();
        assert_eq!(got, [("a.md", 4, false), ("i.png", 8, true)]);
        assert!(r.html.contains("href=\"R-a.md\"") && r.html.contains("src=\"R-i.png\""));
    }

    #[test]
    fn a_long_page_renders_in_bounded_time() {
        let section = "## Section\n\nSome *text* with a [link](other.md#x) and `code`.\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n!!! note\n    An admonition.\n\n```python\ndef f(x):\n    return x + 1\n```\n\n";
        // 1 MB must render in 100 ms in release builds (bench/docs_bench.rs
        // measures it); an unoptimized build is ~40× slower, so it renders
        // 128 KB with a generous bound that still catches a quadratic step.
        let (bytes, limit_ms) = if cfg!(debug_assertions) {
            (128 * 1024, 8_000)
        } else {
            (1024 * 1024, 1_000)
        };
        let md = section.repeat(bytes / section.len() + 1);
        let _warm = render(section, Settings::default(), &|u, _| u.to_owned());
        let started = std::time::Instant::now();
        let r = render(&md, Settings::default(), &|u, _| u.to_owned());
        let html = finish(&r.html, &r.blocks, true);
        let took = started.elapsed();
        assert!(html.contains("hl-"));
        assert_eq!(r.headings.len(), bytes / section.len() + 1);
        assert_eq!(
            r.headings.last().map(|h| h.id.as_str()),
            Some(format!("section_{}", r.headings.len() - 1).as_str())
        );
        assert!(took.as_millis() < limit_ms, "took {took:?}");
    }
}
