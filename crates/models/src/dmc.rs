//! DMC model: dynamic Markov coding, a bit-level state machine that grows its own contexts.
//!
//! Every other model names its contexts in advance: the last *n* bytes, the current word, a
//! position in the markup. Dynamic Markov coding (Cormack and Horspool, 1987) starts from a small
//! graph of bit contexts and *clones* a state whenever one path into it has been taken often
//! enough to deserve a context of its own. The graph thereby grows contexts of whatever length
//! the text repeats, which no fixed order or hash names. paq8px runs a forest of such graphs
//! beside its context models; this model runs two, or three at level 9.
//!
//! ## The graph
//! A node is a bit context: two edges, `next[bit]`, to the node of the following bit, and two
//! counts, `n0` and `n1`, of the zeros and ones seen there, fixed point in 1/[`ONE`] units. The
//! graph starts as 256 binary trees of 255 nodes, one tree per value of the previous byte: a
//! tree's nodes are the partial bytes (order 1, bit by bit), and the edge out of a leaf for the
//! byte's last bit leads to the root of the tree of the byte just completed. Cloning copies
//! edges, so every node stays at one bit position of the byte.
//!
//! ## Prediction and update
//! The node of the current bit predicts, in 16 bits and with counts in units,
//! `p1 = ⌊(n1 + 4) · 2^16 / (n0 + n1 + 8)⌋` (a prior of 1/16 count each); the mixer input is
//! `stretch(p1)`. After bit `y` both counts decay, `n ← n − ⌊n / 2^DECAY_BITS⌋`, then the seen
//! one grows, `n_y ← n_y + ONE`. A count thus rises to `ONE · 2^DECAY_BITS` (32,768 units, 512
//! counts) and no further: a slowly forgetting frequency, the long-run statistics that the
//! context maps' fast bit histories lack. The truncation leaves a count under 2^DECAY_BITS
//! units (8 counts) as it is: a rare context keeps its exact counts. A starting node has half a
//! count of each bit.
//!
//! ## Cloning
//! Let `e` be `n_y` before the update (how often this node went on with `y`) and `t = n0 + n1` of
//! the target node. If `e > T` and `t > e + T`, the target also serves other paths, and this one
//! has seen enough to stand alone: a new node takes the target's edges and `⌊n · e / t⌋` of each
//! of its counts `n` (in units), the target keeps the rest, and this node's edge `y` leads to the
//! clone, which becomes the current node. Each graph has its own threshold `T`, in units: it starts
//! at [`START_THRESHOLDS`] and rises by one unit per 2^[`THRESHOLD_GROWTH_BITS`] clones, so the
//! larger the graph, the more a path must have seen to earn a node (over a full graph of the
//! largest size used, level 8's 2.8 million nodes, by 83 units: 1.3 counts). When the node table
//! is full, cloning stops and the counts go on adapting (paq8px's slowest graphs do the same;
//! starting afresh, as its faster ones do, throws away what a graph knows).
//!
//! ## Memory layout
//! A node is 12 bytes, `[next0: u32][next1: u32][n0: u16][n1: u16]`, in a table of its own per
//! graph; the graphs split the model's bytes equally. The first 65,280 nodes are the starting trees
//! (tree `b` from node `255 b`), clones follow in the order they are made. A bit costs each graph
//! one node read (usually a cache miss, started by a prefetch when the previous bit moved on),
//! and a clone one more write.
//!
//! Measured at level 9 on wiki4m (format version 24): -0.17% with the 1.4 million nodes a graph had
//! there (32 MiB for both; at version 27 three graphs have 1.9 million each, 64 MiB). In trial
//! builds, two graphs of 2^20 nodes -0.14%, of 2^21 -0.17%, of 2^22 -0.18% (wiki4m fills 3.9
//! million); one graph of 2^21 -0.11%; eight more graphs, faster ones that start afresh when full
//! (paq8px's forest), 0.01-0.03% more for five times the work. A third graph, starting at four
//! counts, took another 0.023% off wiki4m with 48 MiB for the three (677,815 bytes against 677,969
//! at format version 26) and 0.027% with 64 MiB, which level 9 gives it (starting at half a count
//! -0.015%, two counts -0.016%, eight -0.020%, all at 48 MiB; two graphs in 64 MiB -0.009%). A
//! bit-history state per node beside the counts (paq8px's second input) lost 0.005-0.009%; a second
//! input per graph (the linear `p1 − ½`, or the stretch scaled by the node's counts) gained
//! 0.002-0.004%. A decay of 2^8 lost 0.003%, 2^7 0.007%; counts in 1/1024 units with a prior of a
//! whole count lost 0.02% (the prior, not the units: 1/64 with a 1/16 prior measures the same as
//! 1/1024).

use crate::logistic::stretch;
use crate::model::{BitContext, History, Inputs, Model};
use crate::table::{prefetch, Zeroable, ZeroedTable};

/// A count of one, in the counts' fixed point (a *unit* is 1/64 count).
const ONE: u32 = 64;
/// The counts' forgetting: each update takes `⌊n / 2^DECAY_BITS⌋` off both.
const DECAY_BITS: u32 = 9;
// The largest count, ONE << DECAY_BITS, must fit the nodes' u16 counts.
const _: () = assert!(ONE << DECAY_BITS <= u16::MAX as u32);
/// The graphs' starting thresholds, in units: one count, one and a half, and (for a third
/// graph, see [`DmcModel::new`]) four.
const START_THRESHOLDS: [u32; 3] = [ONE, ONE * 3 / 2, 4 * ONE];
/// The threshold rises by one unit per `2^THRESHOLD_GROWTH_BITS` clones.
const THRESHOLD_GROWTH_BITS: u32 = 15;
/// The counts of a node of the starting trees: half a count each.
const START_COUNT: u16 = (ONE / 2) as u16;
/// The prior added to each count of a prediction: 1/16 of a count.
const PRIOR: u32 = ONE / 16;
/// Nodes of one starting tree (the partial bytes after one byte value)...
const TREE_NODES: usize = 255;
/// ...and of the starting graph, a tree per byte value.
const START_NODES: usize = 256 * TREE_NODES;

#[derive(Clone, Copy, Default, Debug, PartialEq)]
#[repr(C)]
struct Node {
    next: [u32; 2],
    counts: [u16; 2],
}

// SAFETY: a node is plain integers, for which all-zero bytes are a valid value.
unsafe impl Zeroable for Node {}

/// One growing graph.
struct Graph {
    nodes: ZeroedTable<Node>,
    /// Nodes in use: the next clone's index.
    used: usize,
    /// The node of the bit to be coded next.
    current: usize,
    /// The threshold `T`, times `2^THRESHOLD_GROWTH_BITS` (the low bits count clones).
    threshold_clones: u64,
}

impl Graph {
    /// A graph of at most `capacity` nodes (at least the starting trees and one clone).
    fn new(capacity: usize, start_threshold: u32) -> Graph {
        let mut nodes = ZeroedTable::new(capacity.max(START_NODES + 1));
        for (at, node) in nodes.as_mut_slice()[..START_NODES].iter_mut().enumerate() {
            let i = at % TREE_NODES;
            let next = if i < TREE_NODES / 2 {
                // Inner node i of a tree: its children are nodes 2i + 1 and 2i + 2.
                [at + i + 1, at + i + 2]
            } else {
                // Leaf i completes the bytes 2(i − 127) and 2(i − 127) + 1: their trees' roots.
                let byte = 2 * (i - TREE_NODES / 2);
                [byte * TREE_NODES, (byte + 1) * TREE_NODES]
            };
            *node = Node {
                next: next.map(|n| n as u32),
                counts: [START_COUNT; 2],
            };
        }
        Graph {
            nodes,
            used: START_NODES,
            current: 0,
            threshold_clones: (start_threshold as u64) << THRESHOLD_GROWTH_BITS,
        }
    }

    /// `p1` of the current node, 16 bits (a count is at most 2^15 units, so the numerator
    /// stays below 2^32).
    fn p1(&self) -> u32 {
        let [n0, n1] = self.nodes.as_slice()[self.current].counts.map(u32::from);
        ((n1 + PRIOR) << 16) / (n0 + n1 + 2 * PRIOR)
    }

    /// Learns `bit` at the current node, clones its successor if the rule says so, and moves on.
    fn update(&mut self, bit: u32) {
        let y = bit as usize;
        let nodes = self.nodes.as_mut_slice();
        let node = &mut nodes[self.current];
        let edge_count = node.counts[y] as u64;
        for count in &mut node.counts {
            *count -= *count >> DECAY_BITS;
        }
        node.counts[y] += ONE as u16;
        let target = node.next[y] as usize;
        let threshold = self.threshold_clones >> THRESHOLD_GROWTH_BITS;
        let mut next = target;
        if edge_count > threshold && self.used < nodes.len() {
            let [t0, t1] = nodes[target].counts.map(u64::from);
            let total = t0 + t1;
            if total > edge_count + threshold {
                let moved = [t0, t1].map(|t| (t * edge_count / total) as u16);
                let clone = self.used;
                nodes[clone] = Node {
                    next: nodes[target].next,
                    counts: moved,
                };
                let kept = &mut nodes[target].counts;
                kept[0] -= moved[0];
                kept[1] -= moved[1];
                nodes[self.current].next[y] = clone as u32;
                self.used += 1;
                self.threshold_clones += 1;
                next = clone;
            }
        }
        self.current = next;
        prefetch(&nodes[next]);
    }
}

/// The model: a graph per starting threshold, each a mixer input.
pub struct DmcModel {
    graphs: Vec<Graph>,
}

impl DmcModel {
    /// A model of `graphs` graphs (2 or 3: the first `graphs` of [`START_THRESHOLDS`]) that take at
    /// most `bytes` together, in equal parts (or the starting trees and a node more each, where
    /// that is larger). Node indices are `u32`.
    pub fn new(bytes: usize, graphs: usize) -> Self {
        assert!(
            (2..=START_THRESHOLDS.len()).contains(&graphs),
            "{graphs} DMC graphs"
        );
        let capacity = bytes / graphs / std::mem::size_of::<Node>();
        assert!(capacity <= u32::MAX as usize, "{bytes} bytes of DMC graphs");
        DmcModel {
            graphs: START_THRESHOLDS[..graphs]
                .iter()
                .map(|&threshold| Graph::new(capacity, threshold))
                .collect(),
        }
    }
}

impl Model for DmcModel {
    fn name(&self) -> String {
        "dmc".into()
    }

    fn own_bytes(&self) -> usize {
        self.graphs
            .iter()
            .map(|g| g.nodes.len() * std::mem::size_of::<Node>())
            .sum()
    }

    fn input_count(&self) -> usize {
        self.graphs.len()
    }

    fn update_byte(&mut self, _history: &History, _contexts: &mut [u64]) {}

    fn predict(&mut self, _bit: &mut BitContext, _history: &History, inputs: &mut Inputs) {
        for graph in &self.graphs {
            inputs.push(stretch(graph.p1()));
        }
    }

    fn update(&mut self, bit: u32) {
        for graph in &mut self.graphs {
            graph.update(bit);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::logistic::squash;
    use crate::model::{code_bits, pseudo_random_bytes};

    /// Codes the bits of `byte` through `graph`.
    fn code_byte(graph: &mut Graph, byte: u8) {
        for k in (0..8).rev() {
            graph.update((byte >> k) as u32 & 1);
        }
    }

    #[test]
    fn the_starting_graph_follows_the_last_byte() {
        let mut graph = Graph::new(0, START_THRESHOLDS[0]);
        assert_eq!(graph.nodes.len(), START_NODES + 1);
        for byte in [0u8, 0xFF, b'a', 0x80, 0x7F] {
            code_byte(&mut graph, byte);
            assert_eq!(graph.current, byte as usize * TREE_NODES);
        }
        // Half a count each, not enough to clone anything yet.
        assert_eq!(graph.used, START_NODES);
        assert_eq!(graph.p1(), 1 << 15);
    }

    #[test]
    fn a_clone_takes_its_share_of_the_counts_and_the_edges() {
        let mut graph = Graph::new(START_NODES + 1, ONE);
        let nodes = graph.nodes.as_mut_slice();
        let target = nodes[0].next[1] as usize;
        nodes[0].counts = [0, 10 * ONE as u16];
        nodes[target].counts = [5 * ONE as u16, 20 * ONE as u16];
        let target_edges = nodes[target].next;
        graph.update(1);
        let nodes = graph.nodes.as_slice();
        let clone = START_NODES;
        assert_eq!((graph.current, graph.used), (clone, START_NODES + 1));
        assert_eq!(nodes[0].next[1] as usize, clone);
        assert_eq!(nodes[clone].next, target_edges);
        // 10 of the target's 25 counts move with the path that earned the clone.
        assert_eq!(nodes[clone].counts, [2 * ONE as u16, 8 * ONE as u16]);
        assert_eq!(nodes[target].counts, [3 * ONE as u16, 12 * ONE as u16]);
        // The table is full: the same step again moves on without a clone.
        graph.current = 0;
        let nodes = graph.nodes.as_mut_slice();
        nodes[0].next[1] = target as u32;
        nodes[target].counts = [5 * ONE as u16, 20 * ONE as u16];
        graph.update(1);
        assert_eq!((graph.current, graph.used), (target, START_NODES + 1));
    }

    #[test]
    fn counts_stay_within_their_bound() {
        let mut graph = Graph::new(START_NODES + 1, ONE);
        for _ in 0..100_000 {
            graph.current = 0;
            graph.update(1);
        }
        let [n0, n1] = graph.nodes.as_slice()[0].counts;
        // The truncating decay leaves a count under 2^DECAY_BITS units as it is.
        assert_eq!(n0, START_COUNT);
        assert_eq!(n1 as u32, ONE << DECAY_BITS);
        graph.current = 0;
        assert!(graph.p1() > 65_400, "{}", graph.p1());
    }

    #[test]
    fn grows_contexts_that_predict_a_repeated_text() {
        // Pseudo-random bytes: order 1 knows nothing of them, so only grown contexts predict
        // their repetitions.
        let block = pseudo_random_bytes(4000);
        const REPEATS: usize = 8;
        let text = block.repeat(REPEATS);
        let mut model = DmcModel::new(24 << 20, 3);
        // Bits each graph predicted right, per repetition.
        let mut right = [[0; REPEATS]; 3];
        let mut coded = 0;
        code_bits(&mut model, &text, |_, inputs, bit| {
            for (graph, right) in right.iter_mut().enumerate() {
                let p1 = squash(inputs[graph]);
                right[coded / (8 * block.len())] += ((p1 > 1 << 15) == (bit == 1)) as usize;
            }
            coded += 1;
        });
        // Half right the first time, as good as a coin; each repetition grows longer contexts,
        // 85% right by the fifth (the third graph, which clones later, by the last).
        let bits = 8 * block.len();
        let by = [4, 4, REPEATS - 1];
        for ((right, graph), by) in right.iter().zip(&model.graphs).zip(by) {
            assert!(right[0] * 100 < 55 * bits, "{right:?}");
            assert!(right.windows(2).all(|w| w[0] < w[1]), "{right:?}");
            assert!(right[by] * 100 > 85 * bits, "{right:?}");
            assert!(graph.used > START_NODES + block.len(), "{}", graph.used);
        }
    }

    #[test]
    fn a_clone_needs_more_than_the_threshold_on_both_sides() {
        // e = T, or t = e + T: no clone; one unit more on both: a clone.
        let threshold = START_THRESHOLDS[1];
        for (edge, target, clones) in [
            (threshold, 3 * threshold, false),
            (2 * threshold, 3 * threshold, false),
            (threshold + 1, 2 * threshold + 2, true),
        ] {
            let mut graph = Graph::new(START_NODES + 1, threshold);
            let nodes = graph.nodes.as_mut_slice();
            let next = nodes[0].next[0] as usize;
            nodes[0].counts = [edge as u16, 0];
            nodes[next].counts = [target as u16, 0];
            graph.update(0);
            assert_eq!(graph.used > START_NODES, clones, "{edge} {target}");
        }
    }

    #[test]
    fn the_threshold_rises_with_the_clones() {
        let mut graph = Graph::new(START_NODES + (1 << THRESHOLD_GROWTH_BITS), ONE);
        let threshold = |graph: &Graph| graph.threshold_clones >> THRESHOLD_GROWTH_BITS;
        while graph.used < graph.nodes.len() {
            // Always one path of 16 counts into a node that another path took 16 times too.
            graph.current = 0;
            let nodes = graph.nodes.as_mut_slice();
            let next = nodes[0].next[1] as usize;
            nodes[0].counts = [0, 16 * ONE as u16];
            nodes[next].counts = [0, 32 * ONE as u16];
            assert_eq!(threshold(&graph), ONE as u64);
            graph.update(1);
        }
        assert_eq!(threshold(&graph), ONE as u64 + 1);
    }

    #[test]
    fn the_graphs_share_the_bytes() {
        let bytes = 48 << 20;
        let node = std::mem::size_of::<Node>();
        assert_eq!(node, 12);
        for graphs in [2, 3] {
            let model = DmcModel::new(bytes, graphs);
            assert_eq!(model.input_count(), graphs);
            assert_eq!(model.own_bytes(), bytes / graphs / node * graphs * node);
            let thresholds: Vec<u64> = model.graphs.iter().map(|g| g.threshold_clones).collect();
            let starts = START_THRESHOLDS[..graphs].iter();
            let expected: Vec<u64> = starts
                .map(|&t| (t as u64) << THRESHOLD_GROWTH_BITS)
                .collect();
            assert_eq!(thresholds, expected);
            // The least: the starting trees and one node more.
            let least = DmcModel::new(0, graphs).own_bytes();
            assert_eq!(least, graphs * (START_NODES + 1) * node);
        }
    }
}
