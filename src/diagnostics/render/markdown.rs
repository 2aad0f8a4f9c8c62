//! A Markdown summary for a pull-request comment or `$GITHUB_STEP_SUMMARY`.

use super::{Report, is_check_failure};
use crate::diagnostics::{Diagnostic, Severity};
use std::fmt::Write;

/// Rows beyond this are summarised: a PR comment has a size limit.
const MAX_ROWS: usize = 200;

/// Text for a table cell, with nothing in it active: Markdown's link,
/// image, emphasis and code characters and the backslash are escaped,
/// `<`, `>` and `&` are entities (no HTML, no `<autolink>`), `://` and
/// `www.` cannot start a bare link, `|` cannot end the cell, a newline is
/// a `<br>`, and other control and invisible characters are shown as
/// escapes ([`crate::escape::terminal`]).
pub fn text(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 8);
    let mut rest = s;
    while let Some(c) = rest.chars().next() {
        let n = c.len_utf8();
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '\\' | '`' | '*' | '_' | '~' | '[' | ']' | '|' => {
                out.push('\\');
                out.push(c);
            }
            ':' if rest.starts_with("://") => out.push_str("\\:"),
            'w' | 'W'
                if rest
                    .get(..4)
                    .is_some_and(|w| w.eq_ignore_ascii_case("www.")) =>
            {
                out.push_str(&rest[..3]);
                out.push_str("\\.");
                rest = &rest[4..];
                continue;
            }
            '\r' => {}
            '\n' => out.push_str("<br>"),
            _ => out.push_str(&crate::escape::terminal(&rest[..n])),
        }
        rest = &rest[n..];
    }
    out
}

/// A code span for a table cell that shows `s` exactly: fenced with more
/// backticks than any run inside it, padded when it starts or ends with a
/// backtick, `|` escaped for the table, and control and invisible
/// characters (a newline included) shown as escapes.
pub fn code(s: &str) -> String {
    let body = crate::escape::terminal(s).replace('|', "\\|");
    let mut longest = 0;
    let mut run = 0;
    for c in body.chars() {
        run = if c == '`' { run + 1 } else { 0 };
        longest = longest.max(run);
    }
    let fence = "`".repeat(longest + 1);
    let all_spaces = body.chars().all(|c| c == ' ');
    let pad = body.starts_with('`')
        || body.ends_with('`')
        || (!all_spaces && body.starts_with(' ') && body.ends_with(' '))
        || body.is_empty();
    let pad = if pad { " " } else { "" };
    format!("{fence}{pad}{body}{pad}{fence}")
}

/// A diagnostic message, help or title for a table cell. Messages quote
/// values in backticks (`` invalid reference `x` in `spec.owner` ``):
/// each backtick pair becomes a [`code`] span and the text between them
/// [`text`], so a value with a backtick of its own can move where a span
/// ends but never makes anything live.
pub fn cell(s: &str) -> String {
    let parts: Vec<&str> = s.split('`').collect();
    // An odd number of backticks leaves the last one unpaired: it is
    // shown as a backtick.
    let paired = if parts.len().is_multiple_of(2) {
        parts.len() - 1
    } else {
        parts.len()
    };
    let mut out = String::with_capacity(s.len() + 8);
    for (i, part) in parts[..paired].iter().enumerate() {
        if i % 2 == 0 {
            out.push_str(&text(part));
        } else {
            out.push_str(&code(part));
        }
    }
    if paired < parts.len() {
        out.push_str(&text(&format!("`{}", parts[paired])));
    }
    out
}

pub fn render(report: &Report) -> String {
    let (errors, _) = report.counts();
    let mut out = String::new();
    let icon = if errors > 0 {
        "❌"
    } else if report.fresh().next().is_none() {
        "✅"
    } else {
        "⚠️"
    };
    let _ = writeln!(
        out,
        "## {icon} Portolan catalog check: {}\n",
        report.summary()
    );
    let _ = writeln!(out, "Checked {}.\n", report.scope());
    if let Some(sc) = report.scorecards {
        out.push_str(&sc.markdown());
    }
    if report.baselined() > 0 {
        let _ = writeln!(
            out,
            "{} known problems are in `{}` and not listed.\n",
            report.baselined(),
            crate::diagnostics::baseline::FILE
        );
    }
    if let Some(note) = report.fixed_note() {
        let _ = writeln!(out, "🎉 {}.\n", cell(&note));
    }
    // The catalog's own problems first: failing scorecard checks can
    // number in the thousands and would push them past the row limit.
    let mut rows: Vec<&Diagnostic> = report.fresh().collect();
    rows.sort_by_key(|d| is_check_failure(d));
    if rows.is_empty() {
        return out;
    }
    out.push_str("| Severity | Code | Location | Problem |\n|---|---|---|---|\n");
    for d in rows.iter().take(MAX_ROWS) {
        let sev = match d.severity {
            Severity::Error => "❌ error",
            Severity::Warning => "⚠️ warning",
        };
        let loc = d.span.as_ref().map_or_else(String::new, |s| {
            code(&format!("{}:{}:{}", report.path(&s.file), s.line, s.column))
        });
        let mut problem = cell(&d.message);
        if let Some(h) = &d.help {
            let _ = write!(problem, "<br>*help:* {}", cell(h));
        }
        let _ = writeln!(
            out,
            "| {sev} | `{}` {} | {loc} | {problem} |",
            d.code.code(),
            d.code.slug()
        );
    }
    if rows.len() > MAX_ROWS {
        let _ = writeln!(
            out,
            "\n…and {} more. Run `portolan check --format json` for the full list.",
            rows.len() - MAX_ROWS
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::{cell, code, text};

    #[test]
    fn a_backtick_in_a_value_makes_nothing_live() {
        // The value `x`](https://evil) ![i](https://evil/i.png)` closes the
        // span the message opened; what follows is escaped text.
        assert_eq!(
            cell("invalid reference `x`](https://e.example) ![i](http://e.example/i.png) `y` here"),
            "invalid reference `x`\\](https\\://e.example) !\\[i\\](http\\://e.example/i.png) `y` here"
        );
        // An unpaired backtick is shown as one.
        assert_eq!(cell("a `b` c ` d"), "a `b` c \\` d");
        assert_eq!(
            text("<img src=x> & www.e.example | *b* _i_ ~s~ \\"),
            "&lt;img src=x&gt; &amp; www\\.e.example \\| \\*b\\* \\_i\\_ \\~s\\~ \\\\"
        );
        assert_eq!(
            text("line\r\n::error::x\u{1b}[2J"),
            "line<br>::error::x\\u{1b}\\[2J"
        );
    }

    #[test]
    fn code_spans_show_any_value_exactly() {
        assert_eq!(code("spec.owner"), "`spec.owner`");
        assert_eq!(code("a`b"), "``a`b``");
        assert_eq!(code("`x``"), "``` `x`` ```");
        assert_eq!(code(" x "), "`  x  `");
        assert_eq!(code("a|b\nc"), "`a\\|b\\nc`");
    }
}
