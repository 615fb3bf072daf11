//! Indirect model: what followed the last occurrences of the current context predicts the next
//! byte.
//!
//! Two small direct tables remember, for every byte value and for every pair of bytes, the two
//! bytes that followed their last occurrences (`after1[c1]`, `after2[c2 c1]`, 16 bits each). The
//! contexts are the current bytes hashed with that memory: where `c1` was last followed by `x y`,
//! the context `(c1, x y)` predicts as the text did then. This captures regularities one step
//! removed — "after `q` comes what came after `q` last time" — that order-n contexts only see once
//! the same long context repeats (paq8's indirect model).

use crate::context_map::combine;
use crate::model::{History, Model};

pub struct IndirectModel {
    after1: Vec<u16>,
    after2: Vec<u16>,
    table_bytes: usize,
}

impl IndirectModel {
    pub fn new(table_bytes: usize) -> Self {
        IndirectModel {
            after1: vec![0; 1 << 8],
            after2: vec![0; 1 << 16],
            table_bytes,
        }
    }
}

impl Model for IndirectModel {
    fn name(&self) -> String {
        "indirect".to_string()
    }

    fn context_tables(&self) -> Vec<usize> {
        vec![self.table_bytes; 3]
    }

    fn own_bytes(&self) -> usize {
        (self.after1.len() + self.after2.len()) * 2
    }

    fn update_byte(&mut self, history: &History, contexts: &mut [u64]) {
        let last = history.last8();
        let (c1, c2, c3) = (last & 0xFF, (last >> 8) & 0xFF, (last >> 16) & 0xFF);
        // The byte just completed followed c2 (and the pair c3 c2): remember it.
        let slot1 = &mut self.after1[c2 as usize];
        *slot1 = (*slot1 << 8) | c1 as u16;
        let slot2 = &mut self.after2[(c3 << 8 | c2) as usize];
        *slot2 = (*slot2 << 8) | c1 as u16;
        let seen1 = self.after1[c1 as usize] as u64;
        let seen2 = self.after2[(c2 << 8 | c1) as usize] as u64;
        contexts[0] = combine(0x1D1, c1 << 16 | seen1);
        contexts[1] = combine(0x1D2, (c2 << 8 | c1) << 16 | seen2);
        contexts[2] = combine(0x1D3, (c2 << 8 | c1) << 16 | (seen1 & 0xFF));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn remembers_what_followed() {
        let mut model = IndirectModel::new(1 << 16);
        let _: [u64; 3] = crate::model::contexts_after(&mut model, b"qu");
        assert_eq!(model.after1[b'q' as usize] & 0xFF, b'u' as u16);
    }
}
