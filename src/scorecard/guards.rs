//! Guards in front of the regorus builtins that can take the process down.
//!
//! Some builtins allocate in proportion to an argument's *value*:
//! `numbers.range(0, 1e12)` asks for a trillion-element vector (the
//! allocation fails and the process aborts), `sprintf("%2000000000d", …)`
//! pads to 2 GB, and `concat`, `replace` or `json.marshal` can double a
//! value on every call (or serialise a value whose parts are shared many
//! times over, which is exponentially larger written out than in memory).
//! regorus looks up extensions before builtins, so each of these names is
//! registered as an extension that checks the arguments first and then
//! calls the real builtin. A call over a limit is an error that names the
//! limit; the check that made it reports `E0203` and the run goes on.

use regorus::unstable::{BUILTINS, Expr, Parser, Rule, RuleHead, Source, Span};
use regorus::{Engine, Value};
use std::sync::OnceLock;

/// Most elements a builtin may produce (`numbers.range`, `array.concat`, `walk`).
pub const MAX_ELEMENTS: u64 = 1_000_000;
/// Longest string a builtin may produce, in bytes.
pub const MAX_STRING_BYTES: u64 = 16 * 1024 * 1024;
/// Largest width or precision in a `sprintf` format.
pub const MAX_FORMAT_WIDTH: u64 = 10_000;

/// Every guard error contains this, so evaluation reports it as a limit
/// (`E0203`) rather than a policy bug (`E0202`).
pub const LIMIT_MARKER: &str = "over Portolan's policy limit";

type Check = fn(&[Value]) -> Result<(), String>;

/// (builtin, argument count, check before the call).
const GUARDED: &[(&str, u8, Check)] = &[
    ("numbers.range", 2, range),
    ("numbers.range_step", 3, range_step),
    ("sprintf", 2, sprintf),
    ("concat", 2, concat),
    ("replace", 3, replace),
    ("strings.replace_n", 2, replace_n),
    ("array.concat", 2, array_concat),
    ("json.marshal", 1, marshal),
    ("json.marshal_with_options", 2, marshal_with_options),
    ("yaml.marshal", 1, marshal),
    ("walk", 1, walk),
    // These grow their input by a bounded factor; the result check after
    // the call stops a chain of them from doubling without end.
    ("base64.encode", 1, none),
    ("base64url.encode", 1, none),
    ("base64url.encode_no_pad", 1, none),
    ("hex.encode", 1, none),
    ("urlquery.encode", 1, none),
    ("urlquery.encode_object", 1, marshal),
    ("upper", 1, none),
    ("lower", 1, none),
    ("strings.reverse", 1, none),
    ("format_int", 2, none),
];

/// Registers the guards on `engine`. Builtins this regorus build lacks are skipped.
pub fn install(engine: &mut Engine) -> anyhow::Result<()> {
    for &(name, nargs, check) in GUARDED {
        let Some(&(builtin, _)) = BUILTINS.get(name) else {
            continue;
        };
        engine.add_extension(
            name.to_owned(),
            nargs,
            Box::new(move |args: Vec<Value>| {
                check(&args).map_err(|e| anyhow::anyhow!("`{name}`: {e}"))?;
                let (span, params) = call_site()?;
                let out = builtin(span, &params[..args.len().min(params.len())], &args, true)
                    .map_err(|e| anyhow::anyhow!("{}", inner_message(&e.to_string())))?;
                result_fits(&out).map_err(|e| anyhow::anyhow!("`{name}`: {e}"))?;
                Ok(out)
            }),
        )?;
    }
    Ok(())
}

/// The builtins take the call's span and argument expressions for their
/// own error messages; the guards call them from one parsed placeholder.
fn call_site() -> anyhow::Result<&'static (Span, Vec<regorus::unstable::Ref<Expr>>)> {
    static SITE: OnceLock<Option<(Span, Vec<regorus::unstable::Ref<Expr>>)>> = OnceLock::new();
    SITE.get_or_init(|| {
        let text = "package portolan_guard\nx := f(a, b, c)\n".to_owned();
        let source = Source::from_contents("<builtin>".to_owned(), text).ok()?;
        let module = Parser::new(&source).ok()?.parse().ok()?;
        let rule = module.policy.first()?;
        let Rule::Spec {
            head:
                RuleHead::Compr {
                    assign: Some(assign),
                    ..
                },
            ..
        } = rule.as_ref()
        else {
            return None;
        };
        match assign.value.as_ref() {
            Expr::Call { span, params, .. } => Some((span.clone(), params.clone())),
            _ => None,
        }
    })
    .as_ref()
    .ok_or_else(|| anyhow::anyhow!("internal error: the builtin guard could not be set up"))
}

/// regorus errors carry a location and a source excerpt; the placeholder's
/// mean nothing to a policy author, so keep only the message.
fn inner_message(text: &str) -> String {
    let line = text.trim().lines().last().unwrap_or(text).trim();
    line.strip_prefix("error: ").unwrap_or(line).to_owned()
}

fn over(what: &str, amount: u128, limit: u64) -> Result<(), String> {
    if amount > u128::from(limit) {
        Err(format!(
            "{what} would be {amount}, {LIMIT_MARKER} of {limit}"
        ))
    } else {
        Ok(())
    }
}

fn none(_: &[Value]) -> Result<(), String> {
    Ok(())
}

fn int(v: &Value) -> Option<i128> {
    match v {
        Value::Number(n) if n.is_integer() => n.as_i64().map(i128::from).or_else(|| {
            // Past i64: far past any limit, but still a size we can name.
            n.as_f64().map(|f| f.clamp(-1e38, 1e38) as i128)
        }),
        _ => None,
    }
}

fn range(args: &[Value]) -> Result<(), String> {
    if let (Some(a), Some(b)) = (int(&args[0]), int(&args[1])) {
        over(
            "the number of elements",
            (b - a).unsigned_abs() + 1,
            MAX_ELEMENTS,
        )?;
    }
    Ok(())
}

fn range_step(args: &[Value]) -> Result<(), String> {
    if let (Some(a), Some(b), Some(step)) = (int(&args[0]), int(&args[1]), int(&args[2]))
        && step > 0
    {
        over(
            "the number of elements",
            (b - a).unsigned_abs() / step.unsigned_abs() + 1,
            MAX_ELEMENTS,
        )?;
    }
    Ok(())
}

fn str_len(v: &Value) -> u128 {
    match v {
        Value::String(s) => s.len() as u128,
        _ => 0,
    }
}

fn sprintf(args: &[Value]) -> Result<(), String> {
    let Value::String(fmt) = &args[0] else {
        return Ok(());
    };
    // Widths and precisions: digit runs between a `%` and its verb.
    let mut total = fmt.len() as u128;
    let mut chars = fmt.chars().peekable();
    while let Some(c) = chars.next() {
        if c != '%' {
            continue;
        }
        let mut n: u128 = 0;
        while let Some(&d) = chars.peek() {
            if let Some(digit) = d.to_digit(10) {
                n = (n * 10 + u128::from(digit)).min(u128::from(u64::MAX));
            } else if matches!(d, '.' | '-' | '+' | '#' | ' ' | '0') {
                over("a width or precision in the format", n, MAX_FORMAT_WIDTH)?;
                total += n;
                n = 0;
            } else {
                break;
            }
            chars.next();
        }
        over("a width or precision in the format", n, MAX_FORMAT_WIDTH)?;
        total += n;
        chars.next();
    }
    if let Value::Array(items) = &args[1] {
        for item in items.iter() {
            total += written_size(item, MAX_STRING_BYTES);
        }
    }
    over("the formatted string's length", total, MAX_STRING_BYTES)
}

fn concat(args: &[Value]) -> Result<(), String> {
    let (count, sum) = match &args[1] {
        Value::Array(a) => (a.len(), a.iter().map(str_len).sum::<u128>()),
        Value::Set(s) => (s.len(), s.iter().map(str_len).sum::<u128>()),
        _ => return Ok(()),
    };
    let delims = str_len(&args[0]) * count.saturating_sub(1) as u128;
    over("the joined string's length", sum + delims, MAX_STRING_BYTES)
}

/// Length of `s` after replacing every `old` with `new`.
fn replaced_len(s: &str, old: &str, new: &str) -> u128 {
    let count = if old.is_empty() {
        s.chars().count() + 1
    } else {
        s.matches(old).count()
    } as u128;
    s.len() as u128 - count * old.len() as u128 + count * new.len() as u128
}

fn replace(args: &[Value]) -> Result<(), String> {
    if let (Value::String(s), Value::String(old), Value::String(new)) =
        (&args[0], &args[1], &args[2])
    {
        over(
            "the replaced string's length",
            replaced_len(s, old, new),
            MAX_STRING_BYTES,
        )?;
    }
    Ok(())
}

fn replace_n(args: &[Value]) -> Result<(), String> {
    let (Value::Object(patterns), Value::String(s)) = (&args[0], &args[1]) else {
        return Ok(());
    };
    // The builtin applies the patterns one after another, in key order;
    // follow the length through each step without building the strings.
    let mut s = s.to_string();
    for (k, v) in patterns.iter_sorted() {
        let (Value::String(k), Value::String(v)) = (k, v) else {
            return Ok(());
        };
        over(
            "the replaced string's length",
            replaced_len(&s, k, v),
            MAX_STRING_BYTES,
        )?;
        s = s.replace(k.as_ref(), v);
    }
    Ok(())
}

fn array_concat(args: &[Value]) -> Result<(), String> {
    if let (Value::Array(a), Value::Array(b)) = (&args[0], &args[1]) {
        over(
            "the number of elements",
            (a.len() + b.len()) as u128,
            MAX_ELEMENTS,
        )?;
    }
    Ok(())
}

fn marshal(args: &[Value]) -> Result<(), String> {
    over(
        "the serialised length",
        written_size(&args[0], MAX_STRING_BYTES),
        MAX_STRING_BYTES,
    )
}

fn marshal_with_options(args: &[Value]) -> Result<(), String> {
    // Pretty-printing adds the prefix and indent to every line.
    let extra = match &args[1] {
        Value::Object(o) => o.iter().map(|(_, v)| str_len(v)).sum::<u128>(),
        _ => 0,
    };
    let size = written_size(&args[0], MAX_STRING_BYTES);
    over(
        "the serialised length",
        size.saturating_mul(1 + extra),
        MAX_STRING_BYTES,
    )
}

fn walk(args: &[Value]) -> Result<(), String> {
    // One [path, value] pair per node, each path as long as the node is deep.
    over(
        "the number of path elements",
        walked_size(&args[0], MAX_ELEMENTS),
        MAX_ELEMENTS,
    )
}

/// The result of a guarded builtin must itself be within the limits.
fn result_fits(v: &Value) -> Result<(), String> {
    match v {
        Value::String(s) => over("the result's length", s.len() as u128, MAX_STRING_BYTES),
        Value::Array(a) => over("the number of elements", a.len() as u128, MAX_ELEMENTS),
        _ => Ok(()),
    }
}

/// Children of a collection value, in no particular order.
fn children(v: &Value) -> Vec<&Value> {
    match v {
        Value::Array(a) => a.iter().collect(),
        Value::Set(s) => s.iter().collect(),
        Value::Object(o) => o.iter().flat_map(|(k, v)| [k, v]).collect(),
        _ => Vec::new(),
    }
}

/// About how many bytes `v` takes written out as JSON, counting shared
/// parts once per use. Stops counting past `cap`, so a value that is huge
/// written out costs no more than `cap` steps to measure.
pub fn written_size(v: &Value, cap: u64) -> u128 {
    let cap = u128::from(cap);
    let mut total: u128 = 0;
    let mut stack = vec![v];
    while let Some(v) = stack.pop() {
        total += match v {
            Value::String(s) => s.len() as u128 + 2,
            Value::Number(_) => 8,
            _ => 2,
        };
        if total > cap {
            return total;
        }
        stack.extend(children(v));
    }
    total
}

/// Nodes times depth: about how many elements `walk(v)` makes.
fn walked_size(v: &Value, cap: u64) -> u128 {
    let cap = u128::from(cap);
    let mut total: u128 = 0;
    let mut stack = vec![(v, 1u128)];
    while let Some((v, depth)) = stack.pop() {
        total += depth + 2;
        if total > cap {
            return total;
        }
        stack.extend(children(v).into_iter().map(|c| (c, depth + 1)));
    }
    total
}

#[cfg(test)]
mod tests {
    use super::*;

    fn engine(policy: &str) -> Engine {
        let mut e = Engine::new();
        e.set_strict_builtin_errors(true);
        install(&mut e).unwrap();
        e.add_policy("p.rego".into(), policy.into()).unwrap();
        e
    }

    fn eval(policy: &str) -> Result<Value, String> {
        engine(policy)
            .eval_rule("data.p.x".into())
            .map_err(|e| e.to_string())
    }

    #[test]
    fn ordinary_calls_give_the_builtins_answers() {
        assert_eq!(
            eval("package p\nx := sprintf(\"%s-%03d\", [\"a\", 7])").unwrap(),
            Value::from("a-007")
        );
        assert_eq!(
            eval("package p\nx := concat(\",\", [\"a\", \"b\"])").unwrap(),
            Value::from("a,b")
        );
        assert_eq!(
            eval("package p\nx := count(numbers.range(1, 10))").unwrap(),
            Value::from(10u64)
        );
        assert_eq!(
            eval("package p\nx := replace(\"aXbX\", \"X\", \"-\")").unwrap(),
            Value::from("a-b-")
        );
        let err = eval("package p\nx := concat(1, [\"a\"])").unwrap_err();
        assert!(
            !err.contains(LIMIT_MARKER) && err.contains("concat"),
            "{err}"
        );
    }

    #[test]
    fn dangerous_calls_are_refused_before_they_allocate() {
        for call in [
            "numbers.range(0, 1e12)",
            "numbers.range(0, 1000000000000)",
            "numbers.range_step(0, 9000000000000000000, 1)",
            "sprintf(\"%2000000000d\", [1])",
            "sprintf(\"%.2000000000f\", [1])",
            "replace(concat(\"\", [\"x\" | some _ in numbers.range(1, 5000)]), \"\", concat(\"\", [\"y\" | some _ in numbers.range(1, 5000)]))",
        ] {
            let err = eval(&format!("package p\nx := {call}")).unwrap_err();
            assert!(err.contains(LIMIT_MARKER), "{call}: {err}");
        }
    }

    #[test]
    fn doubling_stops_at_the_string_limit() {
        let mut p = String::from("package p\ns0 := \"xxxxxxxxxxxxxxxx\"\n");
        for i in 1..=40 {
            p.push_str(&format!("s{i} := concat(\"\", [s{}, s{}])\n", i - 1, i - 1));
        }
        p.push_str("x := count(s40)\n");
        let err = eval(&p).unwrap_err();
        assert!(err.contains(LIMIT_MARKER), "{err}");
    }

    #[test]
    fn shared_values_are_measured_as_written_out() {
        let mut p = String::from("package p\na0 := [\"xxxxxxxx\"]\n");
        for i in 1..=60 {
            p.push_str(&format!("a{i} := [a{}, a{}]\n", i - 1, i - 1));
        }
        p.push_str("x := json.marshal(a60)\n");
        let err = eval(&p).unwrap_err();
        assert!(err.contains(LIMIT_MARKER), "{err}");
    }
}
