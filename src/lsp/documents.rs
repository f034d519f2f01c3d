//! The open documents, as the editor has them: full and incremental changes applied
//! in the order they arrive.

use super::position::{Encoding, LineIndex};
use lsp_types::{TextDocumentContentChangeEvent, Uri};
use std::collections::HashMap;

#[derive(Clone, Debug)]
pub struct Document {
    pub text: String,
    pub version: i32,
    pub language: String,
    /// An edit could not be read: the text is no longer the editor's. Only a full
    /// text (a change without a range, a save with text, a new didOpen) brings it back.
    pub stale: bool,
    index: LineIndex,
}

impl Document {
    pub fn new(text: String, version: i32, language: String) -> Document {
        let index = LineIndex::new(&text);
        Document {
            text,
            version,
            language,
            stale: false,
            index,
        }
    }

    pub fn index(&self) -> &LineIndex {
        &self.index
    }

    /// Applies the changes of one `didChange`, in order. A change without a range
    /// replaces the whole text; a range outside the text is clamped to it.
    pub fn apply(&mut self, changes: Vec<TextDocumentContentChangeEvent>, enc: Encoding) {
        for change in changes {
            match change.range {
                None => self.text = change.text,
                Some(range) => {
                    let span = self.index.to_span(&self.text, range, enc);
                    self.text.replace_range(span.range(), &change.text);
                }
            }
            self.index = LineIndex::new(&self.text);
        }
    }
}

#[derive(Default, Debug)]
pub struct Documents {
    docs: HashMap<Uri, Document>,
}

impl Documents {
    pub fn open(&mut self, uri: Uri, doc: Document) {
        self.docs.insert(uri, doc);
    }

    pub fn close(&mut self, uri: &Uri) -> Option<Document> {
        self.docs.remove(uri)
    }

    /// An open document whose text is the editor's (not stale).
    pub fn get(&self, uri: &Uri) -> Option<&Document> {
        self.docs.get(uri).filter(|d| !d.stale)
    }

    pub fn get_mut(&mut self, uri: &Uri) -> Option<&mut Document> {
        self.docs.get_mut(uri).filter(|d| !d.stale)
    }

    /// An open document, stale or not.
    pub fn get_any_mut(&mut self, uri: &Uri) -> Option<&mut Document> {
        self.docs.get_mut(uri)
    }

    pub fn uris(&self) -> impl Iterator<Item = &Uri> {
        self.docs.iter().filter(|(_, d)| !d.stale).map(|(u, _)| u)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use lsp_types::{Position, Range};

    fn change(r: Option<((u32, u32), (u32, u32))>, text: &str) -> TextDocumentContentChangeEvent {
        TextDocumentContentChangeEvent {
            range: r.map(|(a, b)| Range::new(Position::new(a.0, a.1), Position::new(b.0, b.1))),
            range_length: None,
            text: text.into(),
        }
    }

    #[test]
    fn applies_changes_in_order() {
        let mut d = Document::new("é port 1\nmemory 2\n".into(), 1, "kdl".into());
        d.apply(
            vec![
                change(Some(((0, 7), (0, 8))), "4000"),
                change(Some(((1, 7), (1, 8))), "512"),
                change(Some(((9, 0), (9, 9))), "// end"),
            ],
            Encoding::Utf16,
        );
        assert_eq!(d.text, "é port 4000\nmemory 512\n// end");
        d.apply(
            vec![change(None, "x"), change(Some(((0, 1), (0, 1))), "y")],
            Encoding::Utf8,
        );
        assert_eq!(d.text, "xy");
    }
}
