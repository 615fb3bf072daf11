//! Direct model: an adaptive probability per (context, partial byte), learnt from the bits
//! themselves.
//!
//! A hashed context map predicts through a bit history: a byte of state that a table maps to a
//! probability shared by every context in that state. That generalises well after a few
//! occurrences and forgets on purpose. A *direct* counter keeps the context's own frequency and
//! goes on refining it: after a thousand occurrences it is a stationary estimate that no state
//! can hold (paq8px runs such maps beside its context maps). This model keeps direct counters
//! for the contexts seen often enough to use them: the last one, two and three bytes.
//!
//! ## Counters
//! One `u32` per (context, partial byte `c0`): the StateMap entry of [`crate::statemap`] (22-bit
//! probability, 10-bit count, update `p += (y − p) · 2 / (2n + 3)` with `n` capped at
//! [`MAX_COUNT`]), stored XORed with the entry of an unseen context (p = ½, n = 0) so that the
//! tables start as zeroed, untouched memory.
//!
//! ## Layout
//! A context owns a row of 256 counters, indexed by `c0` (1..=255). Order 1 has a row per last
//! byte (2^16 counters). Orders 2 and 3 have at most 2^16 and 2^14 rows (64 and 16 MiB), fewer
//! where the engine's table budget is smaller (it shrinks with the input, so that small inputs
//! stay small); order 2 is exact when it has all 2^16 rows, otherwise both are hashed. A row's
//! first 16 counters, the first nibble's, share one cache line, which [`Model::update_byte`]
//! starts loading; each later bit's line is loaded one bit ahead (its two candidates, `2·c0` and
//! `2·c0 + 1`, share a line).
//!
//! ## Inputs
//! Two per context each bit: `stretch(p)` and the linear `(p − ½)` in 1/1024 units (±512), which
//! lets the mixer weigh confident counters apart (one input alone gained 13% less).
//!
//! Measured at level 9 on wiki4m (quick build, format version 18, fixed tables of 2^16, 2^24 and
//! 2^22 counters): -0.149% with all three contexts; orders 2 and 3 alone -0.087%, orders 1 and
//! 3 -0.114%; orders 4 and 6 added -0.01% more; a count limit of 255 -0.144%, 60 -0.118%. In
//! the model set from level 7, where it gains most (wiki-dev -0.39%; -0.19% at level 9); see
//! `MODEL_SET` in the `aizip` crate for what keeps it from the default level.

use crate::context_map::finalize;
use crate::logistic::stretch;
use crate::model::{BitContext, History, Inputs, Model};
use crate::statemap::{fresh_entry, learn, probability, reciprocals, MAX_COUNT};
use crate::table::{prefetch, ZeroedTable};

/// Counters per context row: one per partial byte.
const ROW: usize = 256;
/// The most rows of each order's table (order 1 always has all of its own).
const MAX_ROWS: [usize; 3] = [1 << 8, 1 << 16, 1 << 14];
/// What a stored zero stands for: a counter that has seen nothing.
const UNSEEN: u32 = fresh_entry(1 << 15);

pub struct DirectModel {
    tables: [ZeroedTable<u32>; 3],
    /// Each table's first counter of the current byte's row.
    row_starts: [usize; 3],
    /// Each table's counter for the current bit.
    slots: [usize; 3],
    reciprocals: &'static [u32; 1024],
}

impl DirectModel {
    /// A model whose hashed tables take at most `table_bytes` each (a power of two, at least a
    /// row).
    pub fn new(table_bytes: usize) -> Self {
        let hashed_rows = |most: usize| most.min(table_bytes / (4 * ROW)).max(1);
        let rows = [
            MAX_ROWS[0],
            hashed_rows(MAX_ROWS[1]),
            hashed_rows(MAX_ROWS[2]),
        ];
        DirectModel {
            tables: rows.map(|rows| ZeroedTable::prefaulted(rows * ROW)),
            row_starts: [0; 3],
            slots: [0; 3],
            reciprocals: reciprocals(),
        }
    }

    /// The first counters of the rows of the contexts after `history`'s last bytes.
    fn row_starts_after(&self, history: &History) -> [usize; 3] {
        let last = history.last8();
        let rows = |k: usize| self.tables[k].len() / ROW;
        let order2 = last & 0xFFFF;
        let order2_row = if rows(1) == MAX_ROWS[1] {
            order2
        } else {
            hashed_row(order2 | 2 << 24, rows(1))
        };
        [
            (last & 0xFF) as usize,
            order2_row as usize,
            hashed_row((last & 0xFF_FFFF) | 3 << 24, rows(2)) as usize,
        ]
        .map(|row| row * ROW)
    }
}

/// The row of `rows` (a power of two) that the context `salted` (its bytes, and the order above
/// them, so that orders 2 and 3 hash apart) hashes to.
fn hashed_row(salted: u64, rows: usize) -> u64 {
    (finalize(salted) >> 32) & (rows as u64 - 1)
}

impl Model for DirectModel {
    fn name(&self) -> String {
        "direct".into()
    }

    fn own_bytes(&self) -> usize {
        self.tables.iter().map(|t| t.len() * 4).sum()
    }

    fn input_count(&self) -> usize {
        2 * self.tables.len()
    }

    fn update_byte(&mut self, history: &History, _contexts: &mut [u64]) {
        self.row_starts = self.row_starts_after(history);
        for (table, &start) in self.tables.iter().zip(&self.row_starts) {
            prefetch(&table.as_slice()[start]);
        }
    }

    fn predict(&mut self, bit: &mut BitContext, _history: &History, inputs: &mut Inputs) {
        let c0 = bit.c0 as usize;
        for k in 0..self.tables.len() {
            let slot = self.row_starts[k] + c0;
            self.slots[k] = slot;
            let counters = self.tables[k].as_slice();
            let p = probability(counters[slot] ^ UNSEEN);
            inputs.push(stretch(p));
            inputs.push((p as i32 - (1 << 15)) >> 6);
            // The first nibble's counters are in the line `update_byte` loaded.
            if (8..ROW / 2).contains(&c0) {
                prefetch(&counters[self.row_starts[k] + 2 * c0]);
            }
        }
    }

    fn update(&mut self, bit: u32) {
        for (table, &slot) in self.tables.iter_mut().zip(&self.slots) {
            let counter = &mut table.as_mut_slice()[slot];
            let mut entry = *counter ^ UNSEEN;
            learn(&mut entry, bit, MAX_COUNT, self.reciprocals);
            *counter = entry ^ UNSEEN;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::code_bits;

    /// The inputs `model` pushes for every bit of `text`.
    fn inputs_over(model: &mut DirectModel, text: &[u8]) -> Vec<Vec<i32>> {
        let mut all = Vec::new();
        code_bits(model, text, |_, inputs, _| all.push(inputs.to_vec()));
        all
    }

    /// Room for the largest tables.
    const FULL: usize = 64 << 20;

    #[test]
    fn an_unseen_context_predicts_a_half() {
        let inputs = inputs_over(&mut DirectModel::new(FULL), b"a");
        assert_eq!(inputs[0], vec![0; 6]);
    }

    #[test]
    fn a_counter_learns_the_frequency_of_its_context() {
        // After "x", the byte is 'a' (0x61) nine times in ten and 'q' (0x71) once: the bit at
        // position 3 is a 1 with probability 1/10, which a counter that has seen it 2,000 times
        // states within a few percent, in both inputs, at every order.
        let mut text = Vec::new();
        for i in 0..2000 {
            text.extend_from_slice(if i % 10 == 9 { b"xq" } else { b"xa" });
        }
        let inputs = inputs_over(&mut DirectModel::new(FULL), &text);
        let third_bit = &inputs[inputs.len() - 8 + 3];
        let (stretched, linear) = (stretch(6554), (6554 - 32768) >> 6);
        for k in 0..3 {
            assert!((third_bit[2 * k] - stretched).abs() < 40, "{third_bit:?}");
            assert!((third_bit[2 * k + 1] - linear).abs() < 16, "{third_bit:?}");
        }
    }

    #[test]
    fn small_budgets_shrink_the_hashed_tables_and_rows_stay_inside() {
        for (budget, rows) in [(FULL, [256, 1 << 16, 1 << 14]), (1 << 16, [256, 64, 64])] {
            let model = DirectModel::new(budget);
            assert_eq!(model.tables.each_ref().map(|t| t.len() / ROW), rows);
            let mut history = History::new(8);
            for byte in [0xFF, 0xFF, 0xFF, 0x00, 0x7F, 0x80] {
                history.push(byte);
                for (start, table) in model.row_starts_after(&history).iter().zip(&model.tables) {
                    assert_eq!(start % ROW, 0);
                    assert!(start + ROW <= table.len());
                }
            }
        }
    }
}
