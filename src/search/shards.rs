//! Writes the index files: postings by term, split into shards by term
//! prefix so that no shard grows past [`SHARD_BYTES`], plus the rows.
//!
//! Postings are entity (or section) numbers in increasing order, written
//! as differences from the previous one, which keeps them short. A name
//! posting also says where in the name the word is and how many words the
//! name has (`number * 64 + position * 8 + words`, each capped at 7), which
//! is what tells an exact name and a name prefix from a word somewhere in
//! the name.
//!
//! Every map here is a `BTreeMap` and every list is built in entity order,
//! so the same input writes the same bytes.

use super::tokenize::tokens;
use super::{Input, ROW_CHUNK};
use rayon::prelude::*;
use serde::Serialize;
use std::collections::{BTreeMap, HashMap};

/// A shard whose serialized postings pass this is split by one more
/// character of its terms' prefix (up to [`MAX_KEY_CHARS`]).
pub const SHARD_BYTES: usize = 24 * 1024;
/// Shards are keyed by the first 2 characters of their terms, or more
/// where a prefix is common.
const KEY_CHARS: usize = 2;
const MAX_KEY_CHARS: usize = 5;
/// Distinct words of one docs section that are indexed: enough for its
/// subject, bounded so a 1 MB page cannot weigh like a thousand.
const SECTION_WORDS: usize = 64;

/// One file of the index, relative to the site root.
#[derive(Debug)]
pub struct File {
    pub path: String,
    pub bytes: Vec<u8>,
}

/// Postings by term. FNV-1a instead of SipHash: the keys are the
/// catalog's words, hashed millions of times at 100k entities, and no
/// attacker gains anything from colliding them but a slower build of
/// their own catalog.
type Terms<T> = HashMap<String, T, std::hash::BuildHasherDefault<Fnv>>;

#[derive(Default)]
struct Fnv(u64);

impl std::hash::Hasher for Fnv {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        let mut h = if self.0 == 0 {
            0xcbf2_9ce4_8422_2325
        } else {
            self.0
        };
        for b in bytes {
            h ^= u64::from(*b);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
        self.0 = h;
    }
}

/// Postings of one term in the name index: name (encoded, see the module
/// doc), title, tags and channels, owner.
#[derive(Default)]
struct NameTerm {
    lists: [Vec<u32>; 4],
}

/// Postings of one term in the text index: entity descriptions, docs
/// section headings (with their page title), docs section text.
#[derive(Default)]
struct TextTerm {
    lists: [Vec<u32>; 3],
}

/// Words too common in prose to tell sections apart.
const STOPWORDS: &[&str] = &[
    "a", "all", "an", "and", "any", "are", "as", "at", "be", "but", "by", "can", "each", "for",
    "from", "has", "have", "if", "in", "into", "is", "it", "its", "more", "no", "not", "of", "on",
    "or", "our", "so", "than", "that", "the", "their", "then", "there", "they", "this", "to",
    "was", "we", "were", "when", "which", "will", "with", "you", "your",
];

fn is_prose_word(t: &str) -> bool {
    t.chars().count() >= 2 && STOPWORDS.binary_search(&t).is_err()
}

/// Adds `value` unless it is already the last (a word twice in a title).
fn add(list: &mut Vec<u32>, value: u32) {
    if list.last() != Some(&value) {
        list.push(value);
    }
}

/// Writes every file of the index.
pub fn build(input: &Input) -> Vec<File> {
    let mut files = Vec::new();
    let names = name_postings(input);
    let texts = text_postings(input);
    let n_keys = write_shards(&names, "n", &mut files, |t| {
        json(&(
            &t.lists[0].delta(),
            &t.lists[1].delta(),
            &t.lists[2].delta(),
            &t.lists[3].delta(),
        ))
    });
    let t_keys = write_shards(&texts, "t", &mut files, |t| {
        json(&(
            &t.lists[0].delta(),
            &t.lists[1].delta(),
            &t.lists[2].delta(),
        ))
    });
    let v_keys = write_vocabulary(&names, &mut files);
    let rows: Vec<&serde_json::Value> = input.entries.iter().map(|e| &e.row).collect();
    for (i, chunk) in rows.chunks(ROW_CHUNK).enumerate() {
        files.push(script(format!("r/{i}"), &json(chunk)));
    }
    let sections: Vec<&serde_json::Value> = input.sections.iter().map(|s| &s.row).collect();
    for (i, chunk) in sections.chunks(ROW_CHUNK).enumerate() {
        files.push(script(format!("s/{i}"), &json(chunk)));
    }
    let mut meta = input.meta.clone();
    meta.insert("version".into(), 1.into());
    meta.insert("rows".into(), input.entries.len().into());
    meta.insert("sections".into(), input.sections.len().into());
    meta.insert("chunk".into(), ROW_CHUNK.into());
    meta.insert("n".into(), n_keys.into());
    meta.insert("t".into(), t_keys.into());
    meta.insert("v".into(), v_keys.into());
    files.push(script("meta".into(), &json(&meta)));
    files.push(script("facets".into(), &json(&input.facets)));
    files.sort_by(|a, b| a.path.cmp(&b.path));
    files
}

/// The name index: every word of every entity's name, title, tags and
/// channels, and owner.
fn name_postings(input: &Input) -> Vec<(String, NameTerm)> {
    let tokenized: Vec<[Vec<String>; 4]> = input
        .entries
        .par_iter()
        .map(|e| {
            let tags = e.tags.iter().flat_map(|t| tokens(t)).collect();
            [tokens(&e.name), tokens(&e.title), tags, tokens(&e.owner)]
        })
        .collect();
    let mut terms: Terms<NameTerm> = Terms::default();
    for (id, fields) in tokenized.into_iter().enumerate() {
        let id = u32::try_from(id).unwrap_or(u32::MAX);
        let words = u32::try_from(fields[0].len().min(7)).unwrap_or(7);
        for (pos, t) in fields[0].iter().enumerate() {
            let pos = u32::try_from(pos.min(7)).unwrap_or(7);
            let value = id.saturating_mul(64) + pos * 8 + words;
            add(&mut term(&mut terms, t).lists[0], value);
        }
        for (field, list) in fields.iter().enumerate().skip(1) {
            for t in list {
                add(&mut term(&mut terms, t).lists[field], id);
            }
        }
    }
    sorted(terms)
}

/// The postings of `t`, added if new (without allocating when not).
fn term<'m, T: Default>(terms: &'m mut Terms<T>, t: &str) -> &'m mut T {
    if !terms.contains_key(t) {
        terms.insert(t.to_owned(), T::default());
    }
    terms.get_mut(t).expect("just inserted")
}

/// Terms in byte order, which is the order the browser binary-searches in
/// (UTF-16 order agrees for the characters tokens hold).
fn sorted<T: Send>(terms: Terms<T>) -> Vec<(String, T)> {
    let mut v: Vec<(String, T)> = terms.into_iter().collect();
    v.par_sort_unstable_by(|a, b| a.0.cmp(&b.0));
    v
}

/// The text index: descriptions, docs headings and docs text.
fn text_postings(input: &Input) -> Vec<(String, TextTerm)> {
    let descriptions: Vec<Vec<String>> = input
        .entries
        .par_iter()
        .map(|e| prose(&e.description, usize::MAX))
        .collect();
    let mut terms: Terms<TextTerm> = Terms::default();
    for (id, words) in descriptions.into_iter().enumerate() {
        let id = u32::try_from(id).unwrap_or(u32::MAX);
        for t in &words {
            add(&mut term(&mut terms, t).lists[0], id);
        }
    }
    // A block at a time: a million sections' words at once would hold
    // gigabytes of short strings.
    const BLOCK: usize = 8192;
    for (b, block) in input.sections.chunks(BLOCK).enumerate() {
        let words: Vec<[Vec<String>; 2]> = block
            .par_iter()
            .map(|s| [prose(&s.heading, usize::MAX), prose(&s.text, SECTION_WORDS)])
            .collect();
        for (i, [heading, text]) in words.into_iter().enumerate() {
            let id = u32::try_from(b * BLOCK + i).unwrap_or(u32::MAX);
            for t in &heading {
                add(&mut term(&mut terms, t).lists[1], id);
            }
            for t in &text {
                add(&mut term(&mut terms, t).lists[2], id);
            }
        }
    }
    sorted(terms)
}

/// The distinct prose words of `text` in first-seen order, at most `cap`.
fn prose(text: &str, cap: usize) -> Vec<String> {
    let mut seen = std::collections::BTreeSet::new();
    let mut out = Vec::new();
    for t in tokens(text) {
        if out.len() >= cap {
            break;
        }
        if is_prose_word(&t) && seen.insert(t.clone()) {
            out.push(t);
        }
    }
    out
}

/// The shard key of `term` at `len` characters: its first `len`
/// characters, or all of it if shorter.
fn prefix(term: &str, len: usize) -> &str {
    term.char_indices()
        .nth(len)
        .map_or(term, |(i, _)| &term[..i])
}

/// Splits `terms` into shards by prefix and writes each as
/// `search/<family>/<key>.js`; returns the keys, sorted.
fn write_shards<T: Sync>(
    terms: &[(String, T)],
    family: &str,
    files: &mut Vec<File>,
    postings: impl Fn(&T) -> String + Sync,
) -> Vec<String> {
    let entries: Vec<(&str, String)> = terms
        .par_iter()
        .map(|(t, p)| (t.as_str(), format!("[{},{}", json(t), &postings(p)[1..])))
        .collect();
    let mut groups: Vec<(String, Vec<&str>)> = Vec::new();
    split(&entries, KEY_CHARS, &mut groups);
    let mut keys = Vec::new();
    for (key, parts) in groups {
        let body = format!("[{}]", parts.join(","));
        files.push(script(format!("{family}/{}", file_key(&key)), &body));
        keys.push(key);
    }
    keys.sort();
    keys
}

/// Groups sorted `(term, serialized)` entries by `len`-character prefix,
/// splitting a group past [`SHARD_BYTES`] by one more character. Terms no
/// longer than the prefix stay in the shorter key's shard.
fn split<'a>(entries: &'a [(&str, String)], len: usize, out: &mut Vec<(String, Vec<&'a str>)>) {
    let mut i = 0;
    while i < entries.len() {
        let key = prefix(entries[i].0, len);
        let mut j = i;
        let mut bytes = 0;
        while j < entries.len() && prefix(entries[j].0, len) == key {
            bytes += entries[j].1.len();
            j += 1;
        }
        let group = &entries[i..j];
        if bytes > SHARD_BYTES && len < MAX_KEY_CHARS && group.len() > 1 {
            // Terms of exactly `len` characters keep this key.
            let short = group
                .iter()
                .take_while(|(t, _)| t.chars().count() <= len)
                .count();
            if short > 0 {
                out.push((key.to_owned(), group[..short].iter().map(as_str).collect()));
            }
            split(&group[short..], len + 1, out);
        } else {
            out.push((key.to_owned(), group.iter().map(as_str).collect()));
        }
        i = j;
    }
}

fn as_str<'a>(e: &'a (&str, String)) -> &'a str {
    e.1.as_str()
}

/// The name index's words of 3 or more characters (not numbers, not
/// channels), by first character: what a misspelt word is matched against.
fn write_vocabulary(terms: &[(String, NameTerm)], files: &mut Vec<File>) -> Vec<String> {
    let mut by_first: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for (t, _) in terms {
        if t.chars().count() >= 3 && !t.starts_with('#') && !t.chars().all(|c| c.is_numeric()) {
            by_first.entry(prefix(t, 1)).or_default().push(t);
        }
    }
    let mut keys = Vec::new();
    for (first, words) in by_first {
        files.push(script(format!("v/{}", file_key(first)), &json(&words)));
        keys.push(first.to_owned());
    }
    keys
}

/// A file name for a shard key: ASCII letters and digits as they are,
/// anything else as `_<hex>_` (`#` is `_23_`). The browser computes the same
/// (`fileKey` in search-engine.js).
pub fn file_key(key: &str) -> String {
    let mut out = String::new();
    for c in key.chars() {
        if c.is_ascii_lowercase() || c.is_ascii_digit() {
            out.push(c);
        } else {
            out.push_str(&format!("_{:x}_", u32::from(c)));
        }
    }
    out
}

/// Delta encoding of a sorted list.
trait Delta {
    fn delta(&self) -> Vec<u32>;
}

impl Delta for Vec<u32> {
    fn delta(&self) -> Vec<u32> {
        let mut prev = 0;
        self.iter()
            .map(|&v| {
                let d = v - prev;
                prev = v;
                d
            })
            .collect()
    }
}

/// A file that hands `data` to the page: `search/<id>.js` calling
/// `portolanIndex(id, data)` on whatever global object runs it (a window
/// or a worker).
fn script(id: String, data: &str) -> File {
    let bytes = format!(
        "self.portolanIndex&&self.portolanIndex({},{data});\n",
        json(&id)
    )
    .into_bytes();
    File {
        path: format!("{}{id}.js", super::DIR),
        bytes,
    }
}

/// JSON that is safe inside a script: `<`, `>` and `&` are escaped so a
/// title like `</script>` cannot end the script, and U+2028/2029 (valid
/// JSON, invalid in old JS) are escaped too.
pub fn json<T: Serialize + ?Sized>(v: &T) -> String {
    let s = serde_json::to_string(v).unwrap_or_else(|_| "null".to_owned());
    if !s.contains(['<', '>', '&', '\u{2028}', '\u{2029}']) {
        return s;
    }
    s.replace('<', "\\u003c")
        .replace('>', "\\u003e")
        .replace('&', "\\u0026")
        .replace('\u{2028}', "\\u2028")
        .replace('\u{2029}', "\\u2029")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn script_data_cannot_close_the_script() {
        let s = json(&["</script><script>alert(1)</script>", "a&b", "\u{2028}"]);
        assert!(!s.contains('<') && !s.contains('>') && !s.contains('&'));
        assert!(!s.contains('\u{2028}'));
        let back: Vec<String> = serde_json::from_str(&s).unwrap();
        assert_eq!(back[0], "</script><script>alert(1)</script>");
    }

    #[test]
    fn big_prefixes_split_and_short_terms_keep_the_shorter_key() {
        let big = "x".repeat(SHARD_BYTES);
        let entries = vec![
            ("pa", "1".to_owned()),
            ("pay", big.clone()),
            ("payments", big.clone()),
            ("pet", "2".to_owned()),
            ("pizza", "3".to_owned()),
        ];
        let mut out = Vec::new();
        split(&entries, 2, &mut out);
        let keys: Vec<&str> = out.iter().map(|(k, _)| k.as_str()).collect();
        assert_eq!(keys, ["pa", "pay", "paym", "pe", "pi"]);
        assert_eq!(file_key("#t"), "_23_t");
    }
}
