//! GitHub Actions workflow commands: each diagnostic becomes an annotation
//! on the exact file and line of the pull request.

use super::Report;
use crate::diagnostics::Severity;
use std::fmt::Write;

/// Escapes the message part of a workflow command.
fn data(s: &str) -> String {
    s.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// Escapes a property value (`file=`, `title=`), where `:` and `,` are separators.
fn property(s: &str) -> String {
    data(s).replace(':', "%3A").replace(',', "%2C")
}

pub fn render(report: &Report) -> String {
    let mut out = String::new();
    for d in report.diagnostics {
        let cmd = match d.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        let title = property(&format!("{} {}", d.code.code(), d.code.slug()));
        let mut msg = d.message.clone();
        if let Some(help) = &d.help {
            msg.push_str("\nhelp: ");
            msg.push_str(help);
        }
        match &d.span {
            Some(s) => {
                let _ = writeln!(
                    out,
                    "::{cmd} file={},line={},col={},title={title}::{}",
                    property(&report.path(&s.file)),
                    s.line,
                    s.column,
                    data(&msg)
                );
            }
            None => {
                let _ = writeln!(out, "::{cmd} title={title}::{}", data(&msg));
            }
        }
    }
    let _ = writeln!(
        out,
        "portolan check: {}: {}",
        report.scope(),
        report.summary()
    );
    out
}
