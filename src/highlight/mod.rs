//! Code highlighted at build time with syntect, for TechDocs code blocks
//! and the source of GraphQL and protobuf API definitions.
//!
//! The output carries classes only (`hl-keyword`, `hl-string`, …), never
//! inline styles: the portal's CSP allows no inline style, and the theme's
//! style.css colours the classes in light and dark. syntect's default
//! syntaxes have neither GraphQL nor Protocol Buffers, so two small
//! grammars are bundled here and kept in a second set, looked up after the
//! defaults. Everything the code contains is escaped: syntect escapes the
//! text it wraps in spans, and an unknown language is shown as plain
//! escaped text.

// The project's one HTML/XML escaper: it also shows NUL and bidi controls
// as visible markers, so a code block cannot hide what it says.
pub use crate::escape::xml as escape;
use std::fmt::Write as _;
use std::sync::OnceLock;
use syntect::parsing::{SyntaxDefinition, SyntaxReference, SyntaxSet, SyntaxSetBuilder};

/// The grammars syntect's default set lacks, as (name, text).
const EXTRA_SYNTAXES: &[(&str, &str)] = &[
    ("graphql", include_str!("graphql.sublime-syntax")),
    ("protobuf", include_str!("protobuf.sublime-syntax")),
];

fn defaults() -> &'static SyntaxSet {
    static SET: OnceLock<SyntaxSet> = OnceLock::new();
    SET.get_or_init(SyntaxSet::load_defaults_newlines)
}

fn extras() -> &'static SyntaxSet {
    static SET: OnceLock<SyntaxSet> = OnceLock::new();
    SET.get_or_init(|| {
        let mut builder = SyntaxSetBuilder::new();
        for (name, text) in EXTRA_SYNTAXES {
            // Built in, and tested (`the_bundled_grammars_load`): a
            // broken one would only lose its colours.
            if let Ok(def) = SyntaxDefinition::load_from_str(text, true, Some(name)) {
                builder.add(def);
            }
        }
        builder.build()
    })
}

/// The syntax for a fence's language token (`rust`, `proto`, `graphql`…)
/// and the set it belongs to.
fn syntax_for(lang: &str) -> Option<(&'static SyntaxReference, &'static SyntaxSet)> {
    [defaults(), extras()]
        .into_iter()
        .find_map(|set| set.find_syntax_by_token(lang).map(|s| (s, set)))
}

/// `code` as a `<pre>` block: highlighted with `hl-` classes when
/// `enabled`, the language is known and the code is at most `max_bytes`
/// long (highlighting runs regexes per line, and a huge generated block
/// must not stall a build); escaped plain text otherwise.
pub fn code_block(lang: &str, code: &str, enabled: bool, max_bytes: usize) -> String {
    use syntect::html::{ClassStyle, ClassedHTMLGenerator};
    use syntect::util::LinesWithEndings;
    let class = if lang.is_empty() {
        String::new()
    } else {
        format!(" class=\"language-{}\"", escape(lang))
    };
    let plain = || format!("<pre><code{class}>{}</code></pre>\n", escape(code));
    if !enabled || lang.is_empty() || code.len() > max_bytes {
        return plain();
    }
    let Some((syntax, set)) = syntax_for(lang) else {
        return plain();
    };
    let mut generator = ClassedHTMLGenerator::new_with_class_style(
        syntax,
        set,
        ClassStyle::SpacedPrefixed { prefix: "hl-" },
    );
    for line in LinesWithEndings::from(code) {
        if generator
            .parse_html_for_line_which_includes_newline(line)
            .is_err()
        {
            return plain();
        }
    }
    let mut out = String::with_capacity(code.len() * 2);
    let _ = writeln!(
        out,
        "<pre class=\"highlight\"><code{class}>{}</code></pre>",
        generator.finalize()
    );
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unhighlighted_code_shows_bidi_controls_instead_of_passing_them() {
        let html = code_block("nosuchlang", "ok = \"a\u{202e}b\" <x>", true, 1 << 20);
        assert!(
            html.contains("⟨U+202E⟩") && !html.contains('\u{202e}'),
            "{html}"
        );
        assert!(html.contains("&lt;x&gt;"), "{html}");
    }

    #[test]
    fn the_bundled_grammars_load() {
        for (name, text) in EXTRA_SYNTAXES {
            SyntaxDefinition::load_from_str(text, true, Some(name))
                .unwrap_or_else(|e| panic!("{name}: {e}"));
        }
        for token in ["graphql", "gql", "proto", "protobuf", "rust", "dot"] {
            assert!(syntax_for(token).is_some(), "{token}");
        }
        assert!(syntax_for("plantuml").is_none());
    }

    #[test]
    fn proto_and_graphql_get_classes_and_stay_escaped() {
        let proto = code_block(
            "proto",
            "syntax = \"proto3\";\n// <b>\nmessage A { repeated string s = 1; }\n",
            true,
            1 << 20,
        );
        for want in [
            "<span class=\"hl-keyword hl-other hl-proto\">message</span>",
            "<span class=\"hl-storage hl-type hl-proto\">string</span>",
            "&lt;b&gt;",
            "hl-comment",
            "hl-string",
        ] {
            assert!(proto.contains(want), "`{want}` in {proto}");
        }
        let sdl = code_block(
            "graphql",
            "\"\"\"Doc <x>\"\"\"\ntype Query { a(id: ID!): [A] @deprecated }\n# c\n",
            true,
            1 << 20,
        );
        for want in [
            "<span class=\"hl-keyword hl-other hl-graphql\">type</span>",
            "<span class=\"hl-support hl-type hl-builtin hl-graphql\">ID</span>",
            "hl-string",
            "hl-comment",
            "Doc &lt;x&gt;",
        ] {
            assert!(sdl.contains(want), "`{want}` in {sdl}");
        }
        assert!(!sdl.contains("style="), "{sdl}");
        // Off, too long or unknown: escaped plain text.
        for (lang, on, max) in [
            ("proto", false, 1 << 20),
            ("proto", true, 2),
            ("x", true, 99),
        ] {
            assert_eq!(
                code_block(lang, "<a>", on, max),
                format!("<pre><code class=\"language-{lang}\">&lt;a&gt;</code></pre>\n")
            );
        }
    }
}
