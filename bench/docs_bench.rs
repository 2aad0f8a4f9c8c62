//! Renders one markdown page of about 1 MB (headings, tables, admonitions,
//! links and highlighted code, the mix a long TechDocs page has) and
//! prints the time per render. Run with
//! `cargo run --release --example docs-bench [MB]`.

fn main() {
    let mb: usize = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(1);
    let section = "## Section\n\nSome *text* with a [link](other.md#x) and `code`, then a longer sentence so that prose dominates as it does in real pages.\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n!!! note \"Remember\"\n    An admonition with **bold** text.\n\n```python\ndef f(x):\n    return x + 1\n```\n\n";
    // `plain` as the second argument leaves the code unhighlighted.
    let section = if std::env::args().nth(2).as_deref() == Some("plain") {
        section.replace("```python", "```")
    } else {
        section.to_owned()
    };
    let md = section.repeat(mb * 1024 * 1024 / section.len() + 1);
    let rewrite = |u: &str, _: bool| u.to_owned();
    // The first render also loads the syntax definitions (once per build).
    let started = std::time::Instant::now();
    let full = |md: &str| {
        let r = portolan::facts::techdocs::markdown::render(md, Default::default(), &rewrite);
        let html = portolan::facts::techdocs::markdown::finish(&r.html, &r.blocks, true);
        (r, html)
    };
    let (first, first_html) = full(&md);
    let cold = started.elapsed();
    let runs = 5;
    let started = std::time::Instant::now();
    for _ in 0..runs {
        std::hint::black_box(portolan::facts::techdocs::markdown::render(
            &md,
            Default::default(),
            &rewrite,
        ));
    }
    let warm = started.elapsed() / runs;
    println!(
        "{:.2} MB markdown -> {:.2} MB HTML, {} headings: first render {:.1} ms (syntax sets loaded), then {:.1} ms per render",
        md.len() as f64 / 1e6,
        first_html.len() as f64 / 1e6,
        first.headings.len(),
        cold.as_secs_f64() * 1e3,
        warm.as_secs_f64() * 1e3
    );
}
