//! Order-n context model: the last `n` bytes predict the next one.

use crate::context_map::{combine, ContextMap, CONTEXT_MAP_INPUTS};
use crate::model::{BitContext, History, Inputs, Model};

/// Predicts from the hash of the previous `order` bytes (`order <= 8`).
pub struct OrderModel {
    order: u32,
    map: ContextMap,
}

impl OrderModel {
    pub fn new(order: u32, table_bytes: usize) -> Self {
        assert!(order <= 8, "orders above 8 need a rolling hash");
        OrderModel {
            order,
            map: ContextMap::new(table_bytes),
        }
    }
}

impl Model for OrderModel {
    fn name(&self) -> String {
        format!("order{}", self.order)
    }

    fn input_count(&self) -> usize {
        CONTEXT_MAP_INPUTS
    }

    fn update_byte(&mut self, history: &History) {
        let mask = if self.order == 8 {
            u64::MAX
        } else {
            (1u64 << (8 * self.order)) - 1
        };
        self.map
            .set_context(combine(self.order as u64, history.last8() & mask));
    }

    fn predict(&mut self, bit: &mut BitContext, _history: &History, inputs: &mut Inputs) {
        self.map.predict(bit.c0, bit.bit_pos, inputs);
    }

    fn update(&mut self, bit: u32) {
        self.map.update(bit);
    }
}
