//! Structure model for XML and wiki markup: where in the document's structure the next byte falls.
//!
//! A small state machine follows the markup as the bytes go by: inside an XML tag or not, the name
//! of the last tag (`title` inside `<title>…`, `/title` after `</title>`), the depth of
//! `[[links]]` and `{{templates}}`, inside an `&entity;`, and the first byte of the line (`*` and
//! `#` lists, `|` and `!` table rows, `=` headings, `:` indents). It also tracks the column and the
//! byte above (same column, previous line), which line up tables and lists. The contexts:
//!
//! 1. markup state × the last two bytes;
//! 2. the byte above × the last byte × the column (capped at 31);
//! 3. the element × markup state × the last byte.
//!
//! Each predicts through a hashed context map like any other context.

use crate::context_map::combine;
use crate::model::{History, Model};

pub struct StructureModel {
    table_bytes: usize,
    in_tag: bool,
    in_entity: bool,
    /// Hash of the tag name being read (inside `<…`).
    tag_name: u64,
    reading_name: bool,
    /// Hash of the name of the last opened element.
    element: u64,
    link_depth: u8,
    template_depth: u8,
    line_start: u64,
    previous_line_start: u64,
    first_of_line: u8,
}

impl StructureModel {
    pub fn new(table_bytes: usize) -> Self {
        StructureModel {
            table_bytes,
            in_tag: false,
            in_entity: false,
            tag_name: 0,
            reading_name: false,
            element: 0,
            link_depth: 0,
            template_depth: 0,
            line_start: 0,
            previous_line_start: 0,
            first_of_line: 0,
        }
    }

    fn follow(&mut self, byte: u8, previous: u8, position: u64) {
        // Before a newline moves the line start on: an empty line's first byte is its newline.
        if position == self.line_start {
            self.first_of_line = byte;
        }
        match byte {
            b'<' => {
                self.in_tag = true;
                self.reading_name = true;
                self.tag_name = 0;
            }
            b'>' if self.in_tag => {
                self.in_tag = false;
                self.reading_name = false;
                // The name read includes a closing tag's `/`: after `</x>` the element is `/x`,
                // which marks the stretch between one element's end and the next tag.
                self.element = self.tag_name;
            }
            b'&' => self.in_entity = true,
            b';' if self.in_entity => self.in_entity = false,
            b'[' if previous == b'[' => self.link_depth = (self.link_depth + 1).min(3),
            b']' if previous == b']' => self.link_depth = self.link_depth.saturating_sub(1),
            b'{' if previous == b'{' => self.template_depth = (self.template_depth + 1).min(3),
            b'}' if previous == b'}' => self.template_depth = self.template_depth.saturating_sub(1),
            b'\n' => {
                self.previous_line_start = self.line_start;
                self.line_start = position + 1;
                self.in_entity = false;
            }
            _ => {}
        }
        if self.reading_name && byte != b'<' {
            if byte.is_ascii_alphanumeric() || byte == b'/' {
                self.tag_name = combine(self.tag_name, byte as u64);
            } else {
                self.reading_name = false;
            }
        }
    }

    fn state(&self) -> u64 {
        let line_kind = match self.first_of_line {
            b'*' | b'#' | b'|' | b'!' | b'=' | b':' | b' ' | b'<' | b'{' => self.first_of_line,
            _ => 0,
        };
        (self.in_tag as u64)
            | (self.in_entity as u64) << 1
            | (self.link_depth as u64) << 2
            | (self.template_depth as u64) << 4
            | (line_kind as u64) << 6
    }
}

impl Model for StructureModel {
    fn name(&self) -> String {
        "structure".to_string()
    }

    fn context_tables(&self) -> Vec<usize> {
        vec![self.table_bytes; 3]
    }

    fn update_byte(&mut self, history: &History, contexts: &mut [u64]) {
        if !history.is_empty() {
            self.follow(history.back(1), history.back(2), history.len() - 1);
        }
        let position = history.len();
        let column = position - self.line_start;
        let previous_len = self.line_start.saturating_sub(self.previous_line_start);
        let above = if column < previous_len
            && position - (self.previous_line_start + column) <= history.capacity()
        {
            history.at(self.previous_line_start + column)
        } else {
            0
        };
        let state = self.state();
        let last2 = history.last8() & 0xFFFF;
        contexts[0] = combine(0x5751, state << 16 | last2);
        contexts[1] = combine(
            0x5752,
            (above as u64) << 16 | (last2 & 0xFF) << 8 | column.min(31),
        );
        contexts[2] = combine(combine(0x5753, self.element), state << 8 | (last2 & 0xFF));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(text: &[u8]) -> StructureModel {
        let mut model = StructureModel::new(1 << 16);
        let _: [u64; 3] = crate::model::contexts_after(&mut model, text);
        model
    }

    #[test]
    fn follows_tags_links_and_templates() {
        assert!(read(b"<page id=").in_tag);
        assert!(!read(b"<page>").in_tag);
        assert_eq!(read(b"x [[a link").link_depth, 1);
        assert_eq!(read(b"x [[a]] y").link_depth, 0);
        assert_eq!(read(b"{{cite {{x}}").template_depth, 1);
        assert_eq!(read(b"<title>A</title>\n* item").first_of_line, b'*');
        assert_eq!(read(b"<title>").element, read(b"<x><title>").element);
        assert_eq!(read(b"* item\n\nplain").first_of_line, b'p');
        assert_eq!(read(b"* item\n\n").first_of_line, b'\n');
    }
}
