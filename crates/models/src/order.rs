//! Order-n context model: the last `n` bytes predict the next one.

use crate::context_map::combine;
use crate::model::{History, Model};

/// Names the context of the previous `order` bytes (`order <= 8`).
pub struct OrderModel {
    order: u32,
    table_bytes: usize,
}

impl OrderModel {
    pub fn new(order: u32, table_bytes: usize) -> Self {
        assert!(order <= 8, "orders above 8 need a rolling hash");
        OrderModel { order, table_bytes }
    }
}

impl Model for OrderModel {
    fn name(&self) -> String {
        format!("order{}", self.order)
    }

    fn context_tables(&self) -> Vec<usize> {
        vec![self.table_bytes]
    }

    fn update_byte(&mut self, history: &History, contexts: &mut [u64]) {
        let mask = if self.order == 8 {
            u64::MAX
        } else {
            (1u64 << (8 * self.order)) - 1
        };
        contexts[0] = combine(self.order as u64, history.last8() & mask);
    }
}
