//! Score history as sparklines: a small inline SVG per entity and
//! scorecard (its level at each sample) and per group of entities (their
//! average level), each with a text alternative.
//!
//! Like the dependency graphs ([`super::graph`]), the SVG has no `style`
//! and no colours: the theme's CSS styles `.spark` (the Content-Security-
//! Policy forbids inline styles). Coordinates are integers and the text is
//! escaped here, so the same history always draws the same bytes.

use super::model::SiteModel;
use crate::catalog::model::EntityRef;
use crate::scorecard::model::Scorecard;
use crate::scorecard::trend::{Point, Series};
use serde::Serialize;
use std::fmt::Write;

const STEP: i64 = 6;
const HEIGHT: i64 = 24;
const PAD: i64 = 3;

/// A sparkline and what it says in words.
#[derive(Clone, Debug, Serialize)]
pub struct TrendView {
    /// Inline SVG, escaped here (templates print it with `safe`).
    pub svg: String,
    /// The text alternative, e.g. "bronze → silver over 26 weeks".
    pub text: String,
}

/// How long the samples span, in words.
fn span(series: &Series) -> String {
    let n = series.samples.len();
    match series.interval_days {
        7 => format!("over {n} week{}", if n == 1 { "" } else { "s" }),
        d => format!("over {n} samples {d} days apart"),
    }
}

/// A level's rank: 0 below the first level, 1 for the first, …; `None`
/// when not scored or for a level the scorecard no longer has.
fn rank(sc: &Scorecard, p: &Point) -> Option<usize> {
    match p {
        Point::Absent => None,
        Point::Below => Some(0),
        Point::Level(l) => sc.levels.iter().position(|x| x == l).map(|i| i + 1),
    }
}

fn name(p: &Point) -> &str {
    match p {
        Point::Absent => "not scored",
        Point::Below => "no level",
        Point::Level(l) => l,
    }
}

/// One entity's level on one scorecard over the samples.
pub fn entity(model: &SiteModel, r: &EntityRef, sc: &Scorecard) -> Option<TrendView> {
    let series = model.checked.history.series()?;
    let points = series.points.get(&r.to_string())?.get(&sc.id)?;
    let values: Vec<Option<f64>> = points
        .iter()
        .map(|p| rank(sc, p).map(|r| r as f64))
        .collect();
    let first = points.iter().find(|p| **p != Point::Absent)?;
    let last = points.last()?;
    let text = if first == last && points.iter().all(|p| p == first || *p == Point::Absent) {
        format!("{}: {} throughout, {}", sc.title, name(last), span(series))
    } else {
        format!(
            "{}: {} → {} {}",
            sc.title,
            name(first),
            name(last),
            span(series)
        )
    };
    let svg = sparkline(&values, sc.levels.len() as f64, &text)?;
    Some(TrendView { svg, text })
}

/// The average level of `refs` on one scorecard over the samples (each
/// sample averages the entities scored then).
pub fn group(model: &SiteModel, refs: &[&EntityRef], sc: &Scorecard) -> Option<TrendView> {
    let series = model.checked.history.series()?;
    let n = series.samples.len();
    let mut sum = vec![0usize; n];
    let mut count = vec![0usize; n];
    for r in refs {
        let Some(points) = series
            .points
            .get(&r.to_string())
            .and_then(|m| m.get(&sc.id))
        else {
            continue;
        };
        for (i, p) in points.iter().enumerate().take(n) {
            if let Some(k) = rank(sc, p) {
                sum[i] += k;
                count[i] += 1;
            }
        }
    }
    let values: Vec<Option<f64>> = sum
        .iter()
        .zip(&count)
        .map(|(s, c)| (*c > 0).then(|| *s as f64 / *c as f64))
        .collect();
    let first = values.iter().flatten().next()?;
    let last = values.last().copied().flatten();
    let text = format!(
        "{}: average level {first:.1} → {} of {} {}",
        sc.title,
        last.map_or_else(|| "not scored".to_owned(), |l| format!("{l:.1}")),
        sc.levels.len(),
        span(series)
    );
    let svg = sparkline(&values, sc.levels.len() as f64, &text)?;
    Some(TrendView { svg, text })
}

/// A polyline through `values` (scaled to `0..=max`), broken where a value
/// is missing, with a dot on the last one; `None` when nothing is drawn.
pub fn sparkline(values: &[Option<f64>], max: f64, text: &str) -> Option<String> {
    if values.iter().all(Option::is_none) {
        return None;
    }
    let width = PAD * 2 + STEP * (values.len().max(2) as i64 - 1);
    let y = |v: f64| {
        let share = if max > 0.0 {
            (v / max).clamp(0.0, 1.0)
        } else {
            0.0
        };
        PAD + ((1.0 - share) * (HEIGHT - 2 * PAD) as f64).round() as i64
    };
    let coords: Vec<Option<(i64, i64)>> = values
        .iter()
        .enumerate()
        .map(|(i, v)| v.map(|v| (PAD + STEP * i as i64, y(v))))
        .collect();
    let text = crate::escape::xml(text);
    let mut out = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"spark\" role=\"img\" aria-label=\"{text}\" \
         viewBox=\"0 0 {width} {HEIGHT}\" width=\"{width}\" height=\"{HEIGHT}\"><title>{text}</title>"
    );
    for run in coords.split(Option::is_none).filter(|r| !r.is_empty()) {
        let pts: Vec<String> = run
            .iter()
            .flatten()
            .map(|(x, y)| format!("{x},{y}"))
            .collect();
        if pts.len() == 1 {
            let (x, y) = run[0].unwrap_or_default();
            let _ = write!(
                out,
                "<circle class=\"spark-dot\" cx=\"{x}\" cy=\"{y}\" r=\"1.5\"/>"
            );
        } else {
            let _ = write!(
                out,
                "<polyline class=\"spark-line\" points=\"{}\"/>",
                pts.join(" ")
            );
        }
    }
    if let Some(Some((x, y))) = coords.last() {
        let _ = write!(
            out,
            "<circle class=\"spark-end\" cx=\"{x}\" cy=\"{y}\" r=\"2.5\"/>"
        );
    }
    out.push_str("</svg>");
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sparklines_are_deterministic_escaped_and_unstyled() {
        let svg = sparkline(
            &[Some(0.0), None, Some(1.0), Some(2.0)],
            2.0,
            "a <b> & \"c\"",
        )
        .unwrap();
        assert_eq!(
            svg,
            sparkline(
                &[Some(0.0), None, Some(1.0), Some(2.0)],
                2.0,
                "a <b> & \"c\""
            )
            .unwrap()
        );
        assert!(
            svg.contains("aria-label=\"a &lt;b&gt; &amp; &quot;c&quot;\""),
            "{svg}"
        );
        assert!(!svg.contains("style"), "{svg}");
        assert!(
            svg.contains("<circle class=\"spark-dot\" cx=\"3\" cy=\"21\""),
            "{svg}"
        );
        assert!(svg.contains("points=\"15,12 21,3\""), "{svg}");
        assert!(sparkline(&[None, None], 3.0, "x").is_none());
    }
}
