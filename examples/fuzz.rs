//! A small, coverage-free mutation fuzzer for the two parsers that read
//! untrusted text with the most freedom: the YAML loader (catalog files,
//! `waivers.yaml`) and the `# METADATA` parser of policies.
//!
//!     cargo run --release --example fuzz -- TARGET SECONDS [SEED]
//!     cargo run --release --example fuzz -- TARGET replay SEED ITERATION
//!     cargo run --release --example fuzz -- TARGET run FILE...
//!
//! TARGET is `yaml` or `metadata`. Inputs are the files of
//! `fuzz/corpus/TARGET/`, mutated byte-wise, with YAML and Rego tokens from
//! a dictionary, by splicing two inputs, and by repeating a slice many times
//! (which finds quadratic paths and budget holes). It prints executions per
//! second, the slowest input's time, and every failure: a panic, or one
//! input that takes longer than a second on each of three tries. Each input is a function of the
//! seed and the iteration number alone, so when the process itself dies
//! (an abort or a stack overflow cannot be caught), `replay` runs again from
//! the last iteration it reported and leaves the input that kills it in
//! `fuzz/crash-TARGET-SEED`.
//!
//! cargo-fuzz and libFuzzer need a nightly compiler (for the coverage
//! instrumentation), and on stable `bolero` falls back to the same kind of
//! random, coverage-free generation, so this loop uses no fuzzing crate:
//! it runs on stable, in CI or in `bench/fuzz.sh`, with a fixed time box.

use std::panic::{self, AssertUnwindSafe};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// Inputs stay small: budgets are per byte, so size adds nothing but time.
const MAX_LEN: usize = 64 * 1024;
/// One input slower than this is a finding.
const SLOW: Duration = Duration::from_secs(1);

const DICTIONARY: &[&str] = &[
    "&a ",
    "*a",
    "&b ",
    "*b",
    "<<: ",
    "<<: *a\n",
    "- ",
    ": ",
    "? ",
    "{",
    "}",
    "[",
    "]",
    ", ",
    "---\n",
    "...\n",
    "!!str ",
    "!!map ",
    "!!binary ",
    "!custom ",
    "|\n",
    "|-\n",
    ">+\n",
    "\"",
    "'",
    "\\u0000",
    "# ",
    "\n",
    "\n  ",
    "\n    ",
    "\t",
    "%YAML 1.2\n",
    "%TAG ! tag:x,2000:\n",
    "\u{feff}",
    "\0",
    "\r\n",
    "~",
    "null",
    "true",
    "0x1F",
    "0o17",
    "-.inf",
    ".nan",
    "1e309",
    "-0",
    "9223372036854775808",
    "apiVersion: backstage.io/v1alpha1\n",
    "kind: Component\n",
    "metadata:\n  name: x\n",
    "spec:\n",
    "$text: ./x\n",
    "# METADATA\n",
    "# title: T\n",
    "# custom:\n#   level: gold\n",
    "package p\n",
    "import rego.v1\n",
    "deny contains msg if {\n",
    "}\n",
    "\u{202e}",
    "é",
    "😀",
];

/// SplitMix64: a tiny seeded generator, so that an input can be rebuilt
/// from (seed, iteration).
struct Rng(u64);

impl Rng {
    fn new(seed: u64, iteration: u64) -> Self {
        let mut r = Rng(seed ^ iteration.wrapping_mul(0x9E37_79B9_7F4A_7C15));
        r.next();
        r
    }
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    /// A number in `0..n` (`n > 0`).
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

fn mutate(input: &mut Vec<u8>, corpus: &[Vec<u8>], rng: &mut Rng) {
    let rounds = 1 + rng.below(8);
    for _ in 0..rounds {
        let len = input.len();
        let at = rng.below(len + 1);
        match rng.below(9) {
            0 if len > 0 => input[at.min(len - 1)] ^= 1 << rng.below(8),
            1 => input.insert(at, rng.below(256) as u8),
            2 if len > 0 => {
                let end = (at + 1 + rng.below(16)).min(len);
                input.drain(at.min(len)..end);
            }
            3 | 4 => {
                let token = DICTIONARY[rng.below(DICTIONARY.len())].as_bytes();
                input.splice(at..at, token.iter().copied());
            }
            5 => {
                // Splice in a slice of another input.
                let other = &corpus[rng.below(corpus.len())];
                let from = rng.below(other.len());
                let to = (from + rng.below(256)).min(other.len());
                input.splice(at..at, other[from..to].iter().copied());
            }
            6 if len > 0 => {
                // Repeat a slice many times: long mappings, deep nesting,
                // many aliases.
                let from = at.min(len - 1);
                let to = (from + 1 + rng.below(32)).min(len);
                let chunk = input[from..to].to_vec();
                let times = 1 + rng.below(2_000);
                for _ in 0..times {
                    if input.len() + chunk.len() > MAX_LEN {
                        break;
                    }
                    input.splice(to..to, chunk.iter().copied());
                }
            }
            7 if len > 1 => {
                // Swap two lines' order by rotating a range.
                let a = rng.below(len);
                let b = rng.below(len);
                let (a, b) = (a.min(b), a.max(b));
                if b > a {
                    input[a..b].rotate_left(rng.below(b - a));
                }
            }
            _ => {
                let token = DICTIONARY[rng.below(DICTIONARY.len())].as_bytes();
                input.extend_from_slice(token);
            }
        }
    }
    input.truncate(MAX_LEN);
}

fn input_for(corpus: &[Vec<u8>], seed: u64, iteration: u64) -> String {
    let mut rng = Rng::new(seed, iteration);
    let mut input = corpus[rng.below(corpus.len())].clone();
    mutate(&mut input, corpus, &mut rng);
    String::from_utf8_lossy(&input).into_owned()
}

/// Runs one input through a target. What it returns is only kept alive so
/// that nothing is optimized away.
fn run(target: &str, text: &str) -> usize {
    match target {
        "yaml" => {
            use portolan::catalog::{parse, schema};
            let mut n = 0;
            if let parse::Parsed::Docs(docs) = parse::parse_text("fuzz.yaml", text) {
                for doc in docs {
                    n += doc.to_json().to_string().len();
                    let mut diags = Vec::new();
                    if schema::is_entity_candidate(&doc) {
                        n += usize::from(schema::to_entity(doc, "fuzz.yaml", &mut diags).is_some());
                    }
                    n += diags.len();
                }
            }
            n
        }
        "metadata" => {
            let (annotations, diags) = portolan::scorecard::metadata::parse("fuzz.rego", text);
            annotations.len() + diags.len()
        }
        other => {
            eprintln!("unknown target `{other}`: use `yaml` or `metadata`");
            std::process::exit(2);
        }
    }
}

fn corpus(target: &str) -> Vec<Vec<u8>> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fuzz/corpus")
        .join(target);
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.expect("corpus entry").path())
        .collect();
    files.sort();
    let out: Vec<Vec<u8>> = files
        .iter()
        .map(|p| std::fs::read(p).expect("corpus file"))
        .collect();
    assert!(!out.is_empty(), "{} is empty", dir.display());
    out
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let usage = "usage: fuzz TARGET SECONDS [SEED] | fuzz TARGET replay SEED ITERATION | fuzz TARGET run FILE...";
    let target = args.first().expect(usage).clone();
    let corpus = corpus(&target);
    if args.get(1).map(String::as_str) == Some("run") {
        // Runs saved inputs (findings) and prints how long each took.
        for file in &args[2..] {
            let text =
                String::from_utf8_lossy(&std::fs::read(file).expect("read input")).into_owned();
            let t = Instant::now();
            run(&target, &text);
            println!("{file}: {:?}", t.elapsed());
        }
        return;
    }
    if args.get(1).map(String::as_str) == Some("replay") {
        // From ITERATION on (the last one a run reported), each input is
        // written out before it runs: when the process dies, the file holds
        // the input that killed it.
        let seed: u64 = args.get(2).and_then(|s| s.parse().ok()).expect(usage);
        let from: u64 = args.get(3).and_then(|s| s.parse().ok()).expect(usage);
        let path =
            Path::new(env!("CARGO_MANIFEST_DIR")).join(format!("fuzz/crash-{target}-{seed}"));
        for iteration in from..from + 1_000_000 {
            let text = input_for(&corpus, seed, iteration);
            std::fs::write(&path, &text).expect("write input");
            run(&target, &text);
        }
        std::fs::remove_file(&path).expect("remove input");
        eprintln!("no crash in 1,000,000 iterations from {from}");
        return;
    }
    let seconds: u64 = args.get(1).and_then(|s| s.parse().ok()).expect(usage);
    let seed: u64 = args
        .get(2)
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| u64::from(std::process::id()));
    // Panics are findings, reported below; the default hook would print a
    // backtrace per panic.
    panic::set_hook(Box::new(|_| {}));
    let started = Instant::now();
    let deadline = Duration::from_secs(seconds);
    let (mut execs, mut findings, mut slowest) = (0u64, 0u64, (Duration::ZERO, 0u64));
    let mut last_report = Instant::now();
    while started.elapsed() < deadline {
        let text = input_for(&corpus, seed, execs);
        let t = Instant::now();
        let outcome = panic::catch_unwind(AssertUnwindSafe(|| run(&target, &text)));
        let mut took = t.elapsed();
        if outcome.is_ok() && took > SLOW {
            // The machine is shared: a stall is not a finding unless the
            // input is slow every time.
            for _ in 0..2 {
                let t = Instant::now();
                let _ = panic::catch_unwind(AssertUnwindSafe(|| run(&target, &text)));
                took = took.min(t.elapsed());
            }
        }
        if took > slowest.0 {
            slowest = (took, execs);
        }
        if outcome.is_err() || took > SLOW {
            findings += 1;
            let kind = if outcome.is_err() { "panic" } else { "slow" };
            let path = Path::new(env!("CARGO_MANIFEST_DIR"))
                .join(format!("fuzz/crash-{target}-{seed}-{execs}"));
            let _ = std::fs::write(&path, &text);
            println!("FINDING {kind} ({took:?}): {}", path.display());
        }
        execs += 1;
        if last_report.elapsed() > Duration::from_secs(10) {
            // The last iteration reached, so that an abort can be replayed.
            eprintln!("progress: seed {seed}, iteration {execs}");
            last_report = Instant::now();
        }
    }
    let secs = started.elapsed().as_secs_f64();
    println!(
        "target {target}: seed {seed}, {execs} executions in {secs:.0} s = {:.0} execs/s; slowest {:?} (iteration {}); findings: {findings}",
        execs as f64 / secs,
        slowest.0,
        slowest.1
    );
    if findings > 0 {
        std::process::exit(1);
    }
}
