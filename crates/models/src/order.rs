//! Order-n context models: the last `n` bytes predict the next one. [`OrderModel`] names one
//! context of up to 8 bytes; [`LongOrderModel`] names several longer ones at once, hashed from
//! the history byte by byte.

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

/// The constant that the long orders' hash starts from (see `LongOrderModel::update_byte`).
const LONG_ORDER_SALT: u64 = 0x4C4F_4E47;

/// Names the contexts of the last `n` bytes for each of several orders above 8, in increasing
/// order: what the match models follow (the latest repeat of the last 6 or 12 bytes), as
/// contexts whose bit histories remember every repeat. The hash of the last `n` bytes extends
/// that of the last 8 by the bytes 9 to `n` back, so a byte costs the longest order's reads of
/// the history.
pub struct LongOrderModel {
    orders: &'static [u32],
    table_bytes: usize,
}

impl LongOrderModel {
    /// Contexts of the last `orders` bytes (each above 8, increasing), a table of `table_bytes`
    /// each.
    pub fn new(orders: &'static [u32], table_bytes: usize) -> Self {
        assert!(orders.first().is_some_and(|&o| o > 8), "{orders:?}");
        assert!(orders.windows(2).all(|w| w[0] < w[1]), "{orders:?}");
        LongOrderModel {
            orders,
            table_bytes,
        }
    }
}

impl Model for LongOrderModel {
    fn name(&self) -> String {
        "long-orders".into()
    }

    fn context_tables(&self) -> Vec<usize> {
        vec![self.table_bytes; self.orders.len()]
    }

    fn update_byte(&mut self, history: &History, contexts: &mut [u64]) {
        // From a hash, not the raw bytes: `combine` adds before it mixes, so the last byte and
        // the ninth back would otherwise meet only as their sum.
        let mut hash = combine(LONG_ORDER_SALT, history.last8());
        let mut back = 8;
        for (context, &order) in contexts.iter_mut().zip(self.orders) {
            while back < order {
                back += 1;
                hash = combine(hash, history.back(back as u64) as u64);
            }
            *context = combine(order as u64, hash);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::contexts_after;

    #[test]
    fn a_long_order_sees_its_bytes_and_no_more() {
        let mut model = LongOrderModel::new(&[12, 16], 1 << 16);
        let mut after = |text: &[u8]| contexts_after::<2>(&mut model, text);
        // Equal in the last 12 bytes, different 13 back: the order-12 contexts agree and the
        // order-16 ones do not.
        let one = after(b"xxxxAbcdefghijklm");
        let other = after(b"xxxxBbcdefghijklm");
        assert_eq!(one[0], other[0]);
        assert_ne!(one[1], other[1]);
        // A change within the last 12 bytes changes both.
        let changed = after(b"xxxxAbcdefghijkXm");
        assert_ne!(changed[0], one[0]);
        assert_ne!(changed[1], one[1]);
        // Orders are told apart even over the same bytes.
        assert_ne!(one[0], one[1]);
    }

    #[test]
    fn a_long_order_tells_apart_bytes_with_the_same_sum() {
        let mut model = LongOrderModel::new(&[10], 1 << 16);
        let mut after = |text: &[u8]| contexts_after::<1>(&mut model, text);
        // The last byte and the ninth back swapped, or changed by the same amount the other
        // way: the same sum, other contexts.
        let one = after(b"Xabcdefghijklmnopq#");
        assert_ne!(one, after(b"Xabcdefghi#klmnopqj"));
        assert_ne!(one, after(b"Xabcdefghikklmnopq\""));
    }

    #[test]
    fn an_order_hashes_its_last_bytes() {
        let mut model = OrderModel::new(2, 1 << 16);
        let mut after = |text: &[u8]| contexts_after::<1>(&mut model, text);
        assert_eq!(after(b"xab"), after(b"yyab"));
        assert_ne!(after(b"ab"), after(b"ba"));
    }
}
