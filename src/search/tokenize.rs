//! The tokenizer the index is written with. The browser's query side
//! (`themes/default/static/search-engine.js`, `tokenize`) is the same
//! algorithm in JavaScript; tests/search.rs runs both over the same cases,
//! so a name is always split the same way when it is indexed and when it is
//! typed.
//!
//! Names in catalogs are written many ways: `payments-api`, `orders_db`,
//! `OrdersService`, `com.example.billing`, `#team-orders`. Each becomes its
//! words (`payments`, `api`), lowercased; a `#channel` is also kept whole
//! (`#team-orders`) so that a chat channel typed as written finds its team.

/// Words shorter than this are not looked up by prefix in the browser;
/// they still match whole.
pub const MAX_TOKEN_CHARS: usize = 40;

/// The words of `text`, lowercased, in order (repeats kept: positions in a
/// name matter). A `#channel` is emitted whole before its words.
pub fn tokens(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let chars: Vec<char> = text.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        if chars[i] == '#' && (i == 0 || !is_word(chars[i - 1])) {
            let start = i + 1;
            let mut end = start;
            while end < chars.len() && (is_word(chars[end]) || is_joiner(chars[end])) {
                end += 1;
            }
            // A channel ends on a word character (`#team-orders.` drops the dot).
            while end > start && is_joiner(chars[end - 1]) {
                end -= 1;
            }
            if end > start && is_word(chars[start]) {
                let whole: String = std::iter::once('#')
                    .chain(chars[start..end].iter().copied())
                    .collect();
                push(&mut out, &whole.to_lowercase());
            }
            i += 1;
            continue;
        }
        if !is_word(chars[i]) {
            i += 1;
            continue;
        }
        let start = i;
        while i < chars.len() && is_word(chars[i]) {
            i += 1;
        }
        split_case(&chars[start..i], &mut out);
    }
    out
}

/// Letters and digits of any script. `_` is a separator (snake_case).
fn is_word(c: char) -> bool {
    c.is_alphanumeric()
}

/// Characters that join the words of a `#channel` name.
fn is_joiner(c: char) -> bool {
    matches!(c, '-' | '_' | '.')
}

/// Splits one run of letters and digits at camelCase boundaries: before an
/// upper-case letter that follows a lower-case one (`ordersApi`), and before
/// the last capital of a run followed by a lower-case letter (`HTTPServer`
/// → `http`, `server`). Digits stay with their word (`oauth2`, `v1`).
fn split_case(word: &[char], out: &mut Vec<String>) {
    let mut start = 0;
    for i in 1..word.len() {
        let (prev, cur) = (word[i - 1], word[i]);
        let next_lower = word.get(i + 1).is_some_and(|n| n.is_lowercase());
        let boundary = (prev.is_lowercase() && cur.is_uppercase())
            || (prev.is_uppercase() && cur.is_uppercase() && next_lower);
        if boundary {
            let part: String = word[start..i].iter().collect();
            push(out, &part.to_lowercase());
            start = i;
        }
    }
    let part: String = word[start..].iter().collect();
    push(out, &part.to_lowercase());
}

/// Keeps a token, cut to [`MAX_TOKEN_CHARS`] (a 10 kB "word" would
/// otherwise become a 10 kB key in every file it lands in).
fn push(out: &mut Vec<String>, token: &str) {
    if token.is_empty() {
        return;
    }
    match token.char_indices().nth(MAX_TOKEN_CHARS) {
        Some((cut, _)) => out.push(token[..cut].to_owned()),
        None => out.push(token.to_owned()),
    }
}

#[cfg(test)]
mod tests {
    use super::tokens;

    #[test]
    fn splits_the_ways_names_are_written() {
        assert_eq!(tokens("payments-api"), ["payments", "api"]);
        assert_eq!(tokens("orders_db"), ["orders", "db"]);
        assert_eq!(tokens("OrdersService"), ["orders", "service"]);
        assert_eq!(tokens("HTTPServer v2"), ["http", "server", "v2"]);
        assert_eq!(tokens("com.example.Billing"), ["com", "example", "billing"]);
        assert_eq!(tokens("svc-payment-000049"), ["svc", "payment", "000049"]);
        assert_eq!(
            tokens("Chat: #team-orders."),
            ["chat", "#team-orders", "team", "orders"]
        );
        assert_eq!(tokens("a#b"), ["a", "b"]);
        assert_eq!(tokens("Größe Ärger"), ["größe", "ärger"]);
    }
}
