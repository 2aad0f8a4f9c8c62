//! Dependency graphs for System and Domain pages, drawn as inline SVG.
//!
//! The layered layout is written here instead of using a JS graph library or
//! another crate: pages must read without scripts, and the same catalog must
//! build byte-identical pages so deploys diff cleanly. Coordinates are
//! integers and every collection that is iterated is ordered.
//!
//! Looks come only from the site's CSS through classes (no colours, no
//! `style`): the portal's Content-Security-Policy forbids inline styles, and
//! the theme owns the colours. The CSS must at least give `.graph .edge`
//! `fill: none` and a stroke, since paths are filled by default.

use std::collections::BTreeSet;
use std::fmt::Write;

/// More boxes than this make an unreadable wall and a heavy page, so only
/// the first `MAX_NODES` nodes by index are drawn (the caller puts the
/// focused entities first) and edges touching the others are dropped.
pub const MAX_NODES: usize = 80;

const BOX_W: i64 = 180;
const BOX_H: i64 = 44;
const COL_GAP: i64 = 80;
/// Row pitch: boxes plus the channel between rows that edges run along.
const PITCH: i64 = BOX_H + ROW_GAP;
const ROW_GAP: i64 = 20;
const MARGIN: i64 = 16;
/// Room left of the first column and right of the last for the vertical
/// runs of edges that enter or leave there.
const SIDE: i64 = COL_GAP / 2 + 8;
/// A layer with more nodes than this is drawn as several columns of its
/// nodes grouped by kind (a system with 60 parts is a grid, not one column
/// thousands of pixels tall).
pub const MAX_ROWS: usize = 12;
/// What fits in `BOX_W` at the label's font size, ellipsis included,
/// counting wide letters as more than one (see [`truncate`]).
const LABEL_CHARS: usize = 22;
const KIND_CHARS: usize = 28;
/// Barycenter ordering mostly settles after a few round trips.
const SWEEPS: usize = 4;

#[derive(Clone, Debug)]
pub struct Node {
    pub label: String,
    pub kind: String,
    pub href: Option<String>,
    pub focus: bool,
}

#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Debug)]
pub enum EdgeKind {
    DependsOn,
    ProvidesApi,
    ConsumesApi,
}

impl EdgeKind {
    const ALL: [EdgeKind; 3] = [Self::DependsOn, Self::ProvidesApi, Self::ConsumesApi];

    fn class(self) -> &'static str {
        match self {
            Self::DependsOn => "depends",
            Self::ProvidesApi => "provides",
            Self::ConsumesApi => "consumes",
        }
    }
}

#[derive(Clone, Debug)]
pub struct Edge {
    pub from: usize,
    pub to: usize,
    pub kind: EdgeKind,
}

#[derive(Clone, Debug, Default)]
pub struct Graph {
    pub nodes: Vec<Node>,
    pub edges: Vec<Edge>,
}

/// Node boxes' top-left corners; a column's boxes share their `x`.
struct Layout {
    x: Vec<i64>,
    y: Vec<i64>,
    /// The drawn column of each node.
    col: Vec<usize>,
    width: i64,
    height: i64,
}

/// Renders the graph as a standalone inline <svg> element (a String), or None if it has no nodes.
pub fn render_svg(graph: &Graph, title: &str) -> Option<String> {
    let n = graph.nodes.len().min(MAX_NODES);
    if n == 0 {
        return None;
    }
    let nodes = &graph.nodes[..n];
    let edges: BTreeSet<(usize, usize, EdgeKind)> = graph
        .edges
        .iter()
        .filter(|e| e.from < n && e.to < n && e.from != e.to)
        .map(|e| (e.from, e.to, e.kind))
        .collect();
    let pairs: BTreeSet<(usize, usize)> = edges.iter().map(|&(a, b, _)| (a, b)).collect();
    let labels: Vec<&str> = nodes.iter().map(|n| n.label.as_str()).collect();
    let kinds: Vec<&str> = nodes.iter().map(|n| n.kind.as_str()).collect();
    let lay = layout(&pairs, &labels, &kinds);
    let id = format!("graph-{:08x}", fnv1a(title.as_bytes()) as u32);

    let mut paths = String::new();
    let bottom = lay.height;
    for &(a, b, kind) in &edges {
        let back = if lay.x[b] > lay.x[a] {
            ""
        } else {
            " edge-back"
        };
        let d = route(&lay, a, b);
        let c = kind.class();
        let _ = writeln!(
            paths,
            "<path class=\"edge edge-{c}{back}\" d=\"{d}\" marker-end=\"url(#{id}-arrow-{c})\"/>"
        );
    }

    let (w, h) = (lay.width, bottom);
    // `group`, not `img`: the nodes are links, and an image may not contain
    // interactive content (screen readers would hide the links).
    let mut out = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"graph\" role=\"group\" \
         aria-labelledby=\"{id}-title\" viewBox=\"0 0 {w} {h}\" width=\"{w}\" height=\"{h}\">\n\
         <title id=\"{id}-title\">{}</title>\n<defs>\n",
        crate::escape::xml(title)
    );
    for kind in EdgeKind::ALL {
        let c = kind.class();
        let _ = writeln!(
            out,
            "<marker id=\"{id}-arrow-{c}\" viewBox=\"0 0 10 10\" refX=\"10\" refY=\"5\" \
             markerWidth=\"8\" markerHeight=\"8\" orient=\"auto-start-reverse\">\
             <path class=\"arrow arrow-{c}\" d=\"M0 0L10 5L0 10z\"/></marker>"
        );
    }
    out.push_str("</defs>\n<g class=\"edges\">\n");
    out.push_str(&paths);
    out.push_str("</g>\n<g class=\"nodes\">\n");
    for (i, node) in nodes.iter().enumerate() {
        write_node(&mut out, node, lay.x[i], lay.y[i]);
    }
    out.push_str("</g>\n</svg>\n");
    Some(out)
}

fn write_node(out: &mut String, node: &Node, x: i64, y: i64) {
    if let Some(href) = &node.href {
        let _ = write!(out, "<a href=\"{}\">", crate::escape::xml(href));
    }
    let focus = if node.focus { " focus" } else { "" };
    let _ = write!(
        out,
        "<g class=\"node kind-{}{focus}\" transform=\"translate({x} {y})\">\
         <title>{} ({})</title><rect width=\"{BOX_W}\" height=\"{BOX_H}\" rx=\"6\"/>\
         <text class=\"label\" x=\"12\" y=\"19\">{}</text>\
         <text class=\"kind\" x=\"12\" y=\"35\">{}</text></g>",
        kind_class(&node.kind),
        crate::escape::xml(&node.label),
        crate::escape::xml(&node.kind),
        crate::escape::xml(&truncate(&node.label, LABEL_CHARS)),
        crate::escape::xml(&truncate(&node.kind, KIND_CHARS)),
    );
    if node.href.is_some() {
        out.push_str("</a>");
    }
    out.push('\n');
}

/// Sugiyama-style: make the graph acyclic, put each node in the column of
/// its longest path from a source, order columns by barycenter sweeps, then
/// centre every column vertically.
fn layout(pairs: &BTreeSet<(usize, usize)>, labels: &[&str], kinds: &[&str]) -> Layout {
    let n = labels.len();
    let dag = break_cycles(n, pairs);
    let mut preds = vec![Vec::new(); n];
    let mut succs = vec![Vec::new(); n];
    for &(a, b) in &dag {
        succs[a].push(b);
        preds[b].push(a);
    }

    // Longest path from a source, in Kahn's topological order; the result
    // does not depend on which ready node goes first.
    let mut layer = vec![0usize; n];
    let mut indeg: Vec<usize> = preds.iter().map(Vec::len).collect();
    let mut ready: Vec<usize> = (0..n).rev().filter(|&v| indeg[v] == 0).collect();
    while let Some(u) = ready.pop() {
        for &v in &succs[u] {
            layer[v] = layer[v].max(layer[u] + 1);
            indeg[v] -= 1;
            if indeg[v] == 0 {
                ready.push(v);
            }
        }
    }

    let columns = layer.iter().max().map_or(0, |m| m + 1);
    let mut layers = vec![Vec::new(); columns];
    for v in 0..n {
        layers[layer[v]].push(v);
    }
    for l in &mut layers {
        l.sort_by(|&a, &b| labels[a].cmp(labels[b]).then(a.cmp(&b)));
    }
    // Twice the offset from the column's middle: integers, and comparable
    // between columns of different heights.
    let mut pos = vec![0i64; n];
    let place = |l: &[usize], pos: &mut [i64]| {
        for (r, &v) in l.iter().enumerate() {
            pos[v] = 2 * r as i64 - (l.len() as i64 - 1);
        }
    };
    for l in &layers {
        place(l, &mut pos);
    }
    for _ in 0..SWEEPS {
        let down = (1..columns).map(|c| (c, &preds));
        let up = (0..columns.saturating_sub(1)).rev().map(|c| (c, &succs));
        for (c, adj) in down.chain(up) {
            // Barycenters as fractions (sum, count); unlinked nodes stay put.
            let bary = |v: usize| match adj[v].len() {
                0 => (pos[v], 1),
                k => (adj[v].iter().map(|&u| pos[u]).sum::<i64>(), k as i64),
            };
            let mut keyed: Vec<_> = layers[c].iter().map(|&v| (bary(v), v)).collect();
            keyed.sort_by(|&((s1, k1), a), &((s2, k2), b)| {
                (s1 * k2)
                    .cmp(&(s2 * k1))
                    .then(labels[a].cmp(labels[b]))
                    .then(a.cmp(&b))
            });
            layers[c] = keyed.into_iter().map(|(_, v)| v).collect();
            place(&layers[c], &mut pos);
        }
    }

    // A tall layer becomes several columns, its nodes grouped by kind.
    let mut columns: Vec<Vec<usize>> = Vec::new();
    for mut l in layers {
        if l.len() > MAX_ROWS {
            l.sort_by(|&a, &b| {
                kinds[a]
                    .cmp(kinds[b])
                    .then(labels[a].cmp(labels[b]))
                    .then(a.cmp(&b))
            });
            columns.extend(l.chunks(MAX_ROWS).map(<[usize]>::to_vec));
        } else {
            columns.push(l);
        }
    }
    // Every column starts at the top, so the rows line up across columns
    // and the channels between rows are free of boxes everywhere.
    let tallest = columns.iter().map(Vec::len).max().unwrap_or(0) as i64;
    let (mut x, mut y, mut col) = (vec![0; n], vec![0; n], vec![0; n]);
    for (c, l) in columns.iter().enumerate() {
        for (r, &v) in l.iter().enumerate() {
            x[v] = SIDE + c as i64 * (BOX_W + COL_GAP);
            y[v] = MARGIN + ROW_GAP + r as i64 * PITCH;
            col[v] = c;
        }
    }
    Layout {
        x,
        y,
        col,
        width: 2 * SIDE + columns.len() as i64 * (BOX_W + COL_GAP) - COL_GAP,
        height: 2 * MARGIN + ROW_GAP + tallest * PITCH,
    }
}

/// An edge as straight runs that never cross a box: out of the source's
/// right side into the gap after its column, along the channel above the
/// target's row (between rows, where no column has a box), down the gap
/// before the target's column, and into its left side. Between adjacent
/// columns it is one run down the gap between them. Small offsets, fixed
/// per edge, keep parallel runs apart.
fn route(lay: &Layout, a: usize, b: usize) -> String {
    let (sx, sy) = (lay.x[a] + BOX_W, lay.y[a] + BOX_H / 2);
    let (tx, ty) = (lay.x[b], lay.y[b] + BOX_H / 2);
    let spread = |k: usize, steps: i64, step: i64| (k as i64 % steps - steps / 2) * step;
    let off = spread(a * 31 + b * 17, 7, 4);
    if lay.col[b] == lay.col[a] + 1 {
        let gx = sx + COL_GAP / 2 + off;
        return format!("M{sx} {sy}H{gx}V{ty}H{tx}");
    }
    let out_x = sx + COL_GAP / 2 + off;
    let in_x = tx - COL_GAP / 2 - off;
    let cy = lay.y[b] - ROW_GAP / 2 + spread(a * 7 + b, 5, 2);
    format!("M{sx} {sy}H{out_x}V{cy}H{in_x}V{ty}H{tx}")
}

/// Reverses the back edges of a depth-first search; starting from nodes and
/// children in index order makes the choice of edges to reverse stable.
/// Iterative, so a long chain cannot overflow the stack.
fn break_cycles(n: usize, pairs: &BTreeSet<(usize, usize)>) -> BTreeSet<(usize, usize)> {
    let mut adj = vec![Vec::new(); n];
    for &(a, b) in pairs {
        adj[a].push(b);
    }
    // 0: unvisited, 1: on the DFS stack, 2: finished.
    let mut state = vec![0u8; n];
    let mut back = BTreeSet::new();
    for root in 0..n {
        if state[root] != 0 {
            continue;
        }
        state[root] = 1;
        let mut stack = vec![(root, 0usize)];
        while let Some(top) = stack.last_mut() {
            let (u, i) = *top;
            let Some(&v) = adj[u].get(i) else {
                state[u] = 2;
                stack.pop();
                continue;
            };
            top.1 += 1;
            match state[v] {
                0 => {
                    state[v] = 1;
                    stack.push((v, 0));
                }
                1 => {
                    back.insert((u, v));
                }
                _ => {}
            }
        }
    }
    let flipped = back.iter().map(|&(a, b)| (b, a));
    pairs.difference(&back).copied().chain(flipped).collect()
}

/// FNV-1a, 64-bit: enough to keep marker ids of graphs on one page apart
/// without a dependency or std's randomly seeded hasher.
fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, &b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    })
}

/// Catalog kinds are free text; a class name must not break the attribute
/// or collide with other class names by accident.
fn kind_class(kind: &str) -> String {
    let mut s = String::new();
    for c in kind.chars().map(|c| c.to_ascii_lowercase()) {
        if c.is_ascii_alphanumeric() {
            s.push(c);
        } else if !s.ends_with('-') {
            s.push('-');
        }
    }
    Some(s.trim_matches('-'))
        .filter(|s| !s.is_empty())
        .unwrap_or("other")
        .into()
}

/// SVG text does not wrap, so long labels would spill out of the box.
/// `max` is in average letters; wide ones (capitals, `m`, `w`, CJK and
/// other non-ASCII) count one and a half, so a label of wide letters is
/// cut sooner and still fits.
fn truncate(s: &str, max: usize) -> String {
    let width = |c: char| {
        if c.is_ascii_uppercase() || matches!(c, 'm' | 'w' | '@' | '%') || !c.is_ascii() {
            3
        } else {
            2
        }
    };
    let budget = 2 * max;
    if s.chars().map(width).sum::<usize>() <= budget {
        return s.to_string();
    }
    let mut used = width('…');
    let mut cut = String::new();
    for c in s.chars() {
        used += width(c);
        if used > budget {
            break;
        }
        cut.push(c);
    }
    format!("{}…", cut.trim_end())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn graph(n: usize, edges: &[(usize, usize)]) -> Graph {
        let node = |i| Node {
            label: format!("n{i:03}"),
            kind: "component".into(),
            href: None,
            focus: false,
        };
        Graph {
            nodes: (0..n).map(node).collect(),
            edges: edges
                .iter()
                .map(|&(from, to)| Edge {
                    from,
                    to,
                    kind: EdgeKind::DependsOn,
                })
                .collect(),
        }
    }

    /// Parses the SVG (so it must be well-formed) and returns each node's
    /// translation, in document order, and the number of edge paths.
    fn parse(svg: &str) -> (Vec<(i64, i64)>, usize) {
        let doc = roxmltree::Document::parse(svg).expect("well-formed SVG");
        let class = |n: &roxmltree::Node, c: &str| {
            n.attribute("class")
                .is_some_and(|v| v.split(' ').any(|x| x == c))
        };
        let nodes = doc.descendants().filter(|n| class(n, "node"));
        let pos = nodes
            .map(|n| {
                let t = n.attribute("transform").unwrap();
                let t = t.trim_start_matches("translate(").trim_end_matches(')');
                let (x, y) = t.split_once(' ').unwrap();
                (x.parse().unwrap(), y.parse().unwrap())
            })
            .collect();
        (pos, doc.descendants().filter(|n| class(n, "edge")).count())
    }

    #[test]
    fn same_input_gives_identical_output() {
        let g = graph(6, &[(0, 1), (1, 2), (2, 0), (3, 1), (4, 5), (0, 5)]);
        let a = render_svg(&g, "Deps").unwrap();
        assert_eq!(a, render_svg(&g, "Deps").unwrap());
        let b = render_svg(&g, "Other").unwrap();
        assert_ne!(a, b, "marker ids must differ between graphs");
    }

    #[test]
    fn every_string_is_escaped() {
        let evil = "<script>alert(1)</script>";
        let mut g = graph(2, &[(0, 1)]);
        g.nodes[0].label = evil.into();
        g.nodes[0].href = Some("x.html?a=1&b=\"2\"'".into());
        g.nodes[1].label = "{{ x }}".into();
        g.nodes[1].kind = "{{ x }} <k>".into();
        let svg = render_svg(&g, "A & B <c> \"d\" 'e'").unwrap();
        assert!(!svg.contains("<script"), "{svg}");
        assert!(svg.contains("&lt;script&gt;alert(1)&lt;/script&gt; (component)"));
        assert!(svg.contains("&lt;script&gt;alert(1)&lt;/sc…"));
        assert!(svg.contains("href=\"x.html?a=1&amp;b=&quot;2&quot;&apos;\""));
        assert!(svg.contains(">A &amp; B &lt;c&gt; &quot;d&quot; &apos;e&apos;</title>"));
        assert!(svg.contains(">{{ x }}</text>"));
        assert!(svg.contains("class=\"node kind-x-k\""));
        let doc = roxmltree::Document::parse(&svg).unwrap();
        let title = doc.descendants().find(|n| n.has_tag_name("title"));
        assert_eq!(title.unwrap().text(), Some("A & B <c> \"d\" 'e'"));
    }

    #[test]
    fn chain_flows_left_to_right() {
        let svg = render_svg(&graph(3, &[(0, 1), (1, 2)]), "Chain").unwrap();
        let (pos, edges) = parse(&svg);
        assert_eq!(edges, 2);
        assert!(pos[0].0 < pos[1].0 && pos[1].0 < pos[2].0, "{pos:?}");
    }

    #[test]
    fn cycles_terminate_and_keep_their_edges() {
        // Self-loop and duplicate are ignored; the 3-cycle and 2-cycle stay.
        let g = graph(4, &[(0, 1), (1, 2), (2, 0), (0, 1), (1, 1), (2, 3), (3, 2)]);
        let svg = render_svg(&g, "Cycle").unwrap();
        let (pos, edges) = parse(&svg);
        assert_eq!((pos.len(), edges), (4, 5));
        assert_eq!(svg.matches("edge-back").count(), 2);
    }

    #[test]
    fn a_system_of_sixty_parts_is_a_grid_where_no_edge_crosses_a_box() {
        // 60 parts that all depend on 3 shared targets, and a chain among
        // some parts (long edges that would cut through columns).
        let mut edges: Vec<(usize, usize)> = (0..60).map(|i| (i, 60 + i % 3)).collect();
        edges.extend([(0, 61), (61, 5), (5, 62)]);
        let svg = render_svg(&graph(63, &edges), "Big system").unwrap();
        let (pos, _) = parse(&svg);
        let height = pos.iter().map(|p| p.1).max().unwrap() + BOX_H;
        assert!(height < 1000, "{height}px tall");
        // Boxes never overlap.
        for (i, a) in pos.iter().enumerate() {
            for b in &pos[i + 1..] {
                let apart = (a.0 - b.0).abs() >= BOX_W || (a.1 - b.1).abs() >= BOX_H;
                assert!(apart, "{a:?} overlaps {b:?}");
            }
        }
        // Every edge is axis-parallel runs; none passes through a box.
        let doc = roxmltree::Document::parse(&svg).unwrap();
        let mut n = 0;
        for path in doc
            .descendants()
            .filter(|d| d.attribute("class").is_some_and(|c| c.starts_with("edge ")))
        {
            n += 1;
            let d = path.attribute("d").unwrap();
            let mut pts = Vec::new();
            let (mut x, mut y) = (0i64, 0i64);
            let mut cmd = ' ';
            let mut num = String::new();
            let mut nums = Vec::new();
            for c in d.chars().chain(std::iter::once('E')) {
                if c.is_ascii_alphabetic() || c == ' ' {
                    if !num.is_empty() {
                        nums.push(num.parse::<i64>().unwrap());
                        num.clear();
                    }
                    if c.is_ascii_alphabetic() {
                        match (cmd, nums.as_slice()) {
                            ('M', [a, b]) => (x, y) = (*a, *b),
                            ('H', [a]) => x = *a,
                            ('V', [b]) => y = *b,
                            (' ', []) => {}
                            other => panic!("unexpected {other:?} in {d}"),
                        }
                        if cmd != ' ' {
                            pts.push((x, y));
                        }
                        cmd = c;
                        nums.clear();
                    }
                } else {
                    num.push(c);
                }
            }
            for w in pts.windows(2) {
                let ((x1, y1), (x2, y2)) = (w[0], w[1]);
                for &(bx, by) in &pos {
                    // Strictly inside a box (touching its side is the end).
                    let inside_x = |x: i64| x > bx && x < bx + BOX_W;
                    let inside_y = |y: i64| y > by && y < by + BOX_H;
                    let crosses = if y1 == y2 {
                        inside_y(y1) && x1.min(x2) < bx + BOX_W && x1.max(x2) > bx
                    } else {
                        inside_x(x1) && y1.min(y2) < by + BOX_H && y1.max(y2) > by
                    };
                    assert!(!crosses, "{d} crosses the box at {bx},{by}");
                }
            }
        }
        assert_eq!(n, 62, "the duplicate (5, 62) is drawn once");
    }

    #[test]
    fn labels_of_wide_letters_are_cut_sooner() {
        assert_eq!(truncate("short", LABEL_CHARS), "short");
        let wide = truncate("WWWWWWWWWWWWWWWWWWWWWW", LABEL_CHARS);
        assert!(wide.chars().count() < 16, "{wide}");
        assert!(wide.ends_with('…'));
        let narrow = truncate(&"a".repeat(30), LABEL_CHARS);
        assert_eq!(narrow.chars().count(), 21, "{narrow}");
    }

    #[test]
    fn empty_graph_has_no_svg() {
        assert_eq!(render_svg(&Graph::default(), "Empty"), None);
    }

    #[test]
    fn nodes_beyond_the_cap_are_dropped() {
        let chain: Vec<_> = (0..99).map(|i| (i, i + 1)).chain([(0, 500)]).collect();
        let mut g = graph(100, &chain);
        g.nodes[0].focus = true;
        let svg = render_svg(&g, "Big").unwrap();
        let (pos, edges) = parse(&svg);
        assert_eq!((pos.len(), edges), (MAX_NODES, MAX_NODES - 1));
        assert!(svg.contains("class=\"node kind-component focus\""));
        assert!(!svg.contains("n080"));
    }
}
