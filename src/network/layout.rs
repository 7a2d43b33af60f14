//! The layout every picture starts from: Fruchterman and Reingold's force-directed
//! placement (1991), seeded and with a fixed number of steps, so the same network gets
//! the same positions, to the bit, on every run and machine.
//!
//! Only `+ - * /` and `sqrt` are used (IEEE 754 rounds each exactly, and Rust does not
//! fuse them), in a fixed order: no `sin`, `ln` or `powf`, whose results differ between
//! C libraries. Starting positions come from a fixed SplitMix64 stream over the nodes in
//! id order. Repulsion works on a grid as in the paper's own speed-up (only nodes within
//! `2k` repel), so a step is linear in the nodes, not quadratic; a weak pull to the centre
//! keeps parts that share no edge from drifting apart.

use std::collections::BTreeMap;

use super::Network;

/// The ideal edge length, in points.
const K: f64 = 80.0;
/// The seed of the starting positions.
const SEED: u64 = 0x5a1d_6a4f_2024_0620;

/// Lays the network out, then writes each node's position, shifted so the smallest is at
/// (0, 0) and rounded to hundredths (every output prints the same two decimals).
pub fn place(network: &mut Network) {
    let edges: Vec<(usize, usize, f64)> = network
        .edges
        .iter()
        .filter(|e| e.source != e.target)
        .map(|e| (e.source, e.target, e.weight as f64))
        .collect();
    let positions = layout(network.nodes.len(), &edges);
    let min_x = positions.iter().map(|p| p.0).fold(f64::INFINITY, f64::min);
    let min_y = positions.iter().map(|p| p.1).fold(f64::INFINITY, f64::min);
    for (node, (x, y)) in network.nodes.iter_mut().zip(positions) {
        node.x = round(x - min_x);
        node.y = round(y - min_y);
    }
}

fn round(value: f64) -> f64 {
    let rounded = (value * 100.0).round() / 100.0;
    // -0.0 would print as "-0.00".
    if rounded == 0.0 { 0.0 } else { rounded }
}

/// Steps for `n` nodes: more for small networks, fewer for large ones (each step costs
/// more), always the same for the same `n`.
fn steps(n: usize) -> usize {
    match n {
        0..=200 => 400,
        201..=2000 => 150,
        _ => 60,
    }
}

/// Positions of `n` nodes joined by `edges` (weights pull harder, by their square root).
pub fn layout(n: usize, edges: &[(usize, usize, f64)]) -> Vec<(f64, f64)> {
    if n == 0 {
        return Vec::new();
    }
    let side = K * (n as f64).sqrt() * 1.5;
    let centre = side / 2.0;
    let mut random = SplitMix64(SEED);
    let mut position: Vec<(f64, f64)> = (0..n).map(|_| (random.unit() * side, random.unit() * side)).collect();
    let steps = steps(n);
    let start_temperature = side / 8.0;
    let cell = 2.0 * K;
    let mut displacement = vec![(0.0f64, 0.0f64); n];
    for step in 0..steps {
        let temperature = start_temperature * (1.0 - step as f64 / steps as f64) + 0.5;
        displacement.iter_mut().for_each(|d| *d = (0.0, 0.0));
        // Repulsion, between nodes of neighbouring cells only.
        let mut grid: BTreeMap<(i64, i64), Vec<usize>> = BTreeMap::new();
        for (i, &(x, y)) in position.iter().enumerate() {
            grid.entry(((x / cell).floor() as i64, (y / cell).floor() as i64))
                .or_default()
                .push(i);
        }
        for (i, &(x, y)) in position.iter().enumerate() {
            let (cx, cy) = ((x / cell).floor() as i64, (y / cell).floor() as i64);
            for gx in cx - 1..=cx + 1 {
                for gy in cy - 1..=cy + 1 {
                    let Some(others) = grid.get(&(gx, gy)) else { continue };
                    for &j in others {
                        if j == i {
                            continue;
                        }
                        let (mut dx, mut dy) = (x - position[j].0, y - position[j].1);
                        if dx == 0.0 && dy == 0.0 {
                            // Same place: push apart along a direction fixed by the pair.
                            dx = if i < j { 0.01 } else { -0.01 };
                            dy = 0.005;
                        }
                        let distance = (dx * dx + dy * dy).sqrt();
                        if distance < cell {
                            let force = K * K / distance;
                            displacement[i].0 += dx / distance * force;
                            displacement[i].1 += dy / distance * force;
                        }
                    }
                }
            }
        }
        // Attraction along edges.
        for &(u, v, weight) in edges {
            let (dx, dy) = (position[u].0 - position[v].0, position[u].1 - position[v].1);
            let distance = (dx * dx + dy * dy).sqrt().max(0.01);
            let force = distance * distance / K * weight.sqrt().min(4.0);
            let (fx, fy) = (dx / distance * force, dy / distance * force);
            displacement[u].0 -= fx;
            displacement[u].1 -= fy;
            displacement[v].0 += fx;
            displacement[v].1 += fy;
        }
        // A weak pull to the centre, and the move, capped by the temperature.
        for (i, p) in position.iter_mut().enumerate() {
            let (gx, gy) = (centre - p.0, centre - p.1);
            displacement[i].0 += gx * 0.05 * K / side * K;
            displacement[i].1 += gy * 0.05 * K / side * K;
            let (dx, dy) = displacement[i];
            let length = (dx * dx + dy * dy).sqrt();
            if length > 0.0 {
                let step = length.min(temperature);
                p.0 += dx / length * step;
                p.1 += dy / length * step;
            }
        }
    }
    position
}

/// SplitMix64 (Steele, Lea and Flood 2014): a small, fixed, portable random stream.
struct SplitMix64(u64);

impl SplitMix64 {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// A number in [0, 1), from the top 53 bits.
    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn distance(a: (f64, f64), b: (f64, f64)) -> f64 {
        ((a.0 - b.0).powi(2) + (a.1 - b.1).powi(2)).sqrt()
    }

    #[test]
    fn the_same_network_gets_the_same_positions_and_edges_pull_together() {
        // Two triangles joined by one edge, and a node alone.
        let edges = [
            (0, 1, 1.0),
            (1, 2, 1.0),
            (2, 0, 1.0),
            (3, 4, 1.0),
            (4, 5, 1.0),
            (5, 3, 1.0),
            (2, 3, 1.0),
        ];
        let first = layout(7, &edges);
        assert_eq!(first, layout(7, &edges));
        let mean_edge = edges.iter().map(|&(u, v, _)| distance(first[u], first[v])).sum::<f64>() / 7.0;
        let across = distance(first[0], first[5]);
        assert!(mean_edge < across, "edges {mean_edge} should be shorter than {across}");
        // No two nodes on top of each other.
        for i in 0..7 {
            for j in i + 1..7 {
                assert!(distance(first[i], first[j]) > K / 4.0, "{i} and {j} overlap");
            }
        }
    }

    #[test]
    fn the_random_stream_is_splitmix64() {
        // The first output of SplitMix64 seeded with 0, as published.
        assert_eq!(SplitMix64(0).next(), 0xe220_a839_7b1d_cdaf);
    }
}
