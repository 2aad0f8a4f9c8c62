//! Backstage's naming rules, ported from `KubernetesValidatorFunctions` and
//! `CommonValidatorFunctions` in `@backstage/catalog-model`. They are
//! hand-written character checks rather than regexes: each is a few lines,
//! and this keeps validation of 100k entities cheap.

fn alnum(c: char) -> bool {
    c.is_ascii_alphanumeric()
}

/// `metadata.name`: 1–63 chars, `[A-Za-z0-9]` at both ends, and
/// `[-A-Za-z0-9_.]` between.
pub fn is_valid_name(s: &str) -> bool {
    (1..=63).contains(&s.len())
        && s.starts_with(alnum)
        && s.ends_with(alnum)
        && s.chars().all(|c| alnum(c) || matches!(c, '-' | '_' | '.'))
}

/// `metadata.namespace`: a DNS label, 1–63 chars of `[a-z0-9-]`, no hyphen
/// at either end.
pub fn is_valid_namespace(s: &str) -> bool {
    is_dns_label(s)
}

fn is_dns_label(s: &str) -> bool {
    let ok = |c: char| c.is_ascii_lowercase() || c.is_ascii_digit();
    (1..=63).contains(&s.len())
        && s.starts_with(ok)
        && s.ends_with(ok)
        && s.chars().all(|c| ok(c) || c == '-')
}

/// A DNS subdomain: dot-separated DNS labels, at most 253 chars.
fn is_dns_subdomain(s: &str) -> bool {
    (1..=253).contains(&s.len()) && s.split('.').all(is_dns_label)
}

/// `kind`: starts with a letter, then letters and digits, at most 63 chars.
pub fn is_valid_kind(s: &str) -> bool {
    (1..=63).contains(&s.len())
        && s.starts_with(|c: char| c.is_ascii_alphabetic())
        && s.chars().all(alnum)
}

/// `apiVersion`: `group/version` (or a bare version), where the group is a
/// DNS subdomain and the version is 1–63 alphanumerics.
pub fn is_valid_api_version(s: &str) -> bool {
    let version_ok = |v: &str| (1..=63).contains(&v.len()) && v.chars().all(alnum);
    match s.split_once('/') {
        Some((group, version)) => is_dns_subdomain(group) && version_ok(version),
        None => version_ok(s),
    }
}

/// A tag: 1–63 chars of `[a-z0-9:+#]`, with single `-` separators.
pub fn is_valid_tag(s: &str) -> bool {
    let ok = |c: char| c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, ':' | '+' | '#');
    (1..=63).contains(&s.len())
        && s.split('-')
            .all(|part| !part.is_empty() && part.chars().all(ok))
}

/// A label or annotation key: `[prefix/]name`, where prefix is a DNS
/// subdomain and name is a valid object name.
pub fn is_valid_metadata_key(s: &str) -> bool {
    match s.split_once('/') {
        Some((prefix, name)) => is_dns_subdomain(prefix) && is_valid_name(name),
        None => is_valid_name(s),
    }
}

/// A label value: empty, or a valid object name.
pub fn is_valid_label_value(s: &str) -> bool {
    s.is_empty() || is_valid_name(s)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_follow_backstage() {
        assert!(is_valid_name("payments-api"));
        assert!(is_valid_name("Jane.Doe_2"));
        assert!(!is_valid_name("-leading"));
        assert!(!is_valid_name("trailing."));
        assert!(!is_valid_name("has space"));
        assert!(!is_valid_name(&"a".repeat(64)));
        assert!(is_valid_name(&"a".repeat(63)));
    }

    #[test]
    fn namespaces_are_dns_labels() {
        assert!(is_valid_namespace("default"));
        assert!(is_valid_namespace("team-1"));
        assert!(!is_valid_namespace("Default"));
        assert!(!is_valid_namespace("a_b"));
    }

    #[test]
    fn tags_and_kinds_and_versions() {
        assert!(is_valid_tag("java"));
        assert!(is_valid_tag("c++"));
        assert!(is_valid_tag("c#"));
        assert!(!is_valid_tag("Java"));
        assert!(!is_valid_tag("a--b"));
        assert!(!is_valid_tag("with space"));
        assert!(is_valid_kind("AiResource"));
        assert!(!is_valid_kind("9lives"));
        assert!(is_valid_api_version("backstage.io/v1alpha1"));
        assert!(is_valid_api_version("scaffolder.backstage.io/v1beta3"));
        assert!(!is_valid_api_version("backstage.io/"));
        assert!(is_valid_metadata_key("backstage.io/techdocs-ref"));
        assert!(!is_valid_metadata_key("Bad Key"));
    }
}
